import "server-only";
import type { AgentRow, EventRow, InstructionRow, MessageRow, OutputRow, ReviewRow, TaskRow, TaskStepRow } from "@/db/schema";

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

export function instructionDto(r: InstructionRow) {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    tier: r.tier,
    priority: r.priority,
    phase: r.phase,
    createdBy: r.createdBy,
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    version: r.version,
    sourcePath: r.sourcePath,
  };
}
export type InstructionDto = ReturnType<typeof instructionDto>;

const NOTE_ORDER = ["task_plan.md", "findings.md", "progress.md"];
/**
 * The markdown notes of an instruction read from a session folder (`task_plan.md`, `findings.md`,
 * `progress.md`...), kept by the folder bridge among its documents: the usual three first.
 */
export function instructionNotes(r: Pick<InstructionRow, "original">): { path: string; text: string }[] {
  const docs = (r.original as { documents?: Record<string, unknown> } | null)?.documents ?? {};
  const rank = (p: string) => (NOTE_ORDER.includes(p) ? NOTE_ORDER.indexOf(p) : NOTE_ORDER.length);
  return Object.entries(docs)
    .filter((e): e is [string, string] => /^[^/]+\.md$/i.test(e[0]) && typeof e[1] === "string")
    .map(([path, text]) => ({ path, text }))
    .sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : 1));
}

export function stepDto(s: TaskStepRow) {
  return {
    position: s.position,
    title: s.title,
    guidance: s.guidance,
    status: s.status,
    note: s.note,
    startedAt: iso(s.startedAt),
    endedAt: iso(s.endedAt),
    durationMs: s.startedAt != null && s.endedAt != null ? s.endedAt - s.startedAt : null,
    version: s.version,
  };
}
export type StepDto = ReturnType<typeof stepDto>;

export interface StepProgress {
  total: number;
  done: number;
  skipped: number;
  current: number | null;
}

/** Progress is derived from the steps every time: it is never stored twice. */
export function progressOf(steps: Pick<TaskStepRow, "status" | "position">[]): StepProgress {
  let done = 0;
  let skipped = 0;
  let current: number | null = null;
  for (const s of steps) {
    if (s.status === "done") done++;
    else if (s.status === "skipped") skipped++;
    else if ((s.status === "in_progress" || s.status === "blocked") && (current === null || s.position < current)) {
      current = s.position;
    }
  }
  return { total: steps.length, done, skipped, current };
}

/** A task's own fields, as they are: the same in the API's view of a task and in the bridge's task file. */
export function taskFields(t: Pick<TaskRow, "title" | "description" | "type" | "assignedAgent" | "status" | "priority" | "authority">) {
  return {
    title: t.title,
    description: t.description,
    type: t.type,
    assignedAgent: t.assignedAgent,
    status: t.status,
    priority: t.priority,
    authority: t.authority,
  };
}

export function taskDto(t: TaskRow, now: number = Date.now()) {
  return {
    id: t.id,
    ref: t.ref,
    instructionId: t.instructionId,
    ...taskFields(t),
    deadline: iso(t.deadline),
    acceptanceCriteria: t.acceptanceCriteria,
    filesToModify: t.filesToModify,
    filesToCreate: t.filesToCreate,
    blockedReason: t.blockedReason,
    blockerType: t.blockerType,
    lease:
      t.leaseExpiresAt == null
        ? null
        : {
            token: t.leaseToken,
            expiresAt: iso(t.leaseExpiresAt)!,
            expired: t.leaseExpiresAt <= now,
            lastHeartbeatAt: iso(t.lastHeartbeatAt),
          },
    claimedAt: iso(t.claimedAt),
    completedAt: iso(t.completedAt),
    /** The review round: 1, then one more each time a reviewer requests changes. */
    round: t.round,
    /** The task this one is part of (a strategic task of a tactical one), or null. */
    parentTaskId: t.parentTaskId,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt)!,
    updatedAt: iso(t.updatedAt)!,
    version: t.version,
    sourcePath: t.sourcePath,
  };
}
export type TaskDto = ReturnType<typeof taskDto>;

export function outputDto(o: OutputRow, opts: { withContent?: boolean } = {}) {
  return {
    id: o.id,
    taskId: o.taskId,
    version: o.version,
    format: o.format,
    language: o.language,
    ...(opts.withContent === false ? {} : { content: o.content }),
    files: o.files,
    status: o.status,
    stepPosition: o.stepPosition,
    submittedBy: o.submittedBy,
    createdAt: iso(o.createdAt)!,
    sourcePath: o.sourcePath,
  };
}
export type OutputDto = ReturnType<typeof outputDto>;

export function reviewDto(r: ReviewRow) {
  return {
    id: r.id,
    outputId: r.outputId,
    reviewer: r.reviewer,
    decision: r.decision,
    comment: r.comment,
    messageId: r.messageId,
    createdAt: iso(r.createdAt)!,
  };
}
export type ReviewDto = ReturnType<typeof reviewDto>;

export function messageDto(m: MessageRow) {
  return {
    id: m.id,
    threadId: m.threadId,
    inReplyTo: m.inReplyTo,
    from: { kind: m.fromKind, name: m.fromName },
    to: m.toInbox,
    type: m.type,
    priority: m.priority,
    subject: m.subject,
    body: m.body,
    instructionId: m.instructionId,
    taskId: m.taskId,
    stepPosition: m.stepPosition,
    createdAt: iso(m.createdAt)!,
    readAt: iso(m.readAt),
    answeredAt: iso(m.answeredAt),
    archivedAt: iso(m.archivedAt),
    sourcePath: m.sourcePath,
  };
}
export type MessageDto = ReturnType<typeof messageDto>;

export function eventDto(e: EventRow) {
  return {
    id: e.id,
    at: iso(e.at)!,
    actor: { kind: e.actorKind, id: e.actorId },
    verb: e.verb,
    entityKind: e.entityKind,
    entityId: e.entityId,
    instructionId: e.instructionId,
    taskId: e.taskId,
    before: e.before,
    after: e.after,
  };
}
export type EventDto = ReturnType<typeof eventDto>;

/**
 * A definition's path as stored by an older sync could be absolute: only its folder and file name
 * are shown (pure string work: this module is also imported for its types by browser code).
 */
function shownDefinitionPath(p: string | null): string | null {
  if (p == null || !(p.startsWith("/") || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith("\\"))) return p;
  return p
    .split(/[\\/]+/)
    .filter(Boolean)
    .slice(-2)
    .join("/");
}

/** Who an agent is, in short: the first fields of every view of an agent seen whole. */
export function agentIdentity(a: Pick<AgentRow, "name" | "title" | "description" | "tier" | "domain" | "model">) {
  return { name: a.name, title: a.title, description: a.description, tier: a.tier, domain: a.domain, model: a.model };
}

export function agentDto(a: AgentRow) {
  return {
    ...agentIdentity(a),
    color: a.color,
    capabilities: a.capabilities,
    tools: a.tools,
    steps: a.steps,
    stepsSource: a.stepsSource,
    memory: a.memory,
    resources: a.resources,
    extra: a.extra,
    sourcePath: shownDefinitionPath(a.sourcePath),
    active: a.active,
    leaseMinutes: a.leaseMinutes ?? 30,
  };
}
export type AgentDto = ReturnType<typeof agentDto>;
