import * as React from "react";
import { cn } from "@/components/ui/cn";
import { ColumnHeads } from "@/components/ui/column-heads";
import { dayLabel } from "./time";

/** One column of a DayBars chart: its UTC day, the value its height shows, and what hovering it says. */
export type DayBar = { day: string; value: number; title: string };

/** The fill of a chart's bars: the status colours of the theme (globals.css), right in light and dark mode. */
export const barTones = {
  progress: "fill-status-progress",
  done: "fill-status-done",
  review: "fill-status-review",
  blocked: "fill-status-blocked",
  failed: "fill-status-failed",
  muted: "fill-muted-foreground",
} as const;
export type BarTone = keyof typeof barTones;

const W = 12;
const H = 56;
const GAP = 3;

/**
 * Vertical bars, one per UTC day, drawn as inline SVG (no chart library; pure, so a server
 * component can draw it): each bar with its own <title> over a full-height hover area (a day
 * without anything still says so), the highest bar at full opacity, the first and last day under
 * the chart. `summary` is the chart's accessible name (role="img").
 */
export function DayBars({ bars, summary, tone = "progress", className, testId }: { bars: DayBar[]; summary: string; tone?: BarTone; className?: string; testId?: string }) {
  const top = bars.reduce<DayBar | undefined>((a, d) => (!a || d.value > a.value ? d : a), undefined);
  const max = top?.value ?? 0;
  const width = Math.max(1, bars.length) * W;
  return (
    <div className={cn("grid gap-1", className)}>
      <svg viewBox={`0 0 ${width} ${H}`} preserveAspectRatio="none" role="img" aria-label={summary} className="h-16 w-full overflow-visible" data-testid={testId}>
        <title>{summary}</title>
        <line x1={0} x2={width} y1={H - 0.5} y2={H - 0.5} className="stroke-border" strokeWidth={1} vectorEffect="non-scaling-stroke" />
        {bars.map((d, i) => {
          const h = max > 0 ? Math.max(d.value > 0 ? 2 : 0, (d.value / max) * (H - 4)) : 0;
          return (
            <g key={d.day} data-day={d.day} data-value={d.value}>
              <title>{d.title}</title>
              {/* A full-height hit area, so a day without anything still shows its title on hover. */}
              <rect x={i * W} y={0} width={W} height={H} className="fill-transparent" />
              <rect x={i * W + GAP / 2} y={H - h} width={W - GAP} height={h} rx={1} className={cn(barTones[tone], d.day === top?.day && max > 0 ? "opacity-100" : "opacity-70")} />
            </g>
          );
        })}
      </svg>
      {bars.length > 0 && (
        <div className="flex justify-between text-[11px] text-muted-foreground tabular-nums" aria-hidden>
          <span>{dayLabel(bars[0].day)}</span>
          <span>{dayLabel(bars[bars.length - 1].day)}</span>
        </div>
      )}
    </div>
  );
}

/**
 * "Show as table": the numbers of a chart, row by row, for reading exactly and for screen readers
 * (a native <details>, so it opens without JavaScript). `rows` are cells; the first is the row's header.
 */
export function ChartTable({
  caption,
  columns,
  rows,
  testId,
  dimmed,
  label = "Show as table",
}: {
  caption: string;
  columns: string[];
  rows: React.ReactNode[][];
  testId?: string;
  dimmed?: (i: number) => boolean;
  label?: string;
}) {
  return (
    <details className="text-xs">
      <summary className="w-fit cursor-pointer rounded text-muted-foreground select-none hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring">{label}</summary>
      <table className="mt-1 w-full text-xs tabular-nums" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <ColumnHeads className="py-1" columns={columns.map((label, i) => ({ label, className: i === 0 ? undefined : "text-right" }))} />
        <tbody className="divide-y">
          {rows.map(([head, ...cells], i) => (
            <tr key={i} className={cn(dimmed?.(i) && "text-muted-foreground/60")}>
              <th scope="row" className="py-0.5 text-left font-normal">
                {head}
              </th>
              {cells.map((c, j) => (
                <td key={j} className="py-0.5 text-right">
                  {c}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

/** A chart's headline: the figure that matters (large) and what it is (small, muted). */
export function ChartHeadline({ value, children, testId }: { value: React.ReactNode; children?: React.ReactNode; testId?: string }) {
  return (
    <div className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5">
      <span className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </span>
      {children && <span className="text-xs text-muted-foreground">{children}</span>}
    </div>
  );
}
