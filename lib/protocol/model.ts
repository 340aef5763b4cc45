import "server-only";
// Normalising at the edge: what the loose Agent_Memory files say, read into AgentDesk's one canonical
// form (derive*), and the canonical form written back into a file's own document so that every field
// AgentDesk does not model survives (apply*). Pure functions: no file system, no database.
// One file per kind (model-task, model-message, model-instruction, model-output) on a shared
// vocabulary (model-common); this module is what the importer, the exporter, the mirror and the tree read.
export { BRIDGE_NAME, BROADCAST, isDoc, isInstructionId, TASK_FOLDERS, type Doc, type TaskFolder } from "./model-common";
export { applyTask, deriveTask, freshTaskDoc } from "./model-task";
export { applyMessage, CHANNEL_PREFIX, deriveMessage, freshMessageDoc, inboxOf, messageFileName, recipientsOf, type MessageDefaults } from "./model-message";
export { applyInstruction, deriveInstruction, freshInstructionDocs, type InstructionBundle } from "./model-instruction";
export { deriveOutput, renderOutput, renderReview, reviewFileName } from "./model-output";
