"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Plus } from "lucide-react";
import type { AgentSummary, EventDto, InstructionDetail } from "@/lib/services";
import { useInstruction, useInstructionEvents } from "@/lib/queries/instructions";
import { hrefs } from "@/lib/queries/links";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { StatusBadge, StatusIcon } from "@/components/ui/status";
import { AgentName } from "@/components/ui/agent-swatch";
import { ProgressBar } from "@/components/ui/progress-bar";
import { PriorityLabel } from "@/components/ui/priority-dot";
import { NavRow } from "@/components/ui/nav-row";
import { TaskTitle } from "@/components/tasks/task-title";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { MessageLink } from "@/components/inbox/message-link";
import { EmptyState } from "@/components/ui/empty-state";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { LiveMarkdown, type RenderedMarkdown } from "@/components/markdown/live-markdown";
import { EventLine } from "@/components/tasks/event-line";
import { NewTaskSheet, type InstructionOption } from "@/components/tasks/new-task-sheet";
import { tierName } from "./tier";
import { nestTasks } from "./nest-tasks";
import { SessionNotes } from "./session-notes";

export function InstructionView({
  instruction: initial,
  events: initialEvents,
  agents,
  instructions,
  body,
}: {
  instruction: InstructionDetail;
  events: EventDto[];
  agents: AgentSummary[];
  instructions: InstructionOption[];
  /** The body as rendered by the page on the server. */
  body?: RenderedMarkdown;
}) {
  const router = useRouter();
  const params = useSearchParams();
  const listRef = React.useRef<HTMLOListElement>(null);
  useListNavigation(listRef);
  // Live through React Query: the live hook invalidates keys.instruction(id) and keys.allEvents on every event of this instruction.
  const i = useInstruction(initial.id, initial).data ?? initial;
  const events = useInstructionEvents(initial.id, initialEvents).data ?? initialEvents;
  const [sheet, setSheet] = React.useState(params.get("assign") === "1");
  const colorOf = new Map(agents.map((a) => [a.name, a.color]));
  const refOf = new Map(i.tasks.map((t) => [t.id, t.ref]));
  const closed = i.phase === "completed" || i.phase === "failed";
  const options = instructions.some((x) => x.id === i.id) ? instructions : [{ id: i.id, title: i.title, phase: i.phase }, ...instructions];
  const completed = i.tasks.filter((t) => t.status === "completed").length;
  const nested = nestTasks(i.tasks);
  const hierarchical = nested.some((n) => n.depth > 0);

  return (
    <div className="grid gap-5">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0 flex-1">
          <h1 className="text-lg font-semibold tracking-tight text-balance">{i.title}</h1>
          <div className="mt-1.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">
            <Mono>{i.id}</Mono>
            <StatusBadge status={i.phase} />
            <span aria-hidden>·</span>
            <span>
              tier {i.tier} · {tierName(i.tier)}
            </span>
            <span aria-hidden>·</span>
            <PriorityLabel priority={i.priority} />
            <span aria-hidden>·</span>
            <span>
              by {i.createdBy} <RelativeTime date={i.createdAt} />
            </span>
          </div>
        </div>
        <Button variant="primary" size="sm" onClick={() => setSheet(true)} disabled={closed} title={closed ? `The instruction is ${i.phase}` : undefined} data-testid="assign-task-button">
          <Plus /> Assign task
        </Button>
      </header>

      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="grid min-w-0 content-start gap-5">
          <Card>
            <CardHeader>
              <CardTitle>Tasks</CardTitle>
              <span className="text-xs text-muted-foreground tabular-nums">
                {completed}/{i.tasks.length} completed · {hierarchical ? "sub-tasks under their parent, " : ""}in dependency order
              </span>
            </CardHeader>
            {i.tasks.length === 0 ? (
              <EmptyState
                className="m-3"
                compact
                title="No tasks yet"
                description="Split the instruction into tasks and assign each to an agent."
                action={
                  !closed && (
                    <Button size="sm" variant="outline" onClick={() => setSheet(true)}>
                      <Plus /> Assign task
                    </Button>
                  )
                }
              />
            ) : (
              <ol ref={listRef} className="divide-y" data-testid="instruction-tasks">
                {nested.map(({ task: t, depth, children }) => (
                  <NavRow key={t.id} href={hrefs.task(t.id)} className={cn("px-4", hierarchical ? "grid-cols-[1rem_4rem_minmax(0,1fr)_9rem_8rem]" : "grid-cols-[1rem_2.5rem_minmax(0,1fr)_9rem_8rem]")}>
                    <StatusIcon status={t.status} label={t.status.replace("_", " ")} />
                    <Mono className="truncate text-xs text-muted-foreground" style={depth ? { paddingLeft: `${Math.min(depth, 3) * 0.75}rem` } : undefined}>
                      {depth > 0 && <span aria-hidden>└ </span>}
                      {t.ref}
                    </Mono>
                    <span className="min-w-0">
                      <TaskTitle title={t.title} priority={t.priority} status={t.status} />
                      {children > 0 && <span className="block text-[11px] text-muted-foreground">{children === 1 ? "1 sub-task" : `${children} sub-tasks`}</span>}
                      {t.dependsOn.length > 0 && <span className="text-[11px] text-muted-foreground">after {t.dependsOn.map((d) => refOf.get(d) ?? d).join(", ")}</span>}
                    </span>
                    <AgentName name={t.assignedAgent} color={colorOf.get(t.assignedAgent)} className="text-xs" />
                    {t.progress.total > 0 ? (
                      <ProgressBar
                        done={t.progress.done}
                        skipped={t.progress.skipped}
                        total={t.progress.total}
                        label
                        tone={t.status === "blocked" ? "blocked" : t.status === "in_progress" ? "progress" : "done"}
                      />
                    ) : (
                      <span className="text-xs text-muted-foreground">—</span>
                    )}
                  </NavRow>
                ))}
              </ol>
            )}
            {i.moreTasks && (
              <p className="border-t px-4 py-2 text-xs text-muted-foreground">
                Showing the first {i.tasks.length}.{" "}
                <Link className="underline" href={hrefs.tasks({ instruction: i.id })}>
                  See all on the board
                </Link>
              </p>
            )}
          </Card>

          {i.notes.length > 0 && <SessionNotes notes={i.notes} />}

          {i.body.trim() && (
            <Card>
              <CardHeader>
                <CardTitle>Instruction</CardTitle>
              </CardHeader>
              <div className="px-4 py-3">
                <LiveMarkdown text={i.body} rendered={body} />
              </div>
            </Card>
          )}

          <Card>
            <CardHeader>
              <CardTitle>Timeline</CardTitle>
            </CardHeader>
            {events.length === 0 ? (
              <p className="px-4 py-4 text-sm text-muted-foreground">Nothing recorded yet.</p>
            ) : (
              <ol className="divide-y px-4 py-1">
                {events.map((e) => (
                  <EventLine key={e.id} event={e} showTask />
                ))}
              </ol>
            )}
          </Card>
        </div>

        <aside className="grid min-w-0 content-start gap-5 [&>*]:min-w-0 [&_li]:min-w-0" aria-label="Outputs and messages">
          <AsideList title="Outputs" count={i.outputs.length} empty="No outputs handed in yet.">
            {i.outputs.map((o) => (
              <li key={o.id}>
                <Link href={hrefs.output(o.id)} className="grid gap-0.5 px-4 py-2 hover:bg-accent">
                  <span className="truncate text-sm">
                    {o.taskTitle} <span className="text-muted-foreground tabular-nums">v{o.version}</span>
                  </span>
                  <span className="flex items-center gap-2">
                    <StatusBadge status={o.status} />
                    <RelativeTime date={o.createdAt} className="text-xs text-muted-foreground" />
                  </span>
                </Link>
              </li>
            ))}
          </AsideList>
          <AsideList title="Messages" count={i.messages.length} empty="No messages about this instruction.">
            {i.messages
              .slice()
              .reverse()
              .slice(0, 30)
              .map((m) => (
                <li key={m.id}>
                  <MessageLink message={m} className="px-4 py-2" extra={<RelativeTime date={m.createdAt} className="ml-auto" />} />
                </li>
              ))}
          </AsideList>
        </aside>
      </div>

      <NewTaskSheet
        open={sheet}
        onOpenChange={(o) => {
          setSheet(o);
          if (!o && params.get("assign")) router.replace(hrefs.instruction(i.id), { scroll: false });
        }}
        agents={agents}
        instructions={options}
        defaultInstructionId={i.id}
      />
    </div>
  );
}

/** A counted list card in the aside (outputs, messages): the count in its header, a line when it is empty. */
function AsideList({ title, count, empty, children }: { title: string; count: number; empty: string; children: React.ReactNode }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <span className="text-xs text-muted-foreground">{count}</span>
      </CardHeader>
      {count === 0 ? <p className="px-4 py-3 text-xs text-muted-foreground">{empty}</p> : <ul className="divide-y">{children}</ul>}
    </Card>
  );
}
