import type { ReviewDay } from "@/lib/services/charts";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDuration } from "@/components/ui/format";
import { ChartHeadline, ChartTable, DayBars } from "./day-bars";
import { dayLabel } from "./time";

const decisionsWord = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "decision" : "decisions"}`;

function dayTitle(d: ReviewDay): string {
  if (d.decisions === 0) return `${dayLabel(d.day)}: no review decision`;
  return `${dayLabel(d.day)}: ${decisionsWord(d.decisions)} (${d.approved} approved, ${d.changesRequested} changes requested), median ${formatDuration(d.medianMs)} from hand-in, longest ${formatDuration(d.longestMs)}`;
}

/**
 * Time from an output's hand-in to its review decision, per UTC day of the decision
 * (overviewCharts' `reviews`): each bar the day's median wait, its title the count and the longest.
 */
export function ReviewChart({ data, lookbackDays }: { data: { byDay: ReviewDay[]; decisions: number; medianMs: number | null }; lookbackDays: number }) {
  const days = data.byDay;
  if (data.decisions === 0)
    return <EmptyState compact title={`No review decision in ${days.length} days`} description="When a person approves an output or requests changes, the time since it was handed in shows here." />;
  const top = days.reduce((a, d) => ((d.medianMs ?? 0) > (a.medianMs ?? 0) ? d : a), days[0]);
  const summary = `Time from hand-in to review decision per day: ${decisionsWord(data.decisions)} in ${days.length} days, median ${formatDuration(data.medianMs)}; the slowest day ${dayLabel(top.day)}, median ${formatDuration(top.medianMs)}`;
  return (
    <figure className="grid gap-1.5" data-testid="review-chart">
      <ChartHeadline value={formatDuration(data.medianMs)} testId="review-median">
        median from hand-in to decision · {decisionsWord(data.decisions)} in {days.length} days
      </ChartHeadline>
      <DayBars tone="review" summary={summary} bars={days.map((d) => ({ day: d.day, value: d.medianMs ?? 0, title: dayTitle(d) }))} />
      <ChartTable
        caption="Review decisions per day (UTC): how long after the hand-in"
        testId="review-table"
        columns={["Day (UTC)", "Decisions", "Median", "Longest"]}
        rows={[...days].reverse().map((d) => [dayLabel(d.day), d.decisions.toLocaleString("en-US"), d.decisions ? formatDuration(d.medianMs) : "–", d.decisions ? formatDuration(d.longestMs) : "–"])}
        dimmed={(i) => days[days.length - 1 - i].decisions === 0}
      />
      <p className="text-[11px] text-muted-foreground">Outputs handed in up to {lookbackDays} days before the first day count.</p>
    </figure>
  );
}
