import "server-only";
import { z } from "zod";
import { and, eq, or } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { instructions, messages, PEOPLE_INBOX, tasks, type MessageRow } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorKinds } from "@/lib/domain/vocabulary";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import type { EventInput } from "../events";
import { storeMessage } from "../messages/send-message";
import { messageDto } from "../dto";
import { parseInput, prioritySchema } from "../validate";
import { requireInboxWrite } from "../access/memory-permissions";
import { channelOf, ensureChannel, isChannelInbox } from "../messages/channels";
import { AgentNameInput, ensureAgentRow, keptOriginal, MESSAGE_ID_PATTERN, PROTOCOL_AGENT_PATTERN, requireBridge, same, SourcePathInput, TASK_REF_PATTERN, type ImportOutcome } from "./shared";

/** The pseudo-inbox of `_communication/broadcast/`: one message that every agent reads. */
export const BROADCAST_INBOX = "broadcast";

export const ImportMessageInput = z.strictObject({
  /** `message_id` written in the file (by an export); kept when free, so threads survive a round trip. */
  id: z.string().regex(MESSAGE_ID_PATTERN).optional(),
  sourcePath: SourcePathInput,
  fromKind: z.enum(actorKinds),
  fromName: z.string().min(1).max(320),
  toInbox: z.string().refine((v) => v === PEOPLE_INBOX || v === BROADCAST_INBOX || PROTOCOL_AGENT_PATTERN.test(v) || isChannelInbox(v), "An agent name, hitl, broadcast or broadcast:{channel}"),
  /** A channel message's recipients (agent names): added to the channel's members. */
  channelMembers: z.array(AgentNameInput).max(500).optional(),
  type: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
  priority: prioritySchema.default("normal"),
  subject: z.string().max(300).default(""),
  body: z.string().max(1_000_000).default(""),
  instructionId: z.string().max(100).nullable().default(null),
  taskRef: z.string().regex(TASK_REF_PATTERN).nullable().default(null),
  /** A message id, or the file name of the message answered (`consultation_20260103_140000.yaml`). */
  inReplyTo: z.string().max(300).nullable().default(null),
  threadId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/)
    .nullable()
    .default(null),
  stepPosition: z.number().int().positive().nullable().default(null),
  createdAt: z.number().int().nonnegative(),
  createdAtKnown: z.boolean().default(false),
  original: z.record(z.string(), z.unknown()),
});
export type ImportMessageInput = z.input<typeof ImportMessageInput>;

function findParent(tx: Tx, ref: string): MessageRow | undefined {
  if (MESSAGE_ID_PATTERN.test(ref)) return tx.select().from(messages).where(eq(messages.id, ref)).get();
  const name = ref.split("/").pop()!;
  const withExt = /\.ya?ml$/.test(name) ? [name] : [`${name}.yaml`, `${name}.yml`];
  const esc = (s: string) => s.replace(/[\\%_]/g, (c) => "\\" + c);
  return tx
    .select()
    .from(messages)
    .where(or(...withExt.map((n) => dialect(tx).ilike(messages.sourcePath, "%/" + esc(n)))))
    .orderBy(messages.createdAt)
    .limit(1)
    .get();
}

/**
 * Upserts an inbox message from a file. The file is the identity (its path, or the `message_id` an
 * export wrote into it); re-importing it unchanged writes nothing and appends no event.
 */
export function importMessage(ctx: ServiceContext, raw: ImportMessageInput) {
  requireBridge(ctx.actor);
  const input = parseInput(ImportMessageInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const eventIds: number[] = [];
    if (input.fromKind === "agent") ensureAgentRow(tx, emit, at, input.fromName, eventIds);
    const channel = channelOf(input.toInbox);
    if (channel !== null) ensureChannel(tx, at, channel, input.channelMembers ?? []);
    else if (input.toInbox !== PEOPLE_INBOX && input.toInbox !== BROADCAST_INBOX) ensureAgentRow(tx, emit, at, input.toInbox, eventIds);

    let before: MessageRow | undefined;
    if (input.id) {
      const byId = tx.select().from(messages).where(eq(messages.id, input.id)).get();
      // The same id in another inbox is a copy someone made, not this message.
      if (byId && byId.toInbox === input.toInbox) before = byId;
    }
    before ??= tx.select().from(messages).where(eq(messages.sourcePath, input.sourcePath)).get();

    const instructionId = input.instructionId && tx.select({ id: instructions.id }).from(instructions).where(eq(instructions.id, input.instructionId)).get() ? input.instructionId : null;
    const taskId =
      instructionId && input.taskRef
        ? (tx
            .select({ id: tasks.id })
            .from(tasks)
            .where(and(eq(tasks.instructionId, instructionId), eq(tasks.ref, input.taskRef)))
            .get()?.id ?? null)
        : null;
    const parent = input.inReplyTo ? findParent(tx, input.inReplyTo) : undefined;
    const usable = parent && parent.id !== before?.id ? parent : undefined;
    // What the file says of the message: stored as is on a new one, compared with the row on a known one.
    const content = {
      fromKind: input.fromKind,
      fromName: input.fromName,
      type: input.type,
      priority: input.priority,
      subject: input.subject,
      body: input.body,
      instructionId,
      taskId,
      stepPosition: taskId ? input.stepPosition : null,
    };

    // A message an agent wrote into an inbox its Memory Ownership does not write (or a broadcast it
    // may not post) is not imported: the refusal names the rule, the bridge reports the file.
    const mayWrite = () => {
      if (input.fromKind === "agent") requireInboxWrite(tx, input.fromName, input.toInbox, { broadcastInbox: channel !== null ? input.toInbox : BROADCAST_INBOX });
    };

    if (!before) {
      mayWrite();
      const free = input.id && !tx.select({ id: messages.id }).from(messages).where(eq(messages.id, input.id)).get();
      const id = free ? input.id! : newId("msg", at);
      const record = (e: EventInput) => {
        const eventId = emit(e);
        eventIds.push(eventId);
        return eventId;
      };
      const row = storeMessage(
        tx,
        record,
        {
          id,
          threadId: usable?.threadId ?? input.threadId ?? id,
          inReplyTo: usable?.id ?? null,
          toInbox: input.toInbox,
          ...content,
          createdAt: input.createdAt,
          sourcePath: input.sourcePath,
          original: input.original,
        },
        { source: "folder", sourcePath: input.sourcePath },
      );
      if (usable && !usable.answeredAt) tx.update(messages).set({ answeredAt: row.createdAt }).where(eq(messages.id, usable.id)).run();
      return { outcome: "created" as ImportOutcome, message: messageDto(row), eventIds };
    }

    const desired: Partial<MessageRow> = { ...content, original: keptOriginal(before.original, input.original, ["message_id", "thread_id", "in_reply_to", "timestamp", "to", "step_position"]) };
    if (input.createdAtKnown) desired.createdAt = input.createdAt;
    if (usable) {
      desired.inReplyTo = usable.id;
      desired.threadId = usable.threadId;
    }
    const changed = Object.keys(desired).filter((k) => !same(before[k as keyof MessageRow], desired[k as keyof MessageRow]));
    if (changed.length === 0) return { outcome: "unchanged" as ImportOutcome, message: messageDto(before), eventIds };
    mayWrite();
    const row = tx.update(messages).set(desired).where(eq(messages.id, before.id)).returning().get();
    const shown = changed.filter((k) => k !== "original" && k !== "body");
    eventIds.push(
      emit({
        verb: "message.updated_from_file",
        entityKind: "message",
        entityId: row.id,
        instructionId: row.instructionId,
        taskId: row.taskId,
        before: Object.fromEntries(shown.map((k) => [k, before[k as keyof MessageRow]])),
        after: { ...Object.fromEntries(shown.map((k) => [k, row[k as keyof MessageRow]])), to: row.toInbox, bodyChanged: changed.includes("body"), source: "folder" },
      }),
    );
    return { outcome: "updated" as ImportOutcome, message: messageDto(row), eventIds };
  });
}
