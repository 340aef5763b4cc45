import "server-only";
// Service verbs and reads of the Agent_Memory folder bridge (lib/protocol). Like every verb: check the
// actor, parse the input, one synchronous transaction that appends its events; unchanged input writes
// nothing. Each write verb returns the ids of the events it appended, so a mirror can tell its own
// changes from everybody else's.
export { FOLDER_BRIDGE, UNASSIGNED_AGENT, PROTOCOL_AGENT_PATTERN, TASK_REF_PATTERN, INSTRUCTION_ID_PATTERN, MESSAGE_ID_PATTERN, taskFolderOf, type ImportOutcome } from "./shared";
export { importInstruction, ImportInstructionInput, type InstructionOriginal } from "./import-instruction";
export { importTask, ImportTaskInput } from "./import-task";
export { importMessage, ImportMessageInput } from "./import-message";
export { importOutput, ImportOutputInput } from "./import-output";
export { recordBridgeConflict } from "./record-conflict";
export {
  protocolInstructions,
  protocolTasks,
  protocolMessages,
  protocolLatestOutputs,
  protocolReviews,
  type ProtocolInstruction,
  type ProtocolTask,
  type ProtocolMessage,
  type ProtocolOutput,
  type ProtocolReview,
} from "./queries";
