import "server-only";
import { z } from "@hono/zod-openapi";
import { ChangeInstructionPhaseInput, MoveTaskInput, SubmitOutputInput } from "@/lib/services";
import { actorKinds, allErrorCodes, outputStatuses, PEOPLE_INBOX, priorities, reviewDecisions, roles, stepStatuses, taskAuthorities } from "@/lib/domain/vocabulary";

/**
 * The shapes the REST API answers with, for the OpenAPI document. Response objects are loose
 * (extra fields may appear in later versions without breaking clients); request bodies are strict.
 */

// Enumerations: from the service input schemas where one exists, otherwise from lib/domain/vocabulary.
export const TaskStatus = MoveTaskInput.shape.to;
export const StepStatus = z.enum(stepStatuses);
export const Priority = z.enum(priorities);
export const InstructionPhase = ChangeInstructionPhaseInput.shape.phase;
export const OutputFormat = SubmitOutputInput.shape.format;
export const OutputStatus = z.enum(outputStatuses);
export const Role = z.enum(roles);
export const ActorKind = z.enum(actorKinds);
export const TaskAuthority = z.enum(taskAuthorities);
export const ReviewDecision = z.enum(reviewDecisions);

const DateTime = z.string().openapi({ format: "date-time", example: "2026-11-20T09:30:00.000Z" });
const NullableDateTime = DateTime.nullable();

export const Problem = z
  .looseObject({
    type: z.string().openapi({ example: "https://agentdesk.dev/problems/illegal-transition" }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({
      description: `Stable machine-readable code: ${Object.keys(allErrorCodes).join(", ")}`,
      example: "illegal_transition",
    }),
    detail: z.string(),
    fields: z.record(z.string(), z.array(z.string())).optional().openapi({ description: "Field errors, keyed by field path" }),
    requestId: z.string().optional(),
  })
  .openapi("Problem");

export const UsageTotals = z
  .object({ inputTokens: z.number().int(), outputTokens: z.number().int(), cacheReadTokens: z.number().int(), cacheCreationTokens: z.number().int(), costUsd: z.number() })
  .openapi("UsageTotals");

export const Progress = z.object({ total: z.number().int(), done: z.number().int(), skipped: z.number().int(), current: z.number().int().nullable() }).openapi("Progress");

export const Task = z
  .looseObject({
    id: z.string().openapi({ example: "tsk_01jd3k5m8q0000000000000000" }),
    ref: z.string().openapi({ example: "T1" }),
    instructionId: z.string(),
    title: z.string(),
    description: z.string(),
    type: z.string(),
    assignedAgent: z.string(),
    status: TaskStatus,
    priority: Priority,
    authority: TaskAuthority,
    deadline: NullableDateTime,
    acceptanceCriteria: z.array(z.string()),
    filesToModify: z.array(z.string()),
    filesToCreate: z.array(z.string()),
    blockedReason: z.string().nullable(),
    blockerType: z.string().nullable(),
    lease: z
      .object({ token: z.number().int(), expiresAt: DateTime, expired: z.boolean(), lastHeartbeatAt: NullableDateTime })
      .nullable()
      .openapi({ description: "Present while an agent holds the task. Send `token` as leaseToken with writes to detect a lost lease." }),
    claimedAt: NullableDateTime,
    completedAt: NullableDateTime,
    round: z.number().int().openapi({ description: "The review round: 1, then one more each time a reviewer requests changes" }),
    parentTaskId: z.string().nullable().openapi({ description: "The task this one is part of (a strategic task of a tactical one)" }),
    createdBy: z.string(),
    createdAt: DateTime,
    updatedAt: DateTime,
    version: z.number().int(),
    sourcePath: z.string().nullable(),
  })
  .openapi("Task");

export const TaskListItem = Task.extend({ progress: Progress }).openapi("TaskListItem");

export const Step = z
  .looseObject({
    position: z.number().int(),
    title: z.string(),
    guidance: z.string(),
    status: StepStatus,
    note: z.string().nullable(),
    startedAt: NullableDateTime,
    endedAt: NullableDateTime,
    durationMs: z.number().nullable(),
    version: z.number().int(),
  })
  .openapi("Step");

const OutputFile = z.looseObject({ path: z.string(), action: z.string().optional(), additions: z.number().optional(), deletions: z.number().optional() });

export const Output = z
  .looseObject({
    id: z.string(),
    taskId: z.string(),
    version: z.number().int(),
    format: OutputFormat,
    language: z.string().nullable(),
    content: z.string().optional().openapi({ description: "Left out in lists" }),
    files: z.array(OutputFile),
    status: OutputStatus,
    stepPosition: z.number().int().nullable(),
    submittedBy: z.string(),
    createdAt: DateTime,
    sourcePath: z.string().nullable(),
  })
  .openapi("Output");

export const Review = z
  .looseObject({
    id: z.string(),
    outputId: z.string(),
    reviewer: z.string(),
    decision: ReviewDecision,
    comment: z.string(),
    messageId: z.string().nullable(),
    createdAt: DateTime,
  })
  .openapi("Review");

export const Message = z
  .looseObject({
    id: z.string(),
    threadId: z.string(),
    inReplyTo: z.string().nullable(),
    from: z.object({ kind: ActorKind, name: z.string() }),
    to: z.string().openapi({ description: `The inbox: an agent name, or \`${PEOPLE_INBOX}\` for the people` }),
    type: z.string(),
    priority: Priority,
    subject: z.string(),
    body: z.string(),
    instructionId: z.string().nullable(),
    taskId: z.string().nullable(),
    stepPosition: z.number().int().nullable(),
    createdAt: DateTime,
    readAt: NullableDateTime,
    answeredAt: NullableDateTime,
    archivedAt: NullableDateTime,
    sourcePath: z.string().nullable(),
  })
  .openapi("Message");

export const TaskDetail = TaskListItem.extend({
  steps: z.array(Step.extend({ messageIds: z.array(z.string()), outputIds: z.array(z.string()) })),
  dependsOn: z.array(z.looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: TaskStatus })),
  dependents: z.array(z.looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: TaskStatus })),
  instruction: z.looseObject({ id: z.string(), title: z.string(), phase: InstructionPhase, body: z.string() }).nullable(),
  outputs: z.array(Output),
  messages: z.array(Message),
  reviews: z.array(Review),
  stepsNote: z.string().nullable().openapi({ description: "Why the task has no steps, in words (null when it has some)" }),
  parentTask: z
    .looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: TaskStatus, assignedAgent: z.string() })
    .nullable()
    .openapi({ description: "The task this one is part of (a strategic task of a tactical one); null for none or one the caller may not see" }),
  children: z
    .array(z.looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: TaskStatus, assignedAgent: z.string(), progress: Progress }))
    .openapi({ description: "The tasks that are part of this one (tactical tasks of a strategic one), in ref order, with their step progress" }),
  rounds: z
    .array(
      z.object({
        round: z.number().int(),
        steps: z.array(z.object({ position: z.number().int(), title: z.string(), status: StepStatus, note: z.string().nullable(), startedAt: NullableDateTime, endedAt: NullableDateTime })),
      }),
    )
    .openapi({ description: "The earlier review rounds' steps as they stood when changes were requested (the current round is `steps`)" }),
  usage: UsageTotals.extend({
    byStep: z.array(UsageTotals.extend({ round: z.number().int().nullable(), position: z.number().int().openapi({ description: "0: no step was in progress" }) })),
  }).openapi({ description: "Tokens and cost of the task's runs (claude-code), by round and step" }),
}).openapi("TaskDetail");

export const StepUpdate = z.object({ step: Step, task: Task, progress: Progress }).openapi("StepUpdate");

export const Heartbeat = z.object({ taskId: z.string(), leaseToken: z.number().int(), leaseExpiresAt: DateTime }).openapi("Heartbeat");

export const Instruction = z
  .looseObject({
    id: z.string().openapi({ example: "inst_20261120_001" }),
    title: z.string(),
    body: z.string(),
    tier: z.number().int(),
    priority: Priority,
    phase: InstructionPhase,
    createdBy: z.string(),
    createdAt: DateTime,
    updatedAt: DateTime,
    version: z.number().int(),
    sourcePath: z.string().nullable(),
  })
  .openapi("Instruction");

export const InstructionListItem = Instruction.extend({ taskCounts: z.object({ total: z.number().int(), completed: z.number().int() }) }).openapi("InstructionListItem");

export const InstructionDetail = Instruction.extend({
  notes: z.array(z.object({ path: z.string(), text: z.string() })).openapi({ description: "Markdown notes of a session folder (task_plan.md, findings.md, progress.md), kept with the instruction" }),
  tasks: z.array(TaskListItem.extend({ dependsOn: z.array(z.string()) })),
  moreTasks: z.boolean(),
  outputs: z.array(Output.extend({ taskTitle: z.string() })),
  messages: z.array(Message),
}).openapi("InstructionDetail");

const ChecklistItem = z.object({ criterion: z.string(), verdict: z.enum(["met", "not_met", "partial", "not_verified"]), evidence: z.string().nullable() });
export const CompletionChecklist = z
  .object({
    path: z.string(),
    items: z.array(ChecklistItem).openapi({ description: "One per acceptance criterion; not_verified when the manifest does not mention it" }),
    extra: z.array(ChecklistItem).openapi({ description: "Manifest entries that match no acceptance criterion" }),
    outputsCreated: z.array(z.string()),
    qualityChecks: z.array(z.object({ name: z.string(), items: z.array(z.string()) })),
    outstandingWork: z.array(z.string()),
    issuesEncountered: z.array(z.string()),
    problem: z.string().nullable(),
  })
  .openapi("CompletionChecklist");

export const OutputDetail = z
  .object({
    output: Output,
    task: z.looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: TaskStatus, assignedAgent: z.string(), instructionId: z.string() }),
    versions: z.array(Output),
    reviews: z.array(Review),
    acceptanceCriteria: z.array(z.string()).openapi({ description: "The task's acceptance criteria" }),
    manifest: CompletionChecklist.nullable().openapi({
      description: "The task's completion manifest (folder protocol: outputs/partial/{task}/manifest.yaml) as a checklist against its acceptance criteria",
    }),
  })
  .openapi("OutputDetail");

export const ReviewResult = z.looseObject({ output: Output, review: Review, task: Task }).openapi("ReviewResult");

export const ReviewQueueItem = Output.extend({
  task: z.looseObject({ id: z.string(), ref: z.string(), title: z.string(), status: z.string(), assignedAgent: z.string(), instructionId: z.string(), priority: z.string() }),
  versions: z.number().int(),
}).openapi("ReviewQueueItem");

/** Who an agent is, in short: the first fields of every view of an agent seen whole. */
export const agentIdentityShape = {
  name: z.string(),
  title: z.string().nullable(),
  description: z.string(),
  tier: z.string().nullable(),
  domain: z.string().nullable(),
  model: z.string().nullable(),
};

export const Agent = z
  .looseObject({
    ...agentIdentityShape,
    color: z.string().nullable(),
    capabilities: z.array(z.string()),
    tools: z.array(z.string()),
    steps: z.array(z.object({ position: z.number().int(), title: z.string(), guidance: z.string() })),
    active: z.boolean(),
    leaseMinutes: z.number().int(),
    load: z.record(z.string(), z.number()),
    unread: z.number().int(),
  })
  .openapi("Agent");

/** What an agent's token sees of another agent. */
export const PublicAgent = z
  .looseObject({
    name: z.string(),
    description: z.string(),
    capabilities: z.array(z.string()),
    steps: z.array(z.object({ position: z.number().int(), title: z.string(), guidance: z.string() })),
  })
  .openapi("PublicAgent");

export const AgentSeen = z.union([Agent, PublicAgent]).openapi({ description: "Agent for people and for the agent itself; PublicAgent for another agent's token" });

export const Event = z
  .looseObject({
    id: z.number().int(),
    at: DateTime,
    actor: z.object({ kind: z.string(), id: z.string() }),
    verb: z.string().openapi({ example: "step.done" }),
    entityKind: z.string(),
    entityId: z.string(),
    instructionId: z.string().nullable(),
    taskId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .openapi("Event");

export const Token = z
  .looseObject({
    id: z.string(),
    agent: z.string().nullable(),
    userId: z.string().nullable(),
    label: z.string(),
    createdBy: z.string().nullable(),
    createdAt: DateTime,
    lastUsedAt: NullableDateTime,
    expiresAt: NullableDateTime,
    revokedAt: NullableDateTime,
  })
  .openapi("Token");

export const NewToken = Token.extend({ token: z.string().openapi({ description: "The secret, shown this once: only its hash is kept" }) }).openapi("NewToken");

export const User = z
  .looseObject({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: Role,
    createdAt: DateTime,
    disabled: z.boolean(),
    lastSeenAt: DateTime.nullable().optional().openapi({ description: "In the list of people: when they last used the dashboard (null: never, or signed out everywhere)" }),
  })
  .openapi("User");

export const page = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().openapi({ description: "Pass as ?cursor= for the next page; null at the end" }) }).openapi(name);

// Path parameters, named as in the paths.
const idParam = (name: string, example: string) =>
  z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name, in: "path" }, example });
export const TaskIdParam = z.object({ taskId: idParam("taskId", "tsk_01jd3k5m8q0000000000000000") });
export const StepParam = z.object({
  taskId: idParam("taskId", "tsk_01jd3k5m8q0000000000000000"),
  position: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: "position", in: "path" }, example: 1 }),
});
export const MessageIdParam = z.object({ messageId: idParam("messageId", "msg_01jd3k5m8q0000000000000000") });
export const OutputIdParam = z.object({ outputId: idParam("outputId", "out_01jd3k5m8q0000000000000000") });
export const InstructionIdParam = z.object({ instructionId: idParam("instructionId", "inst_20261120_001") });
export const ThreadIdParam = z.object({ threadId: idParam("threadId", "msg_01jd3k5m8q0000000000000000") });
export const AgentNameParam = z.object({ agentName: idParam("agentName", "backend-developer") });
export const TokenIdParam = z.object({ tokenId: idParam("tokenId", "tok_01jd3k5m8q0000000000000000") });
export const UserIdParam = z.object({ userId: idParam("userId", "usr_01jd3k5m8q0000000000000000") });

// Query helpers: everything arrives as text.
export const qLimit = z.coerce.number().int().min(1).max(500).optional().openapi({ description: "Page size" });
export const qCursor = z.string().max(500).optional().openapi({ description: "nextCursor of the previous page" });
export const qBool = z
  .stringbool()
  .optional()
  .openapi({ type: "string", enum: ["true", "false"] });
export const qInt = z.coerce.number().int().nonnegative().optional();
