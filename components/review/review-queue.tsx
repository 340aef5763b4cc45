"use client";
import * as React from "react";
import Link from "next/link";
import { useParams, useRouter, useSearchParams } from "next/navigation";
import { CheckSquare } from "lucide-react";
import { useReviewQueue, type ReviewQueuePage as QueuePage } from "@/lib/queries/outputs";
import { hrefs } from "@/lib/queries/links";
import { cursorListState } from "@/lib/queries/hooks";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { StatusBadge } from "@/components/ui/status";
import { PriorityDot } from "@/components/ui/priority-dot";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { ListLoadMore } from "@/components/ui/load-more";
import { Select } from "@/components/ui/select";
import { SkeletonRows } from "@/components/ui/skeleton";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { parseQueueStatus, queueStatusLabel, queueStatuses, statusQuery, type QueueStatus } from "./queue-status";
import { useReviewEnv } from "./review-context";
import { routeParam } from "@/components/inbox/params";

/** Outputs awaiting a person, oldest first (or the approved / sent back ones, by `?status=`). */
export function ReviewQueue({ initialPage }: { initialPage: QueuePage }) {
  const sp = useSearchParams();
  const status = parseQueueStatus(sp.get("status"));
  const router = useRouter();
  const params = useParams<{ outputId?: string }>();
  const setStatus = (s: QueueStatus) => {
    // The detail pane keeps the output; only the queue changes.
    const path = params.outputId ? hrefs.output(routeParam(params.outputId)) : hrefs.outputs();
    router.replace(`${path}${statusQuery(s)}`, { scroll: false });
  };
  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="grid gap-2 border-b p-3">
        <h1 className="text-sm font-semibold">Review</h1>
        <Select aria-label="Show outputs" value={status} onChange={(e) => setStatus(e.target.value as QueueStatus)}>
          {queueStatuses.map((s) => (
            <option key={s} value={s}>
              {queueStatusLabel[s]}
            </option>
          ))}
        </Select>
      </div>
      <QueueItems key={status} status={status} initialPage={status === "pending_review" ? initialPage : undefined} />
    </div>
  );
}

function QueueItems({ status, initialPage }: { status: QueueStatus; initialPage?: QueuePage }) {
  const { agentColors, setQueueOrder } = useReviewEnv();
  const params = useParams<{ outputId?: string }>();
  const selected = params.outputId ? routeParam(params.outputId) : null;
  const listRef = React.useRef<HTMLUListElement>(null);
  useListNavigation(listRef);
  // useCursorList's shape plus the page's `total`.
  const q = useReviewQueue(status, initialPage);
  const items = React.useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const list = { ...cursorListState(q, items), total: q.data?.pages[0]?.total };
  React.useEffect(() => setQueueOrder(list.items.map((i) => i.id)), [list.items, setQueueOrder]);
  const qs = statusQuery(status);

  let body: React.ReactNode;
  if (list.isLoading) body = <SkeletonRows rows={6} className="p-3" rowClassName="h-14" />;
  else if (list.error && !list.items.length) body = <ErrorState compact className="m-3" title="The queue could not be loaded" error={list.error} onRetry={() => void list.refetch()} />;
  else if (!list.items.length)
    body = (
      <div className="p-3">
        <EmptyState
          compact
          icon={<CheckSquare />}
          title={status === "pending_review" ? "Nothing waiting for review" : `No outputs ${queueStatusLabel[status].toLowerCase()}`}
          description={status === "pending_review" ? "Outputs land here when an agent hands one in for a task that needs a person's approval." : undefined}
        />
      </div>
    );
  else
    body = (
      <>
        <ul ref={listRef} className="divide-y" aria-label={queueStatusLabel[status]}>
          {list.items.map((o) => (
            <li key={o.id}>
              <Link
                href={`${hrefs.output(o.id)}${qs}`}
                data-nav-item
                data-testid={`queue-item-${o.id}`}
                aria-current={o.id === selected ? "page" : undefined}
                className={cn(
                  "relative grid gap-0.5 px-3 py-2 text-sm transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring",
                  o.id === selected && "bg-accent before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-status-review",
                )}
              >
                <span className="flex min-w-0 items-center gap-2">
                  <AgentSwatch color={agentColors[o.task.assignedAgent]} name={o.task.assignedAgent} />
                  <span className="min-w-0 flex-1 truncate font-medium">{o.task.title}</span>
                  <Mono className="shrink-0 text-xs text-muted-foreground">v{o.version}</Mono>
                  <RelativeTime date={o.createdAt} className="shrink-0 text-xs text-muted-foreground" />
                </span>
                <span className="flex min-w-0 items-center gap-2 pl-4.5 text-xs text-muted-foreground">
                  <span className="truncate">{o.task.assignedAgent}</span>
                  <PriorityDot priority={o.task.priority} />
                  <StatusBadge status={o.status} className="ml-auto" />
                </span>
              </Link>
            </li>
          ))}
        </ul>
        <ListLoadMore list={list} />
      </>
    );
  const total = list.total;
  return (
    <div className="min-h-0 flex-1 overflow-y-auto [scrollbar-width:thin]" data-testid="review-queue" data-status={status}>
      {total !== undefined && total > 0 && (
        <p className="border-b px-3 py-1.5 text-[11px] text-muted-foreground">
          {total} {queueStatusLabel[status].toLowerCase()}
          {status === "pending_review" && ", oldest first"}
        </p>
      )}
      {body}
    </div>
  );
}
