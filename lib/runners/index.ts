import "server-only";
// Runners: the programs that do an agent's work, launched and watched by the server (docs/runners.md).
export {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_CONCURRENT_RUNS,
  DEFAULT_TIMEOUT_MS,
  PRESETS,
  RunnerConfigFile,
  RunnerSpec,
  defaultConfigPath,
  globalSettings,
  loadRunnerConfig,
  resolveRunner,
  runnerConfigFrom,
  type Preset,
  type ResolvedRunner,
  type RunnerConfig,
  type RunnerResolution,
} from "./config";
export { buildTaskPrompt, buildMessagesPrompt, definitionPrompt, MAX_PROMPT_CHARS } from "./prompt";
export { buildLaunch, mcpConfigJson, previewCommand, MCP_SERVER_NAME, type LaunchSpec } from "./presets";
export { RunSupervisor, getRunSupervisor, startRunSupervisor, type SupervisorOptions } from "./supervisor";
export { requestRetry, requestRun, runnerStatus, type RunnerStatus } from "./actions";
