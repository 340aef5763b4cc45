import { z } from "zod";
import { PEOPLE_INBOX } from "@/db/schema";
import { DEFAULT_REPLY_TYPE, MESSAGE_TYPE_PATTERN, replyTypes } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { messageDto } from "../dto";
import { requireWriter } from "../policy";
import { multiLineText, parseInput, prioritySchema } from "../validate";
import { insertMessage, loadVisibleMessage } from "./send-message";

export const ReplyToMessageInput = z.strictObject({
  messageId: z.string().min(1),
  body: multiLineText(200_000, "A reply needs a body"),
  type: z
    .string()
    .regex(MESSAGE_TYPE_PATTERN)
    .optional(),
  priority: prioritySchema.optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});

/** The reply types the protocol uses for each kind of request (a Map: message types are chosen by senders, `constructor` included). */
const replyType = new Map<string, string>(Object.entries(replyTypes));

/**
 * Replies in the thread. The reply goes to whoever sent the message: a person's message came from
 * the people's inbox, so a reply to it lands there; a reply to an agent lands in that agent's inbox.
 * A follow-up on one's own message goes to its recipient instead.
 */
export function replyToMessage(ctx: ServiceContext, raw: z.input<typeof ReplyToMessageInput>) {
  requireWriter(ctx.actor);
  const input = parseInput(ReplyToMessageInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const parent = loadVisibleMessage(tx, ctx.actor, input.messageId);
    const sender = parent.fromKind === "agent" ? parent.fromName : PEOPLE_INBOX;
    // Following up on one's own message continues the conversation with its recipient.
    const own = ctx.actor.kind === "agent" ? parent.fromKind === "agent" && parent.fromName === ctx.actor.name : parent.fromKind !== "agent" && ctx.actor.kind === "person";
    const to = own ? parent.toInbox : sender;
    const subject = parent.subject && !/^re:/i.test(parent.subject) ? `Re: ${parent.subject}` : parent.subject;
    const row = insertMessage(tx, ctx, at, emit, {
      to,
      type: input.type ?? replyType.get(parent.type) ?? DEFAULT_REPLY_TYPE,
      subject,
      body: input.body,
      priority: input.priority ?? parent.priority,
      inReplyTo: parent.id,
      leaseToken: input.leaseToken,
    });
    return messageDto(row);
  });
}
