import type { UsageTotals } from "@/lib/services/runs";
import { formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { ChartHeadline, ChartTable, DayBars } from "@/components/charts/day-bars";
import { dayLabel, dayRange } from "@/components/charts/time";

export { dayRange };

type DayUsage = UsageTotals & { day: string };

const zero: UsageTotals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };

/**
 * Cost by day: one bar per UTC day of the last `days` (components/charts DayBars), each with its
 * own <title>; the chart's aria-label says the total and the dearest day, and "Show as table" lists
 * every day with its cost and tokens. Pure: the overview's and the agent page's cost cards use it.
 */
export function CostByDay({ byDay, days, label, className, now }: { byDay: DayUsage[]; days: number; label: string; className?: string; now?: number }) {
  const by = new Map(byDay.map((d) => [d.day, d]));
  const columns = dayRange(days, now).map((day) => ({ ...zero, ...by.get(day), day }));
  const total = columns.reduce((n, d) => n + d.costUsd, 0);
  const tokens = columns.reduce((n, d) => n + totalTokens(d), 0);
  const top = columns.reduce((a, d) => (d.costUsd > a.costUsd ? d : a), columns[0]);
  const max = top?.costUsd ?? 0;
  const summary = max > 0 ? `${label}: ${formatUsd(total)} in ${days} days, the most ${formatUsd(max)} on ${dayLabel(top.day)}` : `${label}: no cost reported in ${days} days`;

  return (
    <figure className={cn("grid gap-1.5", className)} data-testid="cost-by-day">
      <ChartHeadline value={formatUsd(total)} testId="cost-by-day-total">
        last {days} days · {formatTokenCount(tokens)} tokens
      </ChartHeadline>
      <DayBars summary={summary} bars={columns.map((d) => ({ day: d.day, value: d.costUsd, title: `${dayLabel(d.day)}: ${formatUsd(d.costUsd)} · ${formatTokenCount(totalTokens(d))} tokens` }))} />
      <ChartTable
        caption={`${label}, day by day`}
        testId="cost-by-day-table"
        columns={["Day (UTC)", "Cost", "Tokens"]}
        rows={[...columns].reverse().map((d) => [
          dayLabel(d.day),
          formatUsd(d.costUsd),
          <span key="tokens" title={usageSummary(d)}>
            {formatTokenCount(totalTokens(d))}
          </span>,
        ])}
        dimmed={(i) => {
          const d = columns[columns.length - 1 - i];
          return d.costUsd === 0 && totalTokens(d) === 0;
        }}
      />
    </figure>
  );
}
