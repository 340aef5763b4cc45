"use client";
import type * as React from "react";
import { openTaskStatuses } from "@/lib/domain/vocabulary";
import Link from "next/link";
import { Inbox } from "lucide-react";
import type { AgentListItem, Page, TaskListItem } from "@/lib/services";
import { useAgent } from "@/lib/queries/agents";
import { hrefs } from "@/lib/queries/links";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { ResponseApproach } from "./response-approach";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { StatusDot } from "@/components/ui/status";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { TaskList } from "@/components/tasks/task-list";
import { ConnectPanel } from "./connect-panel";
import { AgentDefinitionCard, AgentMemoryCard } from "./agent-definition";
import { PermissionsCard } from "./permissions-card";
import { AgentCostCard, AgentRunsCard } from "./agent-usage";
import { AssignWorkButton } from "@/components/tasks/assign-work-button";

/**
 * One agent: its load, activity, tasks, runs, step durations, cost, Response Approach, how to connect it, and
 * its definition. Seeded by the server render and live through React Query: keys.agent(name) (GET
 * /agents/{name}: load, unread count, definition) and the task list's keys.tasks, both invalidated by
 * the live hook. `activity` and `stepDurations` are charts the page drew on the server (they redraw
 * themselves, components/charts/chart-refresh.tsx).
 */
export function AgentView({
  initial,
  tasks,
  serverOrigin,
  canCreateToken = false,
  canAssign = false,
  activity,
  stepDurations,
}: {
  initial: AgentListItem;
  tasks: Page<TaskListItem>;
  serverOrigin: string;
  canCreateToken?: boolean;
  /** A reviewer or an admin: the header offers Assign work (one form, docs/api.md "Assign in one move"). */
  canAssign?: boolean;
  activity?: React.ReactNode;
  stepDurations?: React.ReactNode;
}) {
  const q = useAgent(initial.name, initial);
  const a = q.data ?? initial;
  return (
    <>
      <header className="flex flex-wrap items-start justify-between gap-3 pb-5">
        <div className="min-w-0 flex-1">
          <h1 className="flex items-center gap-2 text-lg font-semibold tracking-tight">
            <AgentSwatch color={a.color} name={a.name} className="size-3.5" />
            {a.name}
            {!a.active && <span className="rounded border px-1.5 text-xs font-normal text-muted-foreground">inactive</span>}
          </h1>
          {a.title && <p className="text-sm text-muted-foreground">{a.title}</p>}
          <p className="mt-1 max-w-3xl text-sm">{a.description}</p>
          <div className="mt-2 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-muted-foreground">
            <span>
              <span className="font-medium text-foreground tabular-nums">{a.load.open}</span> open tasks
            </span>
            {openTaskStatuses.map((s) =>
              a.load[s] ? (
                <span key={s} className="flex items-center gap-1">
                  <StatusDot status={s} /> {a.load[s]} {s.replace("_", " ")}
                </span>
              ) : null,
            )}
          </div>
        </div>
        <div className="flex items-center gap-2">
          <Button asChild variant="outline" size="sm">
            <Link href={hrefs.inbox(a.name)}>
              <Inbox /> Inbox{a.unread ? ` · ${a.unread} unread` : ""}
            </Link>
          </Button>
          {canAssign && a.active && <AssignWorkButton agent={a.name} />}
        </div>
      </header>
      {q.isRefetchError && <ErrorState compact className="mb-5" title="Could not refresh this agent" error={q.error} onRetry={() => void q.refetch()} />}

      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="grid min-w-0 content-start gap-5">
          {activity}

          <Card>
            <CardHeader>
              <CardTitle>Tasks</CardTitle>
              <span className="text-xs text-muted-foreground">most recently changed first</span>
            </CardHeader>
            <TaskList
              filters={{ agent: a.name }}
              initialPage={tasks}
              empty={<EmptyState className="m-3" compact title="No tasks assigned" description={canAssign && a.active ? "Assign work above, from an instruction, or with New task on the board." : "Assign one from an instruction, or with New task on the board."} />}
            />
          </Card>

          <AgentRunsCard agent={a.name} />

          {stepDurations}

          <ResponseApproach steps={a.steps} extra={a.extra} />
        </div>

        <aside className="grid min-w-0 content-start gap-5 [&>*]:min-w-0">
          <AgentCostCard agent={a.name} />
          <Card>
            <CardHeader>
              <CardTitle>Connect this agent</CardTitle>
            </CardHeader>
            <div className="px-4 py-3">
              <ConnectPanel agent={a.name} serverOrigin={serverOrigin} canCreateToken={canCreateToken} />
            </div>
          </Card>
          <AgentDefinitionCard agent={a} />
          <AgentMemoryCard memory={a.memory} />
          <PermissionsCard permissions={a.permissions} />
        </aside>
      </div>
    </>
  );
}
