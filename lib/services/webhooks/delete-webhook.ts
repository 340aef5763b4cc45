import "server-only";
import { eq } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound } from "../errors";
import { requirePerson } from "../policy";
import { urlOrigin, WEBHOOK_ENTITY, webhookDto, type WebhookDto } from "./shared";

/** Deletes a webhook (admin) with its deliveries and their log; nothing more is sent to it. */
export function deleteWebhook(ctx: ServiceContext, webhookId: string): WebhookDto {
  requirePerson(ctx.actor, "admin");
  return writeTx(ctx, (tx, _at, emit) => {
    const w = tx.select().from(webhooks).where(eq(webhooks.id, webhookId)).get();
    if (!w) throw notFound("Webhook", webhookId);
    tx.delete(webhooks).where(eq(webhooks.id, webhookId)).run();
    emit({ verb: "webhook.deleted", entityKind: WEBHOOK_ENTITY, entityId: w.id, before: { origin: urlOrigin(w.url), events: w.events } });
    return webhookDto(w);
  });
}
