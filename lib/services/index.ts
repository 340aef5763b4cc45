import "server-only";
// The service layer: the only code that changes the database. Pages, the HTTP API, MCP tools,
// the CLI and the folder bridge all call these verbs.
export type { ServiceContext } from "./context";
export { ServiceError, isServiceError, notFound, type ServiceErrorCode } from "./errors";
export { onCommitted } from "./events";
export * from "./dto";
export type { Page } from "./cursor";

export { createInstruction, CreateInstructionInput } from "./instructions/create-instruction";
export { updateInstruction, UpdateInstructionInput } from "./instructions/update-instruction";
export { changeInstructionPhase, ChangeInstructionPhaseInput } from "./instructions/change-instruction-phase";
export { listInstructions, getInstruction, type InstructionDetail, type InstructionListItem } from "./instructions/queries";

export { createTask, CreateTaskInput } from "./tasks/create-task";
export { assignWork, AssignInput } from "./tasks/assign";
export { claimTask, ClaimTaskInput } from "./tasks/claim-task";
export { heartbeatTask, HeartbeatInput } from "./tasks/heartbeat-task";
export { blockTask, BlockTaskInput } from "./tasks/block-task";
export { unblockTask, UnblockTaskInput } from "./tasks/unblock-task";
export { completeTask, CompleteTaskInput } from "./tasks/complete-task";
export { cancelTask, CancelTaskInput } from "./tasks/cancel-task";
export { reassignTask, ReassignTaskInput } from "./tasks/reassign-task";
export { moveTask, MoveTaskInput } from "./tasks/move-task";
export { taskMoves } from "./tasks/transitions";
export { listTasks, taskBoard, taskCard, taskCounts, taskTitles, getTask, taskOwner, type TaskDetail, type TaskListItem, type TaskCardData, type ListTasksQuery } from "./tasks/queries";

export { updateStep, UpdateStepInput } from "./steps/update-step";
export { recordStepActivity, RecordStepActivityInput } from "./steps/record-step-activity";
export { stepMoves, stepSystemMoves } from "./steps/transitions";
export { outputMoves } from "./outputs/transitions";

export { submitOutput, SubmitOutputInput } from "./outputs/submit-output";
export { approveOutput, ApproveOutputInput } from "./outputs/approve-output";
export { requestOutputChanges, RequestChangesInput } from "./outputs/request-output-changes";
export { listReviewQueue, getOutput, type OutputDetail, type ReviewQueueItem } from "./outputs/queries";

export { sendMessage, SendMessageInput } from "./messages/send-message";
export { replyToMessage, ReplyToMessageInput } from "./messages/reply-to-message";
export { markMessage, MarkMessageInput } from "./messages/mark-message";
export { listInbox, listInboxes, getThread, getMessage, searchMessages, unreadCount, toFtsQuery, HIT_START, HIT_END, type SearchHit } from "./messages/queries";
export { isChannelInbox, channelInbox, CHANNEL_PREFIX } from "./messages/channels";

export { searchAll, searchKinds, type SearchKind, type SearchAllQuery, type SearchAllHit, type SearchAllResult } from "./search/search-all";

export { syncAgents } from "./agents/sync-agents";
export { listAgents, getAgent, listAgentsFor, getAgentFor, publicAgent, agentSummary, type AgentListItem, type AgentSummary, type PublicAgent } from "./agents/queries";
export { getOverview, getShellCounts, type Overview } from "./overview";
export { listEvents, lastEventId } from "./events-queries";

export { createUser, deleteUser, changeUserRole, ChangeUserRoleInput, listUsers, countUsers, findUserByEmail, userDto, CreateUserInput, PasswordRule, setUserPassword } from "./access/users";
export { createToken, listTokens, revokeToken, CreateTokenInput, type TokenDto } from "./access/tokens";
export { startSession, endSession, endAllSessions, authenticate } from "./access/sessions";
export { sweepLeases, type SweepOptions } from "./tasks/sweep-leases";

export {
  createWebhook,
  updateWebhook,
  deleteWebhook,
  rotateWebhookSecret,
  sendTestWebhook,
  listWebhooks,
  getWebhook,
  listWebhookDeliveries,
  CreateWebhookInput,
  UpdateWebhookInput,
  type WebhookDto,
  type WebhookDeliveryDto,
} from "./webhooks";
