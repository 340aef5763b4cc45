import "server-only";
// The pictures of the work (docs/architecture.md, "Charts"): read-only aggregations for the charts
// of the overview, the agent page and the task page. components/charts draws them as SVG.
export { overviewCharts, REVIEW_LOOKBACK_DAYS, type OverviewCharts, type CompletedDay, type ReviewDay } from "./overview-charts";
export { agentActivity, agentStepDurations, type AgentActivity, type AgentStepDurations } from "./agent-charts";
export { taskTimeline, type TaskTimeline, type TimelineRun, type TimelineStep } from "./task-timeline";
