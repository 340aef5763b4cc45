import "server-only";
// Runs: launches of an agent program on a task, supervised by lib/runners. The verbs write the
// `runs` and `run_log` tables (and block the task / tell the people when a run ends badly).
export { createRun, createAgentRun, retryRun } from "./create-run";
export { startRun } from "./start-run";
export { appendRunOutput, MAX_LOG_LINE_CHARS } from "./append-run-output";
export { finishRun } from "./finish-run";
export { cancelRun } from "./cancel-run";
export {
  listRuns,
  listAgentRuns,
  getRun,
  getRunLog,
  queuedRuns,
  runningRuns,
  activeRunsOfTask,
  runRow,
  runPromptContext,
  agentRunnerDefinition,
  lastSessionOf,
  previousRunOf,
  runLogLines,
  listAgentRunsActive,
  runAgent,
  wakeMessages,
  type RunLogPage,
  type RunPromptContext,
} from "./queries";
export { type RunDto, type RunLogLineDto } from "./shared";
export { agentUsage, usageOverview, requireUsageReader, type UsageTotals } from "./usage";
