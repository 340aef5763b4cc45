import type { AgentActivity } from "@/lib/services/charts";
import { EmptyState } from "@/components/ui/empty-state";
import { ChartHeadline, ChartTable, DayBars } from "./day-bars";
import { dayLabel } from "./time";

const n = (x: number) => x.toLocaleString("en-US");
const plural = (x: number, one: string, many: string) => `${n(x)} ${x === 1 ? one : many}`;

/** An agent's activity per UTC day (agentActivity): bars of the steps it finished, titles with the tasks it completed. */
export function ActivityChart({ data }: { data: AgentActivity }) {
  const weeks = Math.round(data.days / 7);
  if (data.stepsDone === 0 && data.tasksCompleted === 0)
    return <EmptyState compact title={`Nothing finished in the last ${weeks} weeks`} description={`The steps ${data.agent} marks done and the tasks it completes show here day by day.`} />;
  const top = data.byDay.reduce((a, d) => (d.stepsDone > a.stepsDone ? d : a), data.byDay[0]);
  const summary = `Activity of ${data.agent} per day: ${plural(data.stepsDone, "step", "steps")} done and ${plural(data.tasksCompleted, "task", "tasks")} completed in ${weeks} weeks, the most steps (${n(top.stepsDone)}) on ${dayLabel(top.day)}`;
  return (
    <figure className="grid gap-1.5" data-testid="activity-chart">
      <ChartHeadline value={n(data.stepsDone)} testId="activity-steps">
        steps done · {plural(data.tasksCompleted, "task", "tasks")} completed in {weeks} weeks
      </ChartHeadline>
      <DayBars
        tone="done"
        summary={summary}
        bars={data.byDay.map((d) => ({
          day: d.day,
          value: d.stepsDone,
          title: `${dayLabel(d.day)}: ${plural(d.stepsDone, "step", "steps")} done, ${plural(d.tasksCompleted, "task", "tasks")} completed`,
        }))}
      />
      <ChartTable
        caption={`Activity of ${data.agent} per day (UTC)`}
        testId="activity-table"
        columns={["Day (UTC)", "Steps done", "Tasks completed"]}
        rows={[...data.byDay].reverse().map((d) => [dayLabel(d.day), n(d.stepsDone), n(d.tasksCompleted)])}
        dimmed={(i) => {
          const d = data.byDay[data.byDay.length - 1 - i];
          return d.stepsDone === 0 && d.tasksCompleted === 0;
        }}
      />
    </figure>
  );
}
