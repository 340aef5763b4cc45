"use client";
import * as React from "react";
import type { UsageTotals } from "@/lib/services/runs";
import { formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { ColumnHeads } from "@/components/ui/column-heads";

type DayUsage = UsageTotals & { day: string };

const DAY_MS = 86_400_000;

/** The `days` UTC days ending today, oldest first: the chart's columns, days without runs included. */
export function dayRange(days: number, now = Date.now()): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now - i * DAY_MS).toISOString().slice(0, 10));
  return out;
}

/** "Nov 26" for a UTC day "2026-11-26" (the same on the server and in every time zone). */
const dayLabel = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

const zero: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };

/**
 * Cost by day as a small inline SVG bar chart (no chart library): one bar per UTC day of the last
 * `days`, each with its own <title>; the chart's aria-label says the total and the dearest day, and
 * "Show as table" lists every day with its cost and tokens.
 */
export function CostByDay({ byDay, days, label, className }: { byDay: DayUsage[]; days: number; label: string; className?: string }) {
  const columns = React.useMemo(() => {
    const by = new Map(byDay.map((d) => [d.day, d]));
    return dayRange(days).map((day) => ({ ...zero, ...by.get(day), day }));
  }, [byDay, days]);
  const total = columns.reduce((n, d) => n + d.costUsd, 0);
  const tokens = columns.reduce((n, d) => n + totalTokens(d), 0);
  const top = columns.reduce((a, d) => (d.costUsd > a.costUsd ? d : a), columns[0]);
  const max = top?.costUsd ?? 0;
  const W = 12;
  const H = 56;
  const gap = 3;
  const summary = max > 0 ? `${label}: ${formatUsd(total)} in ${days} days, the most ${formatUsd(max)} on ${dayLabel(top.day)}` : `${label}: no cost reported in ${days} days`;

  return (
    <figure className={cn("grid gap-1.5", className)} data-testid="cost-by-day">
      <div className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5">
        <span className="text-lg font-semibold tabular-nums" data-testid="cost-by-day-total">
          {formatUsd(total)}
        </span>
        <span className="text-xs text-muted-foreground">
          last {days} days · {formatTokenCount(tokens)} tokens
        </span>
      </div>
      <svg viewBox={`0 0 ${days * W} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary} className="h-16 w-full overflow-visible">
        <title>{summary}</title>
        <line x1={0} x2={days * W} y1={H - 0.5} y2={H - 0.5} className="stroke-border" strokeWidth={1} vectorEffect="non-scaling-stroke" />
        {columns.map((d, i) => {
          const h = max > 0 ? Math.max(d.costUsd > 0 ? 2 : 0, (d.costUsd / max) * (H - 4)) : 0;
          return (
            <g key={d.day} data-day={d.day} data-cost={d.costUsd}>
              <title>{`${dayLabel(d.day)}: ${formatUsd(d.costUsd)} · ${formatTokenCount(totalTokens(d))} tokens`}</title>
              {/* A full-height hit area, so a day without cost still shows its title on hover. */}
              <rect x={i * W} y={0} width={W} height={H} className="fill-transparent" />
              <rect x={i * W + gap / 2} y={H - h} width={W - gap} height={h} rx={1} className={cn("fill-status-progress", d.day === top?.day && max > 0 ? "opacity-100" : "opacity-70")} />
            </g>
          );
        })}
      </svg>
      <figcaption className="flex justify-between text-[11px] text-muted-foreground tabular-nums">
        <span>{dayLabel(columns[0].day)}</span>
        <span>{dayLabel(columns[columns.length - 1].day)}</span>
      </figcaption>
      <details className="text-xs">
        <summary className="w-fit cursor-pointer rounded text-muted-foreground select-none hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring">Show as table</summary>
        <table className="mt-1 w-full text-xs tabular-nums" data-testid="cost-by-day-table">
          <caption className="sr-only">{label}, day by day</caption>
          <ColumnHeads className="py-1" columns={[{ label: "Day (UTC)" }, { label: "Cost", className: "text-right" }, { label: "Tokens", className: "text-right" }]} />
          <tbody className="divide-y">
            {[...columns].reverse().map((d) => (
              <tr key={d.day} className={cn(d.costUsd === 0 && totalTokens(d) === 0 && "text-muted-foreground/60")}>
                <th scope="row" className="py-0.5 text-left font-normal">
                  {dayLabel(d.day)}
                </th>
                <td className="py-0.5 text-right">{formatUsd(d.costUsd)}</td>
                <td className="py-0.5 text-right" title={usageSummary(d)}>
                  {formatTokenCount(totalTokens(d))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
