"use client";
import type * as React from "react";
import { openTaskStatuses, taskStatuses } from "@/lib/domain/vocabulary";
import Link from "next/link";
import { AlertTriangle } from "lucide-react";
import type { Overview } from "@/lib/services";
import { useOverview } from "@/lib/queries/hooks";
import { PageBody, PageHeader, Section } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { StatusBadge, StatusDot, statusBgClass, statusLabel, statusTone } from "@/components/ui/status";
import { AgentName } from "@/components/ui/agent-swatch";
import { RelativeTime } from "@/components/ui/relative-time";
import { IdText } from "@/components/ui/mono";
import { PriorityDot } from "@/components/ui/priority-dot";
import { cn } from "@/components/ui/cn";
import { ColumnHeads } from "@/components/ui/column-heads";
import { EventLine } from "@/components/tasks/event-line";
import { NewInstructionButton } from "@/components/instructions/new-instruction-button";
import { hrefs } from "@/lib/queries/links";
import { StackedBar } from "@/components/charts/stacked-bar";
import { CostCard } from "./cost-card";

/** Sign-ins and token housekeeping are audit noise in the feed. */
const quiet = new Set(["session", "token", "user"]);

const boardStatuses = taskStatuses;

/**
 * The overview: counts, tasks by status, the charts the page drew on the server (`charts`: tasks
 * completed per day, review turnaround), open instructions, stale leases, open work per agent, cost
 * and recent activity.
 */
export function OverviewView({ initial, charts }: { initial: Overview; charts?: React.ReactNode }) {
  // Live: keys.overview is invalidated by every event (lib/queries/live.ts), so this refetches GET /overview.
  const o = useOverview(initial).data ?? initial;
  // Open work per agent, the busiest first; each bar is scaled to the busiest agent's.
  const workload = [...o.agents].sort((a, b) => b.load.open - a.load.open || a.name.localeCompare(b.name));
  const maxOpen = workload[0]?.load.open ?? 0;
  const totalTasks = boardStatuses.reduce((n, s) => n + (o.taskCounts[s] ?? 0), 0);
  const openTasks = (o.taskCounts.pending ?? 0) + (o.taskCounts.in_progress ?? 0) + (o.taskCounts.blocked ?? 0) + (o.taskCounts.in_review ?? 0);

  const stats = [
    { label: "Open instructions", value: o.openInstructions.count, href: hrefs.instructions(), tone: "text-foreground" },
    { label: "Tasks in progress", value: o.taskCounts.in_progress ?? 0, href: hrefs.tasks(), tone: "text-status-progress" },
    { label: "Blocked", value: o.taskCounts.blocked ?? 0, href: hrefs.tasks(), tone: "text-status-blocked" },
    { label: "Awaiting review", value: o.awaitingReview, href: hrefs.outputs(), tone: "text-status-review" },
    { label: "Unread in your inbox", value: o.unreadInPeopleInbox, href: hrefs.inbox(), tone: "text-status-progress" },
  ];

  return (
    <PageBody>
      <PageHeader
        title="Overview"
        meta={
          <span>
            {openTasks.toLocaleString()} open tasks across {o.agents.length} agents
          </span>
        }
        actions={<NewInstructionButton />}
      />

      <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5" data-testid="overview-stats">
        {stats.map((s) => (
          <Link key={s.label} href={s.href} className="group rounded-lg border bg-card px-3 py-2.5 transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring">
            <div className={cn("text-xl font-semibold tabular-nums", s.value ? s.tone : "text-muted-foreground")}>{s.value.toLocaleString()}</div>
            <div className="text-xs text-muted-foreground group-hover:text-foreground">{s.label}</div>
          </Link>
        ))}
      </div>

      <Section title="Tasks by status" className="mt-6" id="task-status">
        {totalTasks === 0 ? (
          <EmptyState
            compact
            title="No tasks yet"
            description="Create an instruction, then assign work to an agent from it."
            action={
              <Button asChild size="sm" variant="outline">
                <Link href={hrefs.newInstruction()}>New instruction</Link>
              </Button>
            }
          />
        ) : (
          <Card className="px-4 py-3">
            <div className="flex h-2 overflow-hidden rounded-full bg-muted" role="img" aria-label={boardStatuses.map((s) => `${o.taskCounts[s] ?? 0} ${statusLabel(s)}`).join(", ")}>
              {boardStatuses.map((s) =>
                o.taskCounts[s] ? <div key={s} className={cn("h-full", statusBgClass[statusTone(s)])} style={{ width: `${(o.taskCounts[s] / totalTasks) * 100}%` }} /> : null,
              )}
            </div>
            <ul className="mt-3 flex flex-wrap gap-x-5 gap-y-1.5 text-xs">
              {boardStatuses.map((s) => (
                <li key={s} className="flex items-center gap-1.5">
                  <StatusDot status={s} />
                  <span className={cn("text-muted-foreground", s === "cancelled" && "line-through")}>{statusLabel(s)}</span>
                  <span className="font-medium tabular-nums">{(o.taskCounts[s] ?? 0).toLocaleString()}</span>
                </li>
              ))}
            </ul>
          </Card>
        )}
      </Section>

      {charts}

      <div className="mt-6 grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)] [&>*]:min-w-0">
        <div className="grid content-start gap-6">
          <Section
            title={`Open instructions · ${o.openInstructions.count}`}
            id="open-instructions"
            actions={
              <Link href={hrefs.instructions()} className="text-xs text-muted-foreground hover:text-foreground hover:underline">
                All instructions
              </Link>
            }
          >
            {o.openInstructions.items.length === 0 ? (
              <EmptyState compact title="No open instructions" description="Write one to tell the agents what you need." />
            ) : (
              <Card>
                <ul className="divide-y">
                  {o.openInstructions.items.map((i) => (
                    <li key={i.id}>
                      <Link
                        href={hrefs.instruction(i.id)}
                        className="flex items-center gap-3 px-3 py-2 hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
                      >
                        <span className="flex w-2 justify-center">
                          <PriorityDot priority={i.priority} />
                        </span>
                        <span className="min-w-0 flex-1">
                          <span className="block truncate text-sm">{i.title}</span>
                          <IdText id={i.id} />
                        </span>
                        <StatusBadge status={i.phase} />
                        <RelativeTime date={i.createdAt} className="w-16 text-right text-xs text-muted-foreground" />
                      </Link>
                    </li>
                  ))}
                </ul>
              </Card>
            )}
          </Section>

          <Section title={`Stale leases · ${o.staleTasks.length}`} id="stale">
            {o.staleTasks.length === 0 ? (
              <p className="text-xs text-muted-foreground">Every running task has a live lease: agents are sending heartbeats.</p>
            ) : (
              <Card className="border-status-blocked/40">
                <ul className="divide-y">
                  {o.staleTasks.map((t) => (
                    <li key={t.id}>
                      <Link href={hrefs.task(t.id)} className="flex items-center gap-3 px-3 py-2 hover:bg-accent">
                        <AlertTriangle aria-hidden className="size-4 shrink-0 text-status-blocked" />
                        <span className="min-w-0 flex-1">
                          <span className="block truncate text-sm">{t.title}</span>
                          <span className="text-xs text-muted-foreground">
                            {t.assignedAgent} · no heartbeat {t.lease?.lastHeartbeatAt ? <RelativeTime date={t.lease.lastHeartbeatAt} prefix="since " /> : "yet"}
                          </span>
                        </span>
                        <span className="text-xs text-status-blocked">
                          lease ran out <RelativeTime date={t.lease?.expiresAt} />
                        </span>
                      </Link>
                    </li>
                  ))}
                </ul>
              </Card>
            )}
          </Section>

          <Section
            title="Open work per agent"
            id="workload"
            actions={
              <Link href={hrefs.agents()} className="text-xs text-muted-foreground hover:text-foreground hover:underline">
                All agents
              </Link>
            }
          >
            {o.agents.length === 0 ? (
              <EmptyState compact title="No agents" description="Add agent definitions to the agents/ folder; they are loaded at start." />
            ) : (
              <Card>
                <table className="w-full table-fixed text-sm" data-testid="workload">
                  <caption className="sr-only">Open tasks of each agent by status, the busiest first, and its unread messages</caption>
                  <ColumnHeads
                    className="py-1.5"
                    columns={[
                      { label: "Agent", className: "w-[38%] px-3" },
                      ...["pending", "in progress", "blocked", "in review", "unread"].map((label, i, all) => ({ label, className: cn(i === all.length - 1 ? "px-3" : "px-2", "text-right") })),
                    ]}
                  />
                  <tbody className="divide-y">
                    {workload.map((a) => (
                      <tr key={a.name} className="hover:bg-accent/50" data-agent={a.name}>
                        <td className="px-3 py-1.5">
                          <AgentName name={a.name} color={a.color} href />
                          {a.load.open > 0 && <StackedBar className="mt-1" label={a.name} max={maxOpen} parts={openTaskStatuses.map((s) => ({ status: s, count: a.load[s] }))} />}
                        </td>
                        {openTaskStatuses.map((s) => (
                          <td key={s} className={cn("px-2 py-1.5 text-right tabular-nums", a.load[s] ? "" : "text-muted-foreground/50")}>
                            {a.load[s]}
                          </td>
                        ))}
                        <td className="px-3 py-1.5 text-right tabular-nums">
                          {a.unread ? (
                            <Link href={hrefs.inbox(a.name)} className="hover:underline">
                              {a.unread}
                            </Link>
                          ) : (
                            <span className="text-muted-foreground/50">0</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
            )}
          </Section>
        </div>

        <div className="grid content-start gap-6">
          <CostCard colors={Object.fromEntries(o.agents.map((a) => [a.name, a.color]))} />

          <Section title="Recent activity" id="activity">
            {o.activity.length === 0 ? (
              <EmptyState compact title="Nothing has happened yet" description="Changes by people and agents appear here as they happen." />
            ) : (
              <Card className="px-3 py-1">
                <ul className="divide-y" data-testid="activity-feed">
                  {o.activity
                    .filter((e) => !quiet.has(e.entityKind))
                    .map((e) => (
                      <EventLine key={e.id} event={e} showTask />
                    ))}
                </ul>
              </Card>
            )}
          </Section>
        </div>
      </div>
    </PageBody>
  );
}
