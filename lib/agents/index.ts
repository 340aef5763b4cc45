import "server-only";
// Server-side entry point (the loader reads the file system). Client code that only needs the
// types or schemas should import "./definition" directly to keep node:fs out of the bundle.
export {
  AGENT_NAME_PATTERN,
  AgentDefinition,
  AgentName,
  AgentProblem,
  AgentProblemSeverity,
  AgentStep,
  AgentWorkflow,
  MAX_DEFINITION_BYTES,
  MemoryOwnership,
  MemoryPath,
  StepsSource,
  formatAgentProblem,
} from "./definition";
export { numberResponseApproach, parseAgentDefinition, type ParseAgentDefinitionResult } from "./parse";
export { agentDirsFromEnv, loadAgentDefinitions, type LoadAgentDefinitionsResult } from "./load";
export {
  CLAUDE_CODE_COLORS,
  EXPORT_MARKER,
  claudeCodeColor,
  exportClaudeCodeAgents,
  isExported,
  toClaudeCodeSubagent,
  type ExportClaudeCodeResult,
  type ExportableDefinition,
} from "./claude-code";
