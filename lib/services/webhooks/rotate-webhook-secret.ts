import "server-only";
import { eq } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound } from "../errors";
import { requirePerson } from "../policy";
import { newWebhookSecret, WEBHOOK_ENTITY, webhookDto, type WebhookDto } from "./shared";

/**
 * A new signing secret (admin), in the answer this once. Every attempt from now on is signed with
 * it, retries of older deliveries included: the old secret stops working at once.
 */
export function rotateWebhookSecret(ctx: ServiceContext, webhookId: string): WebhookDto & { secret: string } {
  requirePerson(ctx.actor, "admin");
  return writeTx(ctx, (tx, at, emit) => {
    const w = tx.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, webhookId)).get();
    if (!w) throw notFound("Webhook", webhookId);
    const secret = newWebhookSecret();
    const row = tx.update(webhooks).set({ secret, updatedAt: at }).where(eq(webhooks.id, webhookId)).returning().get()!;
    emit({ verb: "webhook.secret_rotated", entityKind: WEBHOOK_ENTITY, entityId: webhookId });
    return { ...webhookDto(row), secret };
  });
}
