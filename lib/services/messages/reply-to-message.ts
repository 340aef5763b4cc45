import "server-only";
import { z } from "zod";
import { PEOPLE_INBOX } from "@/db/schema";
import { DEFAULT_REPLY_TYPE, MESSAGE_TYPE_PATTERN, replyTypes } from "@/lib/domain/vocabulary";
import type { Actor } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { messageDto } from "../dto";
import { requireWriter } from "../policy";
import { multiLineText, parseInput, prioritySchema } from "../validate";
import { insertMessage, loadVisibleMessage } from "./send-message";
import { findTask } from "../tasks/load";

export const ReplyToMessageInput = z.strictObject({
  messageId: z.string().min(1),
  body: multiLineText(200_000, "A reply needs a body"),
  type: z.string().regex(MESSAGE_TYPE_PATTERN).optional(),
  priority: prioritySchema.optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});

/** The reply types the protocol uses for each kind of request (a Map: message types are chosen by senders, `constructor` included). */
const replyType = new Map<string, string>(Object.entries(replyTypes));

/**
 * Where `actor`'s reply to `parent` lands, and its type. The reply goes to whoever sent the message:
 * a person's message came from the people's inbox, so a reply to it lands there; a reply to an agent
 * lands in that agent's inbox. A follow-up on one's own message goes to its recipient instead. A
 * person answering AgentDesk's own message about a task (a run that ended early, a lease that ran
 * out) answers the agent of that task (`taskAgent`), so the answer can wake it.
 * getThread sends this with every message, so the dashboard shows the recipient the server will use.
 */
export function replyAddress(actor: Actor, parent: { fromKind: string; fromName: string; toInbox: string; type: string }, taskAgent: string | null = null): { to: string; type: string } {
  if (parent.fromKind === "system" && taskAgent && actor.kind === "person") return { to: taskAgent, type: replyType.get(parent.type) ?? DEFAULT_REPLY_TYPE };
  const sender = parent.fromKind === "agent" ? parent.fromName : PEOPLE_INBOX;
  // Following up on one's own message continues the conversation with its recipient.
  const own = actor.kind === "agent" ? parent.fromKind === "agent" && parent.fromName === actor.name : parent.fromKind !== "agent" && actor.kind === "person";
  return { to: own ? parent.toInbox : sender, type: replyType.get(parent.type) ?? DEFAULT_REPLY_TYPE };
}

/** Replies in the thread, to the address replyAddress gives. */
export function replyToMessage(ctx: ServiceContext, raw: z.input<typeof ReplyToMessageInput>) {
  requireWriter(ctx.actor);
  const input = parseInput(ReplyToMessageInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const parent = loadVisibleMessage(tx, ctx.actor, input.messageId);
    const address = replyAddress(ctx.actor, parent, parent.fromKind === "system" && parent.taskId ? (findTask(tx, parent.taskId)?.assignedAgent ?? null) : null);
    const subject = parent.subject && !/^re:/i.test(parent.subject) ? `Re: ${parent.subject}` : parent.subject;
    const row = insertMessage(tx, ctx, at, emit, {
      to: address.to,
      type: input.type ?? address.type,
      subject,
      body: input.body,
      priority: input.priority ?? parent.priority,
      inReplyTo: parent.id,
      leaseToken: input.leaseToken,
    });
    return messageDto(row);
  });
}
