"use client";
import * as React from "react";
import type { Page, TaskListItem } from "@/lib/services";
import type { TaskListFilters } from "@/lib/queries/keys";
import { useTaskList } from "@/lib/queries/tasks";
import { hrefs } from "@/lib/queries/links";
import { StatusIcon, statusLabel } from "@/components/ui/status";
import { NavRow } from "@/components/ui/nav-row";
import { TaskTitle } from "@/components/tasks/task-title";
import { ProgressBar } from "@/components/ui/progress-bar";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { ListLoadMore } from "@/components/ui/load-more";
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
          <NavRow key={t.id} href={hrefs.task(t.id)} className="grid-cols-[1rem_minmax(0,1fr)_8rem_4.5rem] px-4">
            <StatusIcon status={t.status} label={statusLabel(t.status)} />
            <span className="min-w-0">
              <TaskTitle title={t.title} priority={t.priority} status={t.status} />
              <span className="text-[11px] text-muted-foreground">
                <Mono>{t.instructionId}</Mono> · <Mono>{t.ref}</Mono>
              </span>
            </span>
            {t.progress.total ? <ProgressBar done={t.progress.done} skipped={t.progress.skipped} total={t.progress.total} label /> : <span />}
            <RelativeTime date={t.updatedAt} className="text-right text-xs text-muted-foreground" />
          </NavRow>
        ))}
      </ul>
      <ListLoadMore list={list} />
    </div>
  );
}
