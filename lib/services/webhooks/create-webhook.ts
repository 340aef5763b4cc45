import "server-only";
import type { z } from "zod";
import { webhooks } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { checkWebhookUrl } from "./url-guard";
import { CreateWebhookInput, newWebhookSecret, urlOrigin, WEBHOOK_ENTITY, webhookDto, type WebhookDto } from "./shared";
import { eq } from "drizzle-orm";

/** Adds a webhook (admin). The signing secret is in the answer this once, never again. */
export function createWebhook(ctx: ServiceContext, raw: z.input<typeof CreateWebhookInput>): WebhookDto & { secret: string } {
  requirePerson(ctx.actor, "admin");
  const input = parseInput(CreateWebhookInput, raw);
  const url = checkWebhookUrl(input.url);
  return writeTx(ctx, (tx, at, emit) => {
    const secret = newWebhookSecret();
    const id = newId("whk", at);
    tx.insert(webhooks)
      .values({
        id,
        url,
        description: input.description,
        events: input.events,
        format: input.format,
        secret,
        active: input.active,
        sinceEventId: 0,
        createdBy: actorId(ctx.actor),
        createdAt: at,
        updatedAt: at,
      })
      .run();
    const eventId = emit({ verb: "webhook.created", entityKind: WEBHOOK_ENTITY, entityId: id, after: { origin: urlOrigin(url), events: input.events, format: input.format, active: input.active } });
    // Only events after this one are delivered: a new webhook does not receive the past.
    const row = tx.update(webhooks).set({ sinceEventId: eventId }).where(eq(webhooks.id, id)).returning().get()!;
    return { ...webhookDto(row), secret };
  });
}
