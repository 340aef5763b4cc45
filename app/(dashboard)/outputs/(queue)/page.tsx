import Link from "next/link";
import type { Metadata } from "next";
import { CheckSquare, MousePointerClick } from "lucide-react";
import { listReviewQueue } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { EmptyState } from "@/components/ui/empty-state";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { hrefs } from "@/lib/queries/links";
import { parseQueueStatus, queueStatusLabel, statusQuery } from "@/components/review/queue-status";

export const metadata: Metadata = { title: "Review" };

export default async function ReviewIndex({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await getPageContext();
  const status = parseQueueStatus((await searchParams).status);
  const first = listReviewQueue(ctx, { status, limit: 1 });
  return (
    <div className="flex h-full min-h-[50vh] items-center justify-center p-6">
      {first.total === 0 ? (
        <EmptyState
          icon={<CheckSquare />}
          title={status === "pending_review" ? "Nothing waiting for review" : `No outputs ${queueStatusLabel[status].toLowerCase()}`}
          description={
            status === "pending_review"
              ? "When an agent hands in an output for a task that needs a person's approval, it shows up here. Meanwhile, follow the work on the board."
              : "Decisions you and others make on outputs show up here."
          }
          action={
            <Button asChild size="sm" variant="outline">
              <Link href={hrefs.tasks()}>Open the tasks</Link>
            </Button>
          }
          className="w-full max-w-md"
        />
      ) : (
        <EmptyState
          icon={<MousePointerClick />}
          title={status === "pending_review" ? `${first.total} ${first.total === 1 ? "output" : "outputs"} waiting for review` : "Select an output"}
          description={
            <>
              Pick one from the queue, or start with the oldest. <Kbd>j</Kbd> <Kbd>k</Kbd> move through the queue; on an output <Kbd>a</Kbd> approves and <Kbd>r</Kbd> requests changes.
            </>
          }
          action={
            <Button asChild size="sm" variant="primary">
              <Link href={`${hrefs.output(first.items[0].id)}${statusQuery(status)}`}>{status === "pending_review" ? "Review the oldest" : "Open the first"}</Link>
            </Button>
          }
          className="w-full max-w-md"
        />
      )}
    </div>
  );
}
