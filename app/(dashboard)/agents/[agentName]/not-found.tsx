import Link from "next/link";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { PageBody } from "@/components/shell/page-header";

export default function AgentNotFound() {
  return (
    <PageBody>
      <EmptyState
        title="No such agent"
        description="Agents come from the definition files in agents/; this name is not among them."
        action={
          <Button asChild size="sm" variant="outline">
            <Link href="/agents">All agents</Link>
          </Button>
        }
      />
    </PageBody>
  );
}
