import Link from "next/link";
import { FileQuestion } from "lucide-react";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { hrefs } from "@/lib/queries/links";

export default function OutputNotFound() {
  return (
    <div className="flex h-full min-h-[50vh] items-center justify-center p-6">
      <EmptyState
        icon={<FileQuestion />}
        title="No such output"
        description="The link may be mistyped, or the output was removed with its task."
        action={
          <Button asChild size="sm" variant="outline">
            <Link href={hrefs.outputs()}>Back to the queue</Link>
          </Button>
        }
        className="w-full max-w-md"
      />
    </div>
  );
}
