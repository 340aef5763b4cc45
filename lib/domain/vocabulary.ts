/**
 * The words AgentDesk uses, written once (DESIGN.md §2, "the words the code uses"). Every other list
 * of them is built from these: the drizzle columns (db/schema), the service zod schemas, the REST
 * and MCP schemas, the CLI's choices, the live stream and the pages. Pure data and small pure
 * functions: no Node, React, zod or drizzle import, so server code, the CLI and client components
 * can all take it.
 *
 * Changing a stored value here changes what the database holds: write a migration with it.
 */

/* ---------------- tasks and steps ---------------- */

export const taskStatuses = ["pending", "in_progress", "blocked", "in_review", "completed", "cancelled"] as const;
export type TaskStatus = (typeof taskStatuses)[number];
/** Statuses in which a task is still someone's work (not completed, not cancelled). */
export const openTaskStatuses = ["pending", "in_progress", "blocked", "in_review"] as const satisfies readonly TaskStatus[];
/** The board's columns, left to right (cancelled tasks are not on the board). */
export const boardTaskStatuses = ["pending", "in_progress", "blocked", "in_review", "completed"] as const satisfies readonly TaskStatus[];

export const stepStatuses = ["pending", "in_progress", "done", "skipped", "blocked"] as const;
export type StepStatus = (typeof stepStatuses)[number];
/** The statuses an agent may report on a step (a step is never set back to pending). */
export const reportableStepStatuses = ["in_progress", "done", "skipped", "blocked"] as const satisfies readonly StepStatus[];

export const taskTypes = ["create", "modify", "analyze", "validate", "test"] as const;

export const taskAuthorities = ["autonomous", "review_required"] as const;

export const blockerTypes = ["missing_dependency", "failed_test", "unclear_requirement", "other"] as const;

/* ---------------- priorities ---------------- */

/** Highest first: the index is the rank stored in tasks.priority_rank (0 critical .. 3 low). */
export const priorities = ["critical", "high", "normal", "low"] as const;
export type Priority = (typeof priorities)[number];
export const priorityRank = { critical: 0, high: 1, normal: 2, low: 3 } as const satisfies Record<Priority, number>;
export const DEFAULT_PRIORITY = "normal" satisfies Priority;

/** Other words for a priority met in the wild: the protocol writes `medium` for the middle one. */
export const priorityAliases: Readonly<Record<string, Priority>> = { medium: "normal" };

export const isPriority = (v: unknown): v is Priority => typeof v === "string" && (priorities as readonly string[]).includes(v);

/**
 * A priority as written by a person, an agent or a file (any case, `medium`), in its one canonical
 * form; null when it is not one.
 */
export function normalisePriority(v: unknown): Priority | null {
  if (typeof v !== "string") return null;
  const s = v.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not find Object's members.
  return (Object.hasOwn(priorityAliases, s) ? priorityAliases[s] : undefined) ?? (isPriority(s) ? s : null);
}

/* ---------------- instructions ---------------- */

/** In the order of a life: under way first (as activeInstructionPhases), then the two final ones. */
export const instructionPhases = ["routing", "planning", "executing", "validating", "correcting", "blocked", "completed", "failed"] as const;
export type InstructionPhase = (typeof instructionPhases)[number];
/** Phases in which an instruction is still under way. */
export const activeInstructionPhases = ["routing", "planning", "executing", "validating", "correcting", "blocked"] as const satisfies readonly InstructionPhase[];

/** The protocol's complexity tiers 0-4, by name (the index is the tier). */
export const complexityTiers = ["trivial", "simple", "moderate", "complex", "expert"] as const;
export const MIN_TIER = 0;
export const MAX_TIER = complexityTiers.length - 1;
export const DEFAULT_TIER = 1;

/* ---------------- outputs and reviews ---------------- */

export const outputFormats = ["markdown", "yaml", "json", "code", "text"] as const;
export type OutputFormat = (typeof outputFormats)[number];

export const outputStatuses = ["pending_review", "approved", "changes_requested", "superseded"] as const;
export type OutputStatus = (typeof outputStatuses)[number];

export const reviewDecisions = ["approved", "changes_requested"] as const satisfies readonly OutputStatus[];
export type ReviewDecision = (typeof reviewDecisions)[number];

/** What happened to a file an output names. */
export const fileActions = ["created", "modified", "deleted"] as const;

/* ---------------- runs ---------------- */

export const runStatuses = ["queued", "running", "succeeded", "failed", "cancelled", "timed_out"] as const;
export type RunStatus = (typeof runStatuses)[number];
export const activeRunStatuses = ["queued", "running"] as const satisfies readonly RunStatus[];

/** Who asked for a run: a person (manual), assignment (auto), a retry, or a wake (lib/runners/wakes.ts). */
export const runTriggers = ["manual", "auto", "retry", "wake"] as const;
export type RunTrigger = (typeof runTriggers)[number];

/**
 * Why an agent is woken (docs/runners.md, "Wakes"): a reviewer requested changes on its output; a
 * thread tied to its task was answered; a message asking for action reached it; the last
 * unfinished dependency of its task completed.
 */
export const wakeKinds = ["changes_requested", "answer", "message", "dependency"] as const;
export type WakeKind = (typeof wakeKinds)[number];
/** pending: waiting for a run; consumed: a run took it; suppressed: the loop guard stopped it; dropped: nothing left to do. */
export const wakeStatuses = ["pending", "consumed", "suppressed", "dropped"] as const;
export type WakeStatus = (typeof wakeStatuses)[number];

export const runLogStreams = ["stdout", "stderr", "system"] as const;
export type RunLogStream = (typeof runLogStreams)[number];

/* ---------------- messages and inboxes ---------------- */

/**
 * The people's inbox: the protocol's `hitl` (human in the loop). Messages to the people are stored
 * with this as their inbox, whatever alias the sender used.
 */
export const PEOPLE_INBOX = "hitl";

/**
 * The names that mean "the people" as a recipient or sender, compared in lower case: the API, MCP,
 * the CLI and the folder bridge all use this one list. It is the union of what the API took
 * (hitl, human, humans, people, person) and what the folder bridge took (the same and user, users):
 * a file addressed to `user` and a message sent to `user` reach the same inbox. An agent cannot be
 * reached under one of these names.
 */
export const peopleAliases = [PEOPLE_INBOX, "human", "humans", "people", "person", "user", "users"] as const;
const peopleAliasSet: ReadonlySet<string> = new Set(peopleAliases);

/** Does this name (any case, surrounding blanks ignored) mean the people's inbox? */
export const isPeopleAlias = (name: string): boolean => peopleAliasSet.has(name.trim().toLowerCase());

/** The message types the protocol uses. A message's type is free (a lower-case word); these are the known ones. */
export const messageTypes = [
  "delegation",
  "consultation",
  "consultation_response",
  "review_request",
  "review_response",
  "escalation",
  "status_update",
  "reminder",
  "broadcast",
  "phase_start",
  "execution_phase_start",
  "review",
  "validation_result",
  "completion",
  "progress_report",
  "handoff",
  "daily_report",
  "weekly_report",
  "correction_request",
  "reply",
] as const;
export type MessageType = (typeof messageTypes)[number];
export const DEFAULT_MESSAGE_TYPE = "status_update" satisfies MessageType;
/** The type of a reply to a type that has no entry in replyTypes. */
export const DEFAULT_REPLY_TYPE = "reply" satisfies MessageType;

/** A message type is a lower-case word: the rule for types senders choose themselves. */
export const MESSAGE_TYPE_PATTERN = /^[a-z][a-z0-9_]{1,39}$/;

/** The type of a reply to each kind of request, as the protocol uses them. */
export const replyTypes: Readonly<Record<string, string>> = {
  consultation: "consultation_response",
  review_request: "review_response",
  review: "review_response",
  delegation: "status_update",
  escalation: "escalation_response",
};

/** Message types that ask the recipient to act: an agent with a runner is woken to answer them (docs/runners.md, "Wakes"). */
export const actionMessageTypes = ["delegation", "consultation", "review_request"] as const satisfies readonly MessageType[];

/** Who can send a message or act: a person, an agent, or AgentDesk itself. */
export const actorKinds = ["person", "agent", "system"] as const;

/* ---------------- people ---------------- */

/** A person's role: admin manages people and tokens, reviewer writes, viewer reads. */
export const roles = ["admin", "reviewer", "viewer"] as const;
export type Role = (typeof roles)[number];

/* ---------------- errors ---------------- */

/**
 * The stable error codes every transport speaks (REST's problem `code`, MCP's `code: message`, the
 * CLI's stderr), with the HTTP status and the title of the problem document. The first group is what
 * service verbs throw; the second only the HTTP layer produces.
 */
export const errorCodes = {
  validation_failed: { status: 422, title: "Invalid input" },
  unauthenticated: { status: 401, title: "Not signed in" },
  forbidden: { status: 403, title: "Forbidden" },
  not_found: { status: 404, title: "Not found" },
  illegal_transition: { status: 409, title: "Illegal state change" },
  version_conflict: { status: 409, title: "Version conflict" },
  dependencies_not_done: { status: 409, title: "Dependencies not done" },
  lease_lost: { status: 409, title: "Lease lost" },
  output_required: { status: 409, title: "Output required" },
  conflict: { status: 409, title: "Conflict" },
  rate_limited: { status: 429, title: "Too many requests" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unavailable: { status: 503, title: "Service unavailable" },
} as const;
export type ServiceErrorCode = keyof typeof errorCodes;

export const httpErrorCodes = {
  malformed_json: { status: 400, title: "Malformed JSON" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  idempotency_mismatch: { status: 422, title: "Idempotency key reused" },
  idempotency_in_progress: { status: 409, title: "Idempotency key in use" },
  csrf: { status: 403, title: "Cross-site request refused" },
  host_not_allowed: { status: 403, title: "Host not allowed" },
  internal: { status: 500, title: "Internal error" },
} as const;
export type HttpErrorCode = keyof typeof httpErrorCodes;
export type ErrorCode = ServiceErrorCode | HttpErrorCode;
export const allErrorCodes: Readonly<Record<ErrorCode, { status: number; title: string }>> = { ...errorCodes, ...httpErrorCodes };

/* ---------------- the live stream ---------------- */

/**
 * The `event:` names of /api/events: `change` carries one row of the change feed (its `id` is the
 * event id, for Last-Event-ID); `ready` says the backlog has been sent; `closed` is the last one when
 * the stream's credential stops being valid.
 */
export const SSE_EVENTS = { change: "change", ready: "ready", closed: "closed" } as const;

/**
 * The data of a `change` event: enough for a browser to know which queries to refetch, no content.
 * The server (lib/http/live.ts) sends it and the browser (lib/queries/live.ts) reads it.
 */
export interface LiveEvent {
  id: number;
  verb: string;
  entityKind: string;
  entityId: string;
  taskId: string | null;
  instructionId: string | null;
  actor: { kind: string; id: string };
  /** Message events only: the inbox the message landed in. */
  inbox?: string;
}
