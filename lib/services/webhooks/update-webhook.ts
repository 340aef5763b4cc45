import "server-only";
import type { z } from "zod";
import { eq } from "drizzle-orm";
import { webhooks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { checkWebhookUrl } from "./url-guard";
import { UpdateWebhookInput, urlOrigin, WEBHOOK_ENTITY, webhookDto, type WebhookDto } from "./shared";

/**
 * Changes a webhook (admin): its URL, description, events, body format, or pauses/resumes it. A
 * paused webhook sends nothing; on resume it gets the events from then on, not those of the pause.
 */
export function updateWebhook(ctx: ServiceContext, raw: z.input<typeof UpdateWebhookInput>): WebhookDto {
  requirePerson(ctx.actor, "admin");
  const input = parseInput(UpdateWebhookInput, raw);
  const url = input.url === undefined ? undefined : checkWebhookUrl(input.url);
  return writeTx(ctx, (tx, at, emit) => {
    const w = tx.select().from(webhooks).where(eq(webhooks.id, input.webhookId)).get();
    if (!w) throw notFound("Webhook", input.webhookId);
    const set = {
      ...(url !== undefined && url !== w.url ? { url } : {}),
      ...(input.description !== undefined && input.description !== w.description ? { description: input.description } : {}),
      ...(input.events !== undefined && JSON.stringify(input.events) !== JSON.stringify(w.events) ? { events: input.events } : {}),
      ...(input.format !== undefined && input.format !== w.format ? { format: input.format } : {}),
      ...(input.active !== undefined && input.active !== w.active ? { active: input.active } : {}),
    };
    if (Object.keys(set).length === 0) return webhookDto(w);
    const resumed = set.active === true;
    const verb = set.active === false ? "webhook.paused" : resumed ? "webhook.resumed" : "webhook.updated";
    const describe = (v: Partial<typeof w>) => ({
      ...("url" in v ? { origin: urlOrigin(v.url!) } : {}),
      ...("events" in v ? { events: v.events } : {}),
      ...("format" in v ? { format: v.format } : {}),
      ...("active" in v ? { active: v.active } : {}),
      ...("description" in v ? { description: v.description } : {}),
    });
    const before = describe(Object.fromEntries(Object.keys(set).map((k) => [k, w[k as keyof typeof w]])) as Partial<typeof w>);
    const eventId = emit({ verb, entityKind: WEBHOOK_ENTITY, entityId: w.id, before, after: describe(set) });
    const row = tx
      .update(webhooks)
      .set({ ...set, updatedAt: at, ...(resumed ? { sinceEventId: eventId } : {}) })
      .where(eq(webhooks.id, w.id))
      .returning()
      .get()!;
    return webhookDto(row);
  });
}
