import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { messages } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { messageDto } from "../dto";
import { ServiceError } from "../errors";
import { requireWriter } from "../policy";
import { parseInput } from "../validate";
import { loadVisibleMessage } from "./send-message";

export const MarkMessageInput = z
  .strictObject({
    messageId: z.string().min(1),
    read: z.boolean().optional(),
    archived: z.boolean().optional(),
  })
  .refine((v) => v.read !== undefined || v.archived !== undefined, { message: "Say read or archived" });

/** Read / unread / archive / unarchive. An agent marks only messages in its own inbox. */
export function markMessage(ctx: ServiceContext, raw: z.input<typeof MarkMessageInput>) {
  requireWriter(ctx.actor);
  const input = parseInput(MarkMessageInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const m = loadVisibleMessage(tx, ctx.actor, input.messageId);
    if (ctx.actor.kind === "agent" && m.toInbox !== ctx.actor.name) {
      throw new ServiceError("forbidden", "Only the recipient marks a message");
    }
    const patch: Partial<typeof m> = {};
    if (input.read !== undefined && input.read !== (m.readAt != null)) patch.readAt = input.read ? at : null;
    if (input.archived !== undefined && input.archived !== (m.archivedAt != null)) patch.archivedAt = input.archived ? at : null;
    if (Object.keys(patch).length === 0) return messageDto(m);
    const row = tx.update(messages).set(patch).where(eq(messages.id, m.id)).returning().get();
    emit({
      verb: "message.marked",
      entityKind: "message",
      entityId: m.id,
      instructionId: m.instructionId,
      taskId: m.taskId,
      before: { read: m.readAt != null, archived: m.archivedAt != null, inbox: m.toInbox },
      after: { read: row.readAt != null, archived: row.archivedAt != null, inbox: m.toInbox },
    });
    return messageDto(row);
  });
}
