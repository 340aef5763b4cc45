import type { CompletedDay } from "@/lib/services/charts";
import { EmptyState } from "@/components/ui/empty-state";
import { ChartHeadline, ChartTable, DayBars } from "./day-bars";
import { dayLabel } from "./time";

const tasksWord = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "task" : "tasks"}`;

/** Tasks completed per UTC day (overviewCharts' `completed`): bars with a title each, the total beside, the numbers as a table. */
export function CompletedChart({ days }: { days: CompletedDay[] }) {
  const total = days.reduce((n, d) => n + d.completed, 0);
  if (total === 0)
    return <EmptyState compact title={`No task completed in ${days.length} days`} description="Tasks count on the day they are completed: approved, or finished by an autonomous agent." />;
  const top = days.reduce((a, d) => (d.completed > a.completed ? d : a), days[0]);
  const summary = `Tasks completed per day: ${tasksWord(total)} in ${days.length} days, the most ${top.completed.toLocaleString("en-US")} on ${dayLabel(top.day)}`;
  return (
    <figure className="grid gap-1.5" data-testid="completed-chart">
      <ChartHeadline value={total.toLocaleString("en-US")} testId="completed-total">
        completed in {days.length} days · {Math.round((total / days.length) * 10) / 10} a day
      </ChartHeadline>
      <DayBars tone="done" summary={summary} bars={days.map((d) => ({ day: d.day, value: d.completed, title: `${dayLabel(d.day)}: ${tasksWord(d.completed)} completed` }))} />
      <ChartTable
        caption="Tasks completed per day (UTC)"
        testId="completed-table"
        columns={["Day (UTC)", "Completed"]}
        rows={[...days].reverse().map((d) => [dayLabel(d.day), d.completed.toLocaleString("en-US")])}
        dimmed={(i) => days[days.length - 1 - i].completed === 0}
      />
    </figure>
  );
}
