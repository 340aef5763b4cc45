"use client";
import { ChevronRight } from "lucide-react";
import type { TaskDetail } from "@/lib/services";
import { StatusIcon, statusLabel, statusTone } from "@/components/ui/status";
import { formatDuration } from "@/components/ui/format";
import { RelativeTime } from "@/components/ui/relative-time";
import { cn } from "@/components/ui/cn";

type PastRound = TaskDetail["rounds"][number];

/** "9 done, 1 skipped": a round's steps counted by status, in the order work goes. */
export function roundSummary(steps: { status: string }[]): string {
  const order = ["done", "skipped", "in_progress", "blocked", "pending"];
  const counts = new Map<string, number>();
  for (const s of steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const keys = [...counts.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
  return keys.map((k) => `${counts.get(k)} ${statusLabel(k).toLowerCase()}`).join(", ");
}

/** An earlier round, folded: "Round 1 · 10 steps · 9 done, 1 skipped", each step with its note and times. */
export function PastRoundSteps({ round }: { round: PastRound }) {
  return (
    <details className="group border-t" data-testid={`step-round-${round.round}`} data-round={round.round}>
      <summary className="flex cursor-pointer list-none items-center gap-2 px-4 py-2 text-xs select-none hover:bg-accent/60 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring [&::-webkit-details-marker]:hidden">
        <ChevronRight aria-hidden className="size-3 text-muted-foreground transition-transform group-open:rotate-90" />
        <span className="font-semibold">Round {round.round}</span>
        <span className="text-muted-foreground">
          · {round.steps.length} {round.steps.length === 1 ? "step" : "steps"}
          {round.steps.length > 0 && ` · ${roundSummary(round.steps)}`}
        </span>
      </summary>
      <ol className="divide-y border-t border-dashed bg-muted/20" aria-label={`Steps of round ${round.round}`}>
        {round.steps.map((step) => {
          const tone = statusTone(step.status);
          const ms = step.startedAt && step.endedAt ? new Date(step.endedAt).getTime() - new Date(step.startedAt).getTime() : null;
          return (
            <li
              key={step.position}
              className="grid grid-cols-[1rem_1.5rem_minmax(0,1fr)_auto] items-start gap-x-2 px-4 py-1.5"
              data-testid={`step-round-${round.round}-${step.position}`}
              data-status={step.status}
            >
              <StatusIcon status={step.status} className="mt-0.5 animate-none" />
              <span className="mt-px text-right text-xs text-muted-foreground tabular-nums">{step.position}</span>
              <span className="min-w-0">
                <span className={cn("block text-sm", tone === "cancelled" && "text-muted-foreground line-through")}>
                  {step.title}
                  <span className="sr-only">, {statusLabel(step.status)}</span>
                </span>
                {step.note && <span className="mt-0.5 block text-xs whitespace-pre-wrap text-muted-foreground">“{step.note}”</span>}
                {(step.startedAt || step.endedAt) && (
                  <span className="mt-0.5 flex flex-wrap gap-x-3 text-[11px] text-muted-foreground">
                    {step.startedAt && <RelativeTime date={step.startedAt} prefix="started " />}
                    {step.endedAt && <RelativeTime date={step.endedAt} prefix="ended " />}
                  </span>
                )}
              </span>
              <span className="mt-px text-xs text-muted-foreground tabular-nums">{ms != null && ms >= 0 ? formatDuration(ms) : null}</span>
            </li>
          );
        })}
      </ol>
    </details>
  );
}
