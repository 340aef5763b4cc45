import "server-only";
// Runs: launches of an agent program on a task, supervised by lib/runners. The verbs write the
// `runs` and `run_log` tables (and block the task / tell the people when a run ends badly).
export { createRun, retryRun, CreateRunInput, RetryRunInput } from "./create-run";
export { startRun, StartRunInput, type StartRunResult } from "./start-run";
export { appendRunOutput, AppendRunOutputInput, MAX_LOG_LINE_CHARS } from "./append-run-output";
export { finishRun, FinishRunInput, runOutcomes } from "./finish-run";
export { cancelRun, CancelRunInput } from "./cancel-run";
export {
  listRuns,
  getRun,
  getRunLog,
  queuedRuns,
  runningRuns,
  activeRunsOfTask,
  runRow,
  runPromptContext,
  agentRunnerDefinition,
  type RunLogQuery,
  type RunLogPage,
  type RunPromptContext,
  type DependencyOutput,
} from "./queries";
export { runDto, runLogLineDto, type RunDto, type RunLogLineDto } from "./shared";
