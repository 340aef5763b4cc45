"use client";
import * as React from "react";
import Link from "next/link";
import { Check, Circle, FilePen, FilePlus2 } from "lucide-react";
import type { AgentSummary, EventDto, TaskDetail } from "@/lib/services";
import { useTask, useTaskEvents } from "@/lib/queries/tasks";
import { hrefs } from "@/lib/queries/links";
import { StatusBadge } from "@/components/ui/status";
import { AgentName } from "@/components/ui/agent-swatch";
import { ProgressBar } from "@/components/ui/progress-bar";
import { PriorityLabel } from "@/components/ui/priority-dot";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono, IdText } from "@/components/ui/mono";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { ErrorState } from "@/components/ui/error-state";
import { MessageLink } from "@/components/inbox/message-link";
import { useNow } from "@/components/ui/use-now";
import { cn } from "@/components/ui/cn";
import { LiveMarkdown, type RenderedMarkdown } from "@/components/markdown/live-markdown";
import { EventLine } from "./event-line";
import { StepTracker } from "./step-tracker";
import { RunPanel } from "@/components/runs/run-panel";
import { TaskActions } from "./task-actions";
import { DepList, Empty, LeaseInfo, SideSection, TaskTreeSection } from "./task-side";
import { TaskCost } from "./task-cost";

export function TaskView({
  initialTask,
  initialEvents,
  agents,
  description,
  timeline,
}: {
  initialTask: TaskDetail;
  initialEvents: EventDto[];
  agents: AgentSummary[];
  /** The description as rendered by the page on the server. */
  description?: RenderedMarkdown;
  /** The step timeline as drawn by the page on the server (components/charts/task-timeline.tsx; it redraws itself). */
  timeline?: React.ReactNode;
}) {
  const q = useTask(initialTask.id, initialTask);
  const ev = useTaskEvents(initialTask.id, initialEvents);
  const task = q.data ?? initialTask;
  const events = ev.data;
  const agent = agents.find((a) => a.name === task.assignedAgent);
  const p = task.progress;
  const done = task.status === "completed";
  const now = useNow(60_000);
  const overdue = !!task.deadline && now != null && new Date(task.deadline).getTime() < now && !done && task.status !== "cancelled";

  return (
    <div className="grid gap-5">
      <header className="grid gap-2">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <h1 className="min-w-0 flex-1 text-lg font-semibold tracking-tight text-balance" data-testid="task-title">
            {task.title}
          </h1>
          <div className="flex shrink-0 items-center gap-2">
            <TaskActions task={task} agents={agents} />
          </div>
        </div>
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
          <AgentName name={task.assignedAgent} color={agent?.color} href />
          <span data-testid="task-status">
            <StatusBadge status={task.status} />
          </span>
          {p.total > 0 && <ProgressBar done={p.done} skipped={p.skipped} total={p.total} label className="w-40" tone={task.status === "blocked" ? "blocked" : done ? "done" : "progress"} />}
        </div>
        <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
          <Link href={hrefs.instruction(task.instructionId)} className="hover:text-foreground hover:underline">
            <Mono>{task.instructionId}</Mono>
          </Link>
          <span aria-hidden>·</span>
          <Mono>{task.ref}</Mono>
          <span aria-hidden>·</span>
          <PriorityLabel priority={task.priority} />
          <span aria-hidden>·</span>
          <span>{task.authority === "review_required" ? "review required" : "autonomous"}</span>
          <span aria-hidden>·</span>
          <span>{task.type}</span>
          <LeaseInfo lease={task.lease} status={task.status} />
          {task.deadline && (
            <>
              <span aria-hidden>·</span>
              <RelativeTime date={task.deadline} prefix="due " className={cn(overdue && "text-status-failed")} />
            </>
          )}
        </div>
        {task.status === "blocked" && task.blockedReason && (
          <p className="rounded-md border border-status-blocked/40 bg-status-blocked/10 px-3 py-2 text-sm text-status-blocked" data-testid="blocked-reason">
            <span className="font-medium">Blocked{task.blockerType && task.blockerType !== "other" ? ` (${task.blockerType.replace(/_/g, " ")})` : ""}:</span> {task.blockedReason}
          </p>
        )}
        {q.error && <p className="text-xs text-status-blocked">Live refresh failed; showing the last data we had. It will retry on the next change.</p>}
      </header>

      <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_18rem] xl:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="grid min-w-0 content-start gap-5">
          <Card>
            <CardHeader>
              <CardTitle>Steps</CardTitle>
              <span className="text-xs text-muted-foreground tabular-nums">
                {p.done + p.skipped}/{p.total}
              </span>
              <span className="ml-auto text-[11px] text-muted-foreground">click a step for its history</span>
            </CardHeader>
            <StepTracker task={task} events={events} />
          </Card>

          {timeline && (
            <Card data-testid="step-timeline">
              <CardHeader>
                <CardTitle>Step timeline</CardTitle>
                <span className="text-xs text-muted-foreground">steps, waits, rounds and runs on one time axis (UTC)</span>
              </CardHeader>
              {timeline}
            </Card>
          )}

          <RunPanel taskId={task.id} />

          {task.description.trim() && (
            <Card>
              <CardHeader>
                <CardTitle>Description</CardTitle>
              </CardHeader>
              <div className="px-4 py-3">
                <LiveMarkdown text={task.description} rendered={description} />
              </div>
            </Card>
          )}

          <Card>
            <CardHeader>
              <CardTitle>Timeline</CardTitle>
              <span className="text-xs text-muted-foreground">steps, messages, outputs and reviews, newest first</span>
            </CardHeader>
            {ev.error && !events ? (
              <ErrorState compact error={ev.error} onRetry={() => void ev.refetch()} className="m-3" />
            ) : !events || events.length === 0 ? (
              <p className="px-4 py-4 text-sm text-muted-foreground">Nothing recorded yet.</p>
            ) : (
              <ol className="divide-y px-4 py-1" data-testid="task-timeline">
                {events.map((e) => (
                  <EventLine key={e.id} event={e} />
                ))}
              </ol>
            )}
          </Card>
        </div>

        <aside className="grid min-w-0 content-start gap-4 [&>*]:min-w-0 [&_li]:min-w-0" aria-label="Task details">
          <SideSection title={`Acceptance criteria · ${task.acceptanceCriteria.length}`}>
            {task.acceptanceCriteria.length === 0 ? (
              <Empty>None given.</Empty>
            ) : (
              <ul className="grid gap-1.5" aria-label="Acceptance criteria">
                {task.acceptanceCriteria.map((c, i) => (
                  <li key={i} className="flex gap-2 text-sm">
                    {done ? <Check aria-label="met" className="mt-0.5 size-3.5 shrink-0 text-status-done" /> : <Circle aria-label="open" className="mt-0.5 size-3.5 shrink-0 text-muted-foreground" />}
                    <span>{c}</span>
                  </li>
                ))}
              </ul>
            )}
          </SideSection>

          <SideSection title="Files">
            {task.filesToModify.length + task.filesToCreate.length === 0 ? (
              <Empty>No files listed.</Empty>
            ) : (
              <ul className="grid gap-1">
                {task.filesToModify.map((f) => (
                  <li key={`m-${f}`} className="flex items-center gap-1.5 text-xs">
                    <FilePen aria-label="modify" className="size-3.5 shrink-0 text-status-blocked" />
                    <Mono className="truncate">{f}</Mono>
                  </li>
                ))}
                {task.filesToCreate.map((f) => (
                  <li key={`c-${f}`} className="flex items-center gap-1.5 text-xs">
                    <FilePlus2 aria-label="create" className="size-3.5 shrink-0 text-status-done" />
                    <Mono className="truncate">{f}</Mono>
                  </li>
                ))}
              </ul>
            )}
          </SideSection>

          <TaskTreeSection task={task} />

          <SideSection title="Dependencies">
            {task.dependsOn.length === 0 && task.dependents.length === 0 ? (
              <Empty>None.</Empty>
            ) : (
              <div className="grid gap-2">
                {task.dependsOn.length > 0 && <DepList label="Waits for" items={task.dependsOn} />}
                {task.dependents.length > 0 && <DepList label="Needed by" items={task.dependents} />}
              </div>
            )}
          </SideSection>

          {task.instruction && (
            <SideSection title="Instruction">
              <Link href={hrefs.instruction(task.instruction.id)} className="group grid gap-0.5 rounded-md hover:bg-accent/60">
                <span className="text-sm group-hover:underline">{task.instruction.title}</span>
                <span className="flex items-center gap-2">
                  <IdText id={task.instruction.id} />
                  <StatusBadge status={task.instruction.phase} />
                </span>
              </Link>
            </SideSection>
          )}

          <SideSection title={`Outputs · ${task.outputs.length}`}>
            {task.outputs.length === 0 ? (
              <Empty>Nothing handed in yet.</Empty>
            ) : (
              <ul className="grid gap-1">
                {task.outputs.map((o) => (
                  <li key={o.id}>
                    <Link href={hrefs.output(o.id)} className="flex items-center gap-2 rounded px-1 py-0.5 text-sm hover:bg-accent">
                      <span className="font-medium tabular-nums">v{o.version}</span>
                      <StatusBadge status={o.status} />
                      <span className="text-xs text-muted-foreground">{o.format}</span>
                      <RelativeTime date={o.createdAt} className="ml-auto text-xs text-muted-foreground" />
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </SideSection>

          <SideSection title="Cost">
            <TaskCost task={task} />
          </SideSection>

          <SideSection title={`Messages · ${task.messages.length}`}>
            {task.messages.length === 0 ? (
              <Empty>No messages about this task.</Empty>
            ) : (
              <ul className="grid gap-1">
                {task.messages.slice(-12).map((m) => (
                  <li key={m.id}>
                    <MessageLink message={m} className="rounded px-1 py-1" extra={m.stepPosition != null && <span className="shrink-0">· step {m.stepPosition}</span>} />
                  </li>
                ))}
              </ul>
            )}
          </SideSection>

          <p className="text-[11px] text-muted-foreground">
            <IdText id={task.id} /> · created <RelativeTime date={task.createdAt} /> by {task.createdBy}
          </p>
        </aside>
      </div>
    </div>
  );
}
