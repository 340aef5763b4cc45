import "server-only";
// The Agent_Memory folder bridge: import a tree, export the database as a tree, or mirror both ways
// live. Every write goes through the service verbs of lib/services/protocol. See docs/folder-bridge.md.
export { importTree, loadDoc, ImportSession, type ImportOptions, type ImportSummary, type Counts, type ItemKind, type Problem } from "./import";
export { exportTree, type ExportSummary, type ExportKind } from "./export";
export { startMirror, startMirrorFromEnv, CONFLICT_RULE, type Mirror, type MirrorOptions, type MirrorReport, type MirrorStats } from "./mirror";
export { syncAgentDefinitions, type AgentDefinitionsSync } from "./agent-definitions";
export { UnsafePathError, resolveRoot, safeSegment } from "./fs-safe";
export { parseYaml, toYaml, MAX_FILE_BYTES, MAX_ALIAS_COUNT, MAX_DEPTH } from "./yaml";
export { classify, scanTree, type FileKind } from "./tree";
