import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { webhookDeliveries, webhooks } from "@/db/schema";
import { newId } from "@/lib/ids";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { deliveryBody } from "./payload";
import { iso, WEBHOOK_ENTITY } from "./shared";

export const SendTestWebhookInput = z.strictObject({
  webhookId: z.string().min(1),
  /** The dashboard's address, for the link in the body. */
  baseUrl: z.string().url(),
});

/**
 * Queues a test delivery (admin), even to a paused webhook: stored here, sent by the delivery
 * worker off the request path like any other (signed, retried, in the log). The answer is the
 * delivery to look for in the log.
 */
export function sendTestWebhook(ctx: ServiceContext, raw: z.input<typeof SendTestWebhookInput>): { deliveryId: string; webhookId: string; status: "pending"; createdAt: string } {
  requirePerson(ctx.actor, "admin");
  const input = parseInput(SendTestWebhookInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const w = tx.select().from(webhooks).where(eq(webhooks.id, input.webhookId)).get();
    if (!w) throw notFound("Webhook", input.webhookId);
    const id = newId("whd", at);
    const body = deliveryBody({ deliveryId: id, format: w.format, baseUrl: input.baseUrl, createdAt: at, event: null, context: {}, webhookId: w.id });
    tx.insert(webhookDeliveries).values({ id, webhookId: w.id, eventId: null, verb: "webhook.test", body, status: "pending", nextAttemptAt: at, createdAt: at }).run();
    // The event also wakes the delivery worker of this process (it follows commits).
    emit({ verb: "webhook.test_requested", entityKind: WEBHOOK_ENTITY, entityId: w.id, after: { deliveryId: id } });
    return { deliveryId: id, webhookId: w.id, status: "pending" as const, createdAt: iso(at)! };
  });
}
