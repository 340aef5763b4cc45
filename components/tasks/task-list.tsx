"use client";
import * as React from "react";
import Link from "next/link";
import type { Page, TaskListItem } from "@/lib/services";
import type { TaskListFilters } from "@/lib/queries/keys";
import { useTaskList } from "@/lib/queries/tasks";
import { hrefs } from "@/lib/queries/links";
import { StatusIcon, statusLabel } from "@/components/ui/status";
import { PriorityDot } from "@/components/ui/priority-dot";
import { ProgressBar } from "@/components/ui/progress-bar";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { LoadMore } from "@/components/ui/load-more";
import { useListNavigation } from "@/components/ui/use-list-navigation";

/** A cursor-paged task list (GET /api/v1/tasks with the same filters), live through keys.tasks. */
export function TaskList({ filters, initialPage, empty }: { filters: TaskListFilters; initialPage: Page<TaskListItem>; empty?: React.ReactNode }) {
  const ref = React.useRef<HTMLUListElement>(null);
  useListNavigation(ref);
  const list = useTaskList({ agent: filters.agent, instructionId: filters.instructionId, status: filters.status, priority: filters.priority }, initialPage);
  if (list.error && !list.items.length) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.items.length) return <>{empty ?? <EmptyState compact title="No tasks" />}</>;
  return (
    <div>
      <ul ref={ref} className="divide-y">
        {list.items.map((t) => (
          <li key={t.id}>
            <Link
              href={hrefs.task(t.id)}
              data-nav-item
              className="grid grid-cols-[1rem_minmax(0,1fr)_8rem_4.5rem] items-center gap-3 px-4 py-2 hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
            >
              <StatusIcon status={t.status} label={statusLabel(t.status)} />
              <span className="min-w-0">
                <span className="flex items-center gap-1.5">
                  <PriorityDot priority={t.priority} />
                  <span className={`truncate text-sm ${t.status === "cancelled" ? "text-muted-foreground line-through" : ""}`}>{t.title}</span>
                </span>
                <span className="text-[11px] text-muted-foreground">
                  <Mono>{t.instructionId}</Mono> · <Mono>{t.ref}</Mono>
                </span>
              </span>
              {t.progress.total ? <ProgressBar done={t.progress.done} skipped={t.progress.skipped} total={t.progress.total} label /> : <span />}
              <RelativeTime date={t.updatedAt} className="text-right text-xs text-muted-foreground" />
            </Link>
          </li>
        ))}
      </ul>
      <LoadMore hasMore={list.hasMore} loading={list.isLoadingMore} onLoadMore={() => void list.loadMore()} error={list.loadMoreError} className="border-t" />
    </div>
  );
}
