"use client";
import * as React from "react";
import type { TaskDetail } from "@/lib/services";
import { formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { Empty } from "./task-side";

type StepUsage = TaskDetail["usage"]["byStep"][number];

/**
 * The task's tokens and cost (what its Claude Code runs reported), with the share of each step: by
 * round when the task has had more than one. Position 0 is the time no step was in progress.
 */
export function TaskCost({ task }: { task: TaskDetail }) {
  const u = task.usage;
  const titles = React.useMemo(() => {
    const m = new Map<string, string>();
    for (const r of task.rounds) for (const s of r.steps) m.set(`${r.round}:${s.position}`, s.title);
    for (const s of task.steps) m.set(`${task.round}:${s.position}`, s.title);
    return m;
  }, [task.rounds, task.steps, task.round]);
  if (u.costUsd === 0 && totalTokens(u) === 0) return <Empty>No runs have reported cost yet.</Empty>;
  const rows = u.byStep.filter((s) => s.costUsd > 0 || totalTokens(s) > 0);
  const rounds = new Set(rows.map((s) => s.round ?? task.round));
  const byRound = rounds.size > 1 || task.round > 1;
  // The current round first, then the earlier ones; within a round, steps in order.
  const sorted = [...rows].sort((a, b) => (b.round ?? task.round) - (a.round ?? task.round) || a.position - b.position);
  const label = (s: StepUsage) => (s.position === 0 ? "outside any step" : `${s.position} · ${titles.get(`${s.round ?? task.round}:${s.position}`) ?? "step"}`);
  return (
    <div className="grid gap-1.5" data-testid="task-cost">
      <p className="flex flex-wrap items-baseline gap-x-2">
        <span className="text-base font-semibold tabular-nums" data-testid="task-cost-total">
          {formatUsd(u.costUsd)}
        </span>
        <span className="text-xs text-muted-foreground tabular-nums" title={usageSummary(u)}>
          {formatTokenCount(totalTokens(u))} tokens
        </span>
      </p>
      <p className="text-[11px] text-muted-foreground tabular-nums">{usageSummary(u)}</p>
      {sorted.length > 0 && (
        <table className="w-full table-fixed text-xs tabular-nums" aria-label="Cost by step">
          <thead className="sr-only">
            <tr>
              <th scope="col">Step</th>
              <th scope="col">Tokens</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((s, i) => {
              const round = s.round ?? task.round;
              const first = i === 0 || (sorted[i - 1].round ?? task.round) !== round;
              return (
                <React.Fragment key={`${round}:${s.position}`}>
                  {byRound && first && (
                    <tr>
                      <th scope="rowgroup" colSpan={3} className="pt-1.5 text-left text-[11px] font-medium text-muted-foreground">
                        Round {round}
                        {round === task.round ? " (current)" : ""}
                      </th>
                    </tr>
                  )}
                  <tr data-testid="task-cost-step" data-round={round} data-position={s.position}>
                    <th scope="row" className={cn("truncate py-0.5 pr-2 text-left font-normal", s.position === 0 && "text-muted-foreground italic")} title={label(s)}>
                      {s.position > 0 && round === task.round ? (
                        <a href={`#step-${s.position}`} className="rounded hover:underline focus-visible:outline-2 focus-visible:outline-ring">
                          {label(s)}
                        </a>
                      ) : (
                        label(s)
                      )}
                    </th>
                    <td className="w-12 py-0.5 text-right text-muted-foreground" title={usageSummary(s)}>
                      {formatTokenCount(totalTokens(s))}
                    </td>
                    <td className="w-16 py-0.5 text-right">{formatUsd(s.costUsd)}</td>
                  </tr>
                </React.Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
