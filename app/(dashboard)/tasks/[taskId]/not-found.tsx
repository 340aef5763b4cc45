import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { PageBody } from "@/components/shell/page-header";

export default function TaskNotFound() {
  return (
    <PageBody>
      <EmptyState
        title="No such task"
        description="It may have been mistyped, or you may not have access to it."
        action={
          <Button asChild size="sm" variant="outline">
            <Link href="/tasks">Back to the board</Link>
          </Button>
        }
      />
    </PageBody>
  );
}
