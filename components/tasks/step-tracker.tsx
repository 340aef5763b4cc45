"use client";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import * as React from "react";
import Link from "next/link";
import { ChevronRight, CornerDownRight, FileOutput, MessagesSquare } from "lucide-react";
import type { EventDto, TaskDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { StatusIcon, statusLabel, statusTextClass, statusTone } from "@/components/ui/status";
import { formatDuration, formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { useNow } from "@/components/ui/use-now";
import { RelativeTime } from "@/components/ui/relative-time";
import { cn } from "@/components/ui/cn";
import { describeEvent } from "./event-line";
import { PastRoundSteps, roundSummary } from "./past-round-steps";

type Step = TaskDetail["steps"][number];
type Message = TaskDetail["messages"][number];
type Output = TaskDetail["outputs"][number];
type StepUsage = TaskDetail["usage"]["byStep"][number];

/** A step's cost in the current round: a small chip, tokens on hover. */
function StepCost({ usage, position }: { usage: StepUsage | undefined; position: number }) {
  if (!usage || (usage.costUsd === 0 && totalTokens(usage) === 0)) return null;
  return (
    <span
      className="rounded border px-1 text-[10.5px] leading-4 text-muted-foreground tabular-nums"
      title={`${usageSummary(usage)}${usage.costUsd ? ` · ${formatUsd(usage.costUsd)}` : ""}`}
      data-testid={`step-${position}-cost`}
    >
      {usage.costUsd ? formatUsd(usage.costUsd) : `${formatTokenCount(totalTokens(usage))} tok`}
    </span>
  );
}

/** Duration of a step: fixed once ended, ticking while it runs. */
function StepDuration({ step }: { step: Step }) {
  const running = step.status === "in_progress" && !!step.startedAt && !step.endedAt;
  const now = useNow(running ? 1000 : 60_000);
  if (step.durationMs != null) return <span>{formatDuration(step.durationMs)}</span>;
  if (step.startedAt && !step.endedAt && now != null) {
    const ms = now - new Date(step.startedAt).getTime();
    return (
      <span className={cn(running && "text-status-progress")} aria-label={`running for ${formatDuration(ms)}`}>
        {formatDuration(ms)}
        {running && "…"}
      </span>
    );
  }
  return null;
}

/** "thread with frontend-developer (2 messages)" for each thread the step's messages belong to. */
function threadLinks(step: Step, messages: Message[], agent: string) {
  const mine = step.messageIds.map((id) => messages.find((m) => m.id === id)).filter((m): m is Message => !!m);
  const byThread = new Map<string, Message[]>();
  for (const m of mine) byThread.set(m.threadId, [...(byThread.get(m.threadId) ?? []), m]);
  return [...byThread.entries()].map(([threadId, ms]) => {
    const first = ms[0];
    const other = first.from.name === agent ? first.to : first.from.name;
    const allInThread = messages.filter((m) => m.threadId === threadId).length;
    const kind = first.type.replace(/_/g, " ");
    return {
      threadId,
      href: hrefs.thread(first.to, threadId),
      label: `${kind} thread with ${other === PEOPLE_INBOX ? "people" : other}`,
      count: Math.max(allInThread, ms.length),
    };
  });
}

/**
 * The task's steps. In a later review round, the current round first (header "Round N") with its
 * steps live as ever, then each earlier round folded, as its steps stood when changes were requested.
 */
export function StepTracker({ task, events }: { task: TaskDetail; events: EventDto[] | undefined }) {
  const usage = React.useMemo(() => {
    const m = new Map<number, StepUsage>();
    for (const u of task.usage.byStep) if (u.position > 0 && (u.round ?? task.round) === task.round) m.set(u.position, u);
    return m;
  }, [task.usage.byStep, task.round]);
  if (task.rounds.length === 0) return <CurrentSteps task={task} events={events} usage={usage} />;
  const earlier = [...task.rounds].sort((a, b) => b.round - a.round);
  return (
    <div className="grid">
      <section data-testid="step-round-current" data-round={task.round} aria-labelledby={`round-${task.round}-title`}>
        <h3 id={`round-${task.round}-title`} className="flex items-center gap-2 border-b bg-muted/30 px-4 py-1.5 text-xs font-semibold">
          Round {task.round}
          <span className="font-normal text-muted-foreground">current · {roundSummary(task.steps)}</span>
        </h3>
        <CurrentSteps task={task} events={events} usage={usage} />
      </section>
      {earlier.map((r) => (
        <PastRoundSteps key={r.round} round={r} />
      ))}
    </div>
  );
}

function CurrentSteps({ task, events, usage }: { task: TaskDetail; events: EventDto[] | undefined; usage: Map<number, StepUsage> }) {
  const [open, setOpen] = React.useState<Set<number>>(new Set());
  const listRef = React.useRef<HTMLOListElement>(null);
  // Rows flash when they change after the first render (a live update): derived state from the
  // previous render's signature, the way React recommends instead of refs or effects.
  const sig = task.steps.map((s) => `${s.position}:${s.status}:${s.version}`).join("|");
  const [prevSig, setPrevSig] = React.useState(sig);
  const [flash, setFlash] = React.useState<ReadonlySet<number>>(() => new Set());
  if (sig !== prevSig) {
    const before = new Map(prevSig.split("|").map((x) => [x.split(":")[0], x] as const));
    setFlash(new Set(task.steps.filter((s) => before.get(String(s.position)) !== `${s.position}:${s.status}:${s.version}`).map((s) => s.position)));
    setPrevSig(sig);
  }

  const current = task.progress.current;
  const toggle = (pos: number) =>
    setOpen((prev) => {
      const n = new Set(prev);
      if (n.has(pos)) n.delete(pos);
      else n.add(pos);
      return n;
    });

  if (task.steps.length === 0) {
    return (
      <p className="px-4 py-6 text-sm text-muted-foreground" data-testid="steps-note">
        {task.stepsNote ? `${task.stepsNote} Until then only the task's status is tracked.` : "This agent's definition has no Response Approach steps, so only the task's status is tracked."}
      </p>
    );
  }

  return (
    <ol ref={listRef} className="divide-y" aria-label="Steps" data-testid="step-list">
      {task.steps.map((step) => {
        const isCurrent = step.position === current;
        const expanded = open.has(step.position);
        const tone = statusTone(step.status);
        const threads = threadLinks(step, task.messages, task.assignedAgent);
        const outs = step.outputIds.map((id) => task.outputs.find((o) => o.id === id)).filter((o): o is Output => !!o);
        const blockedReason = step.status === "blocked" ? (step.note ?? task.blockedReason) : null;
        const history = (events ?? []).filter((e) => e.entityId === `${task.id}#${step.position}`);
        const panelId = `step-${step.position}-history`;
        // The newest tool activity (the agent's hook reports it) on a step under way.
        const activity = step.status === "in_progress" ? history.filter((e) => e.verb === "step.activity").reduce<EventDto | undefined>((a, e) => (!a || e.id > a.id ? e : a), undefined) : undefined;
        const act = activity ? (activity.after as { tool?: string; summary?: string | null }) : null;
        return (
          <li
            key={`${step.position}`}
            id={`step-${step.position}`}
            data-testid={`step-${step.position}`}
            data-status={step.status}
            aria-current={isCurrent ? "step" : undefined}
            className={cn("relative scroll-mt-16 transition-colors duration-500 target:outline-2 target:-outline-offset-2 target:outline-ring/60", isCurrent && "bg-highlight")}
          >
            {flash.has(step.position) && <span key={`flash-${step.version}-${step.status}`} aria-hidden className="pointer-events-none absolute inset-0 animate-row-flash" />}
            {isCurrent && <span aria-hidden className={cn("absolute inset-y-0 left-0 w-0.5", tone === "blocked" ? "bg-status-blocked" : "bg-status-progress")} />}
            <button
              type="button"
              onClick={() => toggle(step.position)}
              aria-expanded={expanded}
              aria-controls={panelId}
              className="grid w-full grid-cols-[1rem_1.5rem_minmax(0,1fr)_auto_0.75rem] items-start gap-x-2 px-4 py-2 text-left hover:bg-accent/60 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
            >
              <StatusIcon status={step.status} className="mt-0.5" />
              <span className="mt-px text-right text-xs text-muted-foreground tabular-nums">{step.position}</span>
              <span className="min-w-0">
                <span className={cn("block text-sm", tone === "cancelled" && "text-muted-foreground line-through", isCurrent && "font-medium")}>
                  {step.title}
                  <span className="sr-only">, {statusLabel(step.status)}</span>
                </span>
                {step.note && step.status !== "blocked" && (
                  <span className="mt-0.5 line-clamp-2 block text-xs text-muted-foreground" data-testid={`step-${step.position}-note`}>
                    “{step.note}”
                  </span>
                )}
                {activity && act && (
                  <span className="mt-0.5 block truncate font-mono text-[11px] text-muted-foreground" data-testid={`step-${step.position}-activity`}>
                    {act.tool}
                    {act.summary ? ` ${act.summary}` : ""} · <RelativeTime date={activity.at} />
                  </span>
                )}
              </span>
              <span className="mt-px flex items-center gap-2 text-xs text-muted-foreground tabular-nums">
                <StepCost usage={usage.get(step.position)} position={step.position} />
                <StepDuration step={step} />
              </span>
              <ChevronRight aria-hidden className={cn("mt-1 size-3 text-muted-foreground transition-transform", expanded && "rotate-90")} />
            </button>
            {(blockedReason || threads.length > 0 || outs.length > 0) && (
              <div className="grid gap-1 pr-4 pb-2 pl-[3.75rem] text-xs">
                {blockedReason && (
                  <p className="rounded border border-status-blocked/30 bg-status-blocked/10 px-2 py-1 text-status-blocked" data-testid={`step-${step.position}-blocked`}>
                    Blocked: {blockedReason}
                  </p>
                )}
                {threads.map((t) => (
                  <Link key={t.threadId} href={t.href} className="flex min-h-6 w-fit items-center gap-1 text-muted-foreground hover:text-foreground hover:underline">
                    <CornerDownRight aria-hidden className="size-3" />
                    <MessagesSquare aria-hidden className="size-3" />
                    {t.label} ({t.count} {t.count === 1 ? "message" : "messages"})
                  </Link>
                ))}
                {outs.length > 0 && (
                  <span className="flex flex-wrap items-center gap-1 text-muted-foreground">
                    <CornerDownRight aria-hidden className="size-3" />
                    <FileOutput aria-hidden className="size-3" />
                    output
                    {outs.map((o, i) => (
                      <React.Fragment key={o.id}>
                        {i > 0 && ","}
                        <Link href={hrefs.output(o.id)} className={cn("font-medium hover:underline", statusTextClass[statusTone(o.status)])}>
                          v{o.version}
                        </Link>
                      </React.Fragment>
                    ))}
                  </span>
                )}
              </div>
            )}
            <div id={panelId} hidden={!expanded} className="border-t border-dashed bg-muted/30 py-2 pr-4 pl-[3.75rem]">
              {expanded && (
                <>
                  {step.guidance && <p className="mb-2 text-xs text-muted-foreground">Guidance: {step.guidance}</p>}
                  <div className="mb-1 flex flex-wrap gap-x-4 text-[11px] text-muted-foreground">
                    {step.startedAt && <RelativeTime date={step.startedAt} prefix="started " />}
                    {step.endedAt && <RelativeTime date={step.endedAt} prefix="ended " />}
                  </div>
                  {events === undefined ? (
                    <p className="text-xs text-muted-foreground">Loading history…</p>
                  ) : history.length === 0 ? (
                    <p className="text-xs text-muted-foreground">No changes recorded for this step yet.</p>
                  ) : (
                    <ol className="grid gap-1.5" aria-label={`History of step ${step.position}`}>
                      {history.map((e) => {
                        const d = describeEvent(e);
                        return (
                          <li key={e.id} className="grid grid-cols-[0.875rem_minmax(0,1fr)_auto] gap-2 text-xs">
                            <StatusIcon status={d.status} className="mt-px size-3.5 animate-none" />
                            <span>
                              <span className="font-medium">{e.actor.id}</span> {d.text}
                              {d.note && <span className="mt-0.5 block whitespace-pre-wrap text-muted-foreground">{d.note}</span>}
                            </span>
                            <RelativeTime date={e.at} className="text-muted-foreground" />
                          </li>
                        );
                      })}
                    </ol>
                  )}
                </>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
