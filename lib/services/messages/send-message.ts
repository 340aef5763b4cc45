import "server-only";
import { z } from "zod";
import { and, eq, isNull, sql } from "drizzle-orm";
import { agents, instructions, messages, PEOPLE_INBOX, tasks, type MessageRow } from "@/db/schema";
import { newId } from "@/lib/ids";
import { DEFAULT_MESSAGE_TYPE, DEFAULT_PRIORITY, isPeopleAlias, MESSAGE_TYPE_PATTERN } from "@/lib/domain/vocabulary";
import { actorId, type Actor } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import type { EventInput } from "../events";
import { messageDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requireWriter } from "../policy";
import { multiLineText, parseInput, prioritySchema, singleLineText } from "../validate";
import { checkLease, touchTaskForWrite } from "../tasks/load";
import { engineOf } from "@/db/engine";
import { jsonText, prepared } from "../prepared";
import { requireInboxWrite, requireSend } from "../access/memory-permissions";
import { channelOf, channelRow, isMember } from "./channels";

// Sending is a hot agent verb: its statements are prepared once per connection (prepared.ts).
const ph = (name: string) => sql`${sql.placeholder(name)}`;
const q = {
  agent: (tx: Tx) =>
    prepared(tx, "agents.exists", (d) =>
      d
        .select({ name: agents.name })
        .from(agents)
        .where(eq(agents.name, sql.placeholder("name")))
        .prepare(),
    ),
  insert: (tx: Tx) =>
    prepared(tx, "messages.insert", (d) =>
      d
        .insert(messages)
        .values({
          id: ph("id"),
          threadId: ph("threadId"),
          inReplyTo: ph("inReplyTo"),
          fromKind: ph("fromKind"),
          fromName: ph("fromName"),
          toInbox: ph("toInbox"),
          type: ph("type"),
          priority: ph("priority"),
          subject: ph("subject"),
          body: ph("body"),
          instructionId: ph("instructionId"),
          taskId: ph("taskId"),
          stepPosition: ph("stepPosition"),
          createdAt: ph("createdAt"),
          sourcePath: ph("sourcePath"),
          original: ph("original"),
        })
        .returning()
        .prepare(),
    ),
  answered: (tx: Tx) =>
    prepared(tx, "messages.answered", (d) =>
      d
        .update(messages)
        .set({ answeredAt: ph("at") })
        .where(and(eq(messages.id, sql.placeholder("id")), isNull(messages.answeredAt)))
        .prepare(),
    ),
};

// The agents that exist, per connection, as of the engine's change version (agents added, changed or
// removed move it: writeTx's accessChanged): every send names its recipient, and the lookup was a
// round trip of its own on PostgreSQL. Only names found are kept (an unknown one is looked up again).
const knownAgents = new WeakMap<object, { version: number; names: Set<string> }>();
function agentExists(tx: Tx, name: string): boolean {
  const engine = engineOf(tx);
  const key = (tx as unknown as { session?: object }).session ?? tx;
  const version = engine.changeVersion();
  let known = knownAgents.get(key);
  if (!known || known.version !== version) knownAgents.set(key, (known = { version, names: new Set() }));
  if (known.names.has(name)) return true;
  if (!q.agent(tx).get({ name })) return false;
  if (known.names.size >= 10_000) known.names.clear();
  known.names.add(name);
  return true;
}

export const SendMessageInput = z.strictObject({
  to: z.string().trim().min(1).max(80),
  type: z.string().trim().regex(MESSAGE_TYPE_PATTERN, "A message type is a lower-case word such as consultation").default(DEFAULT_MESSAGE_TYPE),
  subject: singleLineText(300).optional(),
  body: multiLineText(200_000, "A message needs a body"),
  priority: prioritySchema.default(DEFAULT_PRIORITY),
  instructionId: z.string().min(1).optional(),
  taskId: z.string().min(1).optional(),
  stepPosition: z.number().int().positive().optional(),
  inReplyTo: z.string().min(1).optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});
export type SendMessageInput = z.input<typeof SendMessageInput>;

function sender(actor: Actor): { fromKind: MessageRow["fromKind"]; fromName: string } {
  if (actor.kind === "agent") return { fromKind: "agent", fromName: actor.name };
  if (actor.kind === "person") return { fromKind: "person", fromName: actor.email };
  return { fromKind: "system", fromName: actorId(actor) };
}

/** May this actor see this message? An agent sees what it sent and what is in its own inbox. */
export function canSeeMessage(actor: Actor, m: Pick<MessageRow, "toInbox" | "fromKind" | "fromName">): boolean {
  if (actor.kind !== "agent") return true;
  return m.toInbox === actor.name || (m.fromKind === "agent" && m.fromName === actor.name);
}

export function loadVisibleMessage(tx: Tx, actor: Actor, id: string): MessageRow {
  const m = tx.select().from(messages).where(eq(messages.id, id)).get();
  if (!m || !canSeeMessage(actor, m)) throw notFound("Message", id);
  return m;
}

type Emit = (e: EventInput) => number;

export interface MessageOptions {
  /** Who the message is from when it is not the actor: the system's reminders and escalations (SYSTEM_SENDER). */
  from?: { fromKind: MessageRow["fromKind"]; fromName: string };
  /** Continues this thread without answering a message in it (a task's review conversation). */
  threadId?: string | null;
}

/** The name AgentDesk itself signs its reminders and escalations with. */
export const SYSTEM_SENDER = { fromKind: "system", fromName: "agentdesk" } as const satisfies MessageOptions["from"];

/** A message row as stored: the one insert every message goes through, and its message.sent event. */
export type NewMessage = Omit<MessageRow, "seq" | "readAt" | "answeredAt" | "archivedAt" | "sourcePath" | "original"> & Partial<Pick<MessageRow, "sourcePath" | "original">>;

/**
 * Stores a message and records message.sent, inside the caller's transaction. Every message is
 * created here: through insertMessage (send, reply, reminders, escalations, review responses) or,
 * for the folder bridge, with what the file says (`event` adds to the event, e.g. its source).
 */
export function storeMessage(tx: Tx, emit: Emit, m: NewMessage, event: Record<string, unknown> = {}): MessageRow {
  const row = q.insert(tx).get({ ...m, sourcePath: m.sourcePath ?? null, original: jsonText(m.original) })!;
  emit({
    verb: "message.sent",
    entityKind: "message",
    entityId: row.id,
    instructionId: row.instructionId,
    taskId: row.taskId,
    after: { from: row.fromName, to: row.toInbox, type: row.type, threadId: row.threadId, inReplyTo: row.inReplyTo, stepPosition: row.stepPosition, ...event },
  });
  return row;
}

/**
 * Sends the people's inbox a high-priority escalation (about a task, usually), inside the caller's
 * transaction: a run that ended early (finishRun), a lease that ran out (sweepLeases), the wakes'
 * loop guard (recordWake).
 */
export function escalateToPeople(tx: Tx, ctx: ServiceContext, at: number, emit: Emit, m: { subject: string; body: string; taskId?: string }, opts: MessageOptions = {}): MessageRow {
  return insertMessage(tx, ctx, at, emit, parseInput(SendMessageInput, { to: PEOPLE_INBOX, type: "escalation", priority: "high", ...m }), opts);
}

/**
 * Checks and inserts a message inside a caller's transaction (send, reply, reminders, escalations,
 * review responses). The sender is the actor unless `opts.from` says otherwise; only an agent
 * writing about its own task touches that task's lease.
 */
export function insertMessage(tx: Tx, ctx: ServiceContext, at: number, emit: Emit, input: z.output<typeof SendMessageInput>, opts: MessageOptions = {}): MessageRow {
  // Any of the people's names (peopleAliases) is stored as the people's inbox.
  const to = isPeopleAlias(input.to) ? PEOPLE_INBOX : input.to;
  const channel = channelOf(to);
  if (channel !== null) {
    // A broadcast channel: one that exists; an agent posts to a channel it is a member of, when its
    // Memory Ownership lets it post broadcasts (docs/folder-bridge.md).
    if (!channelRow(tx, channel)) throw new ServiceError("validation_failed", `No broadcast channel named ${channel}`, { fields: { to: [`Unknown channel ${channel}`] } });
    if (ctx.actor.kind === "agent" && !opts.from) {
      if (!isMember(tx, channel, ctx.actor.name)) throw new ServiceError("forbidden", `Agent ${ctx.actor.name} is not a member of the channel ${channel}`);
      requireInboxWrite(tx, ctx.actor.name, to, { broadcastInbox: to });
    }
  } else if (to !== PEOPLE_INBOX) {
    if (!agentExists(tx, to)) throw new ServiceError("validation_failed", `No agent or inbox named ${to}`, { fields: { to: [`Unknown recipient ${to}`] } });
  }
  // An agent sending in its own name (a reply too) writes only to the inboxes its Memory Ownership
  // names; the people's inbox is always open (docs/permissions.md). Checked before anything is written.
  if (!opts.from && channel === null) requireSend(tx, ctx.actor, to);
  // The thread first: a reply inherits the task its parent is about.
  let threadId: string | null = null;
  let parent: MessageRow | null = null;
  if (input.inReplyTo) {
    parent = loadVisibleMessage(tx, ctx.actor, input.inReplyTo);
    threadId = parent.threadId;
    // Guarded: of two replies committing at once, the first one's time stays.
    if (!parent.answeredAt) q.answered(tx).run({ at, id: parent.id });
  }
  let instructionId = input.instructionId ?? parent?.instructionId ?? null;
  const taskId = input.taskId ?? parent?.taskId ?? null;
  if (taskId) {
    // The task's updated_at and, when the sender is the agent holding it, its lease, in the statement
    // that reads it (touchTaskForWrite; a refusal below rolls it back). On PostgreSQL the row stays
    // locked until the commit: the lease token checked here is the task's until then.
    const task = touchTaskForWrite(tx, ctx.actor, taskId, at, true);
    // An agent writes about its own tasks, or answers in a thread about someone else's that reached it.
    const answering = parent !== null && parent.taskId === taskId;
    if (!task || (ctx.actor.kind === "agent" && task.assignedAgent !== ctx.actor.name && !answering)) throw notFound("Task", taskId);
    if (ctx.actor.kind === "agent" && task.assignedAgent === ctx.actor.name) checkLease(ctx.actor, task, input.leaseToken);
    instructionId ??= task.instructionId;
    if (instructionId !== task.instructionId) {
      throw new ServiceError("validation_failed", `Task ${taskId} is not part of ${instructionId}`, { fields: { instructionId: ["Does not match the task"] } });
    }
  } else if (input.stepPosition !== undefined) {
    throw new ServiceError("validation_failed", "A step is named only together with its task", { fields: { stepPosition: ["Needs taskId"] } });
  }
  if (instructionId && !taskId) {
    const inst = tx.select({ id: instructions.id }).from(instructions).where(eq(instructions.id, instructionId)).get();
    // An agent names an instruction it has a task in (or answers in a thread about one); any other
    // is "not found" in the words of one that does not exist.
    const answering = parent !== null && parent.instructionId === instructionId;
    const hidden =
      ctx.actor.kind === "agent" &&
      !answering &&
      !tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.instructionId, instructionId), eq(tasks.assignedAgent, ctx.actor.name)))
        .limit(1)
        .get();
    if (!inst || hidden) throw notFound("Instruction", instructionId);
  }
  const id = newId("msg", at);
  const row = storeMessage(tx, emit, {
    id,
    threadId: threadId ?? opts.threadId ?? id,
    inReplyTo: input.inReplyTo ?? null,
    ...(opts.from ?? sender(ctx.actor)),
    toInbox: to,
    type: input.type,
    priority: input.priority,
    subject: input.subject ?? "",
    body: input.body,
    instructionId,
    taskId,
    stepPosition: input.stepPosition ?? parent?.stepPosition ?? null,
    createdAt: at,
  });
  return row;
}

/**
 * Sends a message. READ COMMITTED on PostgreSQL: what the send decides from is its recipient (an agent
 * or a channel that exists), the task it is about (locked by touchTaskForWrite) and the parent it
 * answers; the inbox's unread counter is one row per inbox, which PostgreSQL's ON CONFLICT DO UPDATE
 * increments under its row lock, exact under any isolation. SERIALIZABLE made concurrent sends to one
 * inbox fail on that row and run again (some were refused 503 after the retries).
 */
export function sendMessage(ctx: ServiceContext, raw: SendMessageInput) {
  requireWriter(ctx.actor);
  const input = parseInput(SendMessageInput, raw);
  return writeTx(ctx, (tx, at, emit) => messageDto(insertMessage(tx, ctx, at, emit, input)), { isolation: "read-committed", eventsLater: true });
}
