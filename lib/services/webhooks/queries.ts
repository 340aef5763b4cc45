import "server-only";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { webhookAttempts, webhookDeliveries, webhooks, type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { notFound } from "../errors";
import { requirePerson } from "../policy";
import { webhookEventChoices } from "./subscriptions";
import { iso, webhookDto, type WebhookDto, type WebhookStats } from "./shared";

function stats(ctx: Pick<ServiceContext, "db">, w: WebhookRow): WebhookStats {
  const pending = ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, w.id), eq(webhookDeliveries.status, "pending")))
    .get()!.n;
  const last = ctx.db.select().from(webhookAttempts).where(eq(webhookAttempts.webhookId, w.id)).orderBy(desc(webhookAttempts.id)).limit(1).get();
  return {
    pending,
    lastAttempt: last ? { at: iso(last.at)!, statusCode: last.statusCode, error: last.error, ok: last.statusCode != null && last.statusCode >= 200 && last.statusCode < 300 } : null,
  };
}

/** Every webhook (admin), oldest first, never the secrets; with the events one may subscribe to. */
export function listWebhooks(ctx: ServiceContext): { items: WebhookDto[]; eventGroups: { key: string; label: string }[] } {
  requirePerson(ctx.actor, "admin");
  const rows = ctx.db.select().from(webhooks).orderBy(asc(webhooks.createdAt), asc(webhooks.id)).all();
  return { items: rows.map((w) => webhookDto(w, stats(ctx, w))), eventGroups: webhookEventChoices() };
}

export function getWebhook(ctx: ServiceContext, webhookId: string): WebhookDto {
  requirePerson(ctx.actor, "admin");
  const w = ctx.db.select().from(webhooks).where(eq(webhooks.id, webhookId)).get();
  if (!w) throw notFound("Webhook", webhookId);
  return webhookDto(w, stats(ctx, w));
}

function attemptDto(a: WebhookAttemptRow) {
  return { attempt: a.attempt, at: iso(a.at)!, durationMs: a.durationMs, statusCode: a.statusCode, error: a.error, responseExcerpt: a.responseExcerpt };
}

function deliveryDto(d: WebhookDeliveryRow, attempts: WebhookAttemptRow[]) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    verb: d.verb,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    createdAt: iso(d.createdAt)!,
    finishedAt: iso(d.finishedAt),
    log: attempts.map(attemptDto),
  };
}
export type WebhookDeliveryDto = ReturnType<typeof deliveryDto>;

/** The delivery log of a webhook (admin): its newest deliveries, each with its attempts (oldest first). */
export function listWebhookDeliveries(ctx: ServiceContext, webhookId: string, q: { limit?: number } = {}): WebhookDeliveryDto[] {
  requirePerson(ctx.actor, "admin");
  if (!ctx.db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.id, webhookId)).get()) throw notFound("Webhook", webhookId);
  const rows = ctx.db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(Math.min(q.limit ?? 50, 200))
    .all();
  const ids = rows.map((r) => r.id);
  const attempts = ids.length ? ctx.db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)).orderBy(asc(webhookAttempts.id)).all() : [];
  const by = new Map<string, WebhookAttemptRow[]>();
  for (const a of attempts) by.set(a.deliveryId, [...(by.get(a.deliveryId) ?? []), a]);
  return rows.map((d) => deliveryDto(d, by.get(d.id) ?? []));
}
