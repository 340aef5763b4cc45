import type { AgentActivity, AgentStepDurations } from "@/lib/services/charts";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { ActivityChart } from "@/components/charts/activity-chart";
import { StepDurationsChart } from "@/components/charts/step-durations-chart";
import { ChartRefresh } from "@/components/charts/chart-refresh";

/** The agent page's activity card, drawn on the server (agentActivity); redrawn by ChartRefresh on its step reports and on decisions. */
export function AgentActivityCard({ data }: { data: AgentActivity }) {
  return (
    <Card data-testid="agent-activity">
      <ChartRefresh scope={{ kind: "agent", agent: data.agent }} drawnAt={data.drawnAt} />
      <CardHeader>
        <CardTitle>Activity</CardTitle>
        <span className="text-xs text-muted-foreground">last {Math.round(data.days / 7)} weeks, by UTC day</span>
      </CardHeader>
      <div className="px-4 py-3">
        <ActivityChart data={data} />
      </div>
    </Card>
  );
}

/** The agent page's median step durations, drawn on the server (agentStepDurations). */
export function StepDurationsCard({ data }: { data: AgentStepDurations }) {
  return (
    <Card data-testid="agent-step-durations">
      <CardHeader>
        <CardTitle>Step durations</CardTitle>
        <span className="text-xs text-muted-foreground">median per step of its Response Approach</span>
      </CardHeader>
      <div className="px-4 py-3">
        <StepDurationsChart data={data} />
      </div>
    </Card>
  );
}
