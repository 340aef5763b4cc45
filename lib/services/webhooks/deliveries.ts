import "server-only";
import { and, asc, eq, getTableColumns, inArray, isNull, lt, lte, notInArray, or, sql } from "drizzle-orm";
import { dialect, type Handle } from "@/db/engine";
import { events, instructions, messages, runs, tasks, webhookAttempts, webhookCursor, webhookDeliveries, webhooks, type WebhookDeliveryRow, type WebhookRow } from "@/db/schema";
import { newId } from "@/lib/ids";
import { immediateTx, nowOf, type ServiceContext, type Tx } from "../context";
import { ServiceError } from "../errors";
import { wantsEvent } from "./subscriptions";
import { deliveryBody, type EventContext, type WebhookEvent } from "./payload";

/*
 * The delivery worker's verbs (lib/ops/webhooks.ts, as the system actor). None appends an event:
 * the attempts are the webhook's own log, and an event per attempt would feed the follower itself.
 */

/** 1 min, 5 min, 30 min, 2 h, 6 h: six attempts over about nine hours (docs/webhooks.md). */
export const DEFAULT_WEBHOOK_BACKOFF_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const;
/** Finished deliveries kept per webhook for the log (the oldest go first). */
export const KEEP_FINISHED_DELIVERIES = 200;
const EXCERPT_CHARS = 500;

function requireSystem(ctx: ServiceContext) {
  if (ctx.actor.kind !== "system") throw new ServiceError("forbidden", "Only the delivery worker may do this");
}

function contextOf(tx: Tx, e: WebhookEvent): EventContext {
  const c: EventContext = {};
  if (e.taskId) c.task = tx.select({ id: tasks.id, title: tasks.title, status: tasks.status, assignedAgent: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, e.taskId)).get() ?? null;
  if (e.entityKind === "message")
    c.message =
      tx
        .select({ id: messages.id, threadId: messages.threadId, fromName: messages.fromName, toInbox: messages.toInbox, type: messages.type, subject: messages.subject, body: messages.body })
        .from(messages)
        .where(eq(messages.id, e.entityId))
        .get() ?? null;
  if (e.entityKind === "run") c.run = tx.select({ id: runs.id, agentName: runs.agentName }).from(runs).where(eq(runs.id, e.entityId)).get() ?? null;
  if (e.entityKind === "instruction") c.instruction = tx.select({ id: instructions.id, title: instructions.title }).from(instructions).where(eq(instructions.id, e.entityId)).get() ?? null;
  return c;
}

const deliverable = (e: WebhookEvent) => !e.verb.startsWith("webhook.");

/**
 * Of these event ids (0: before every event), the first or the last in the follower order
 * (db/engine eventsOrder). On PostgreSQL that is not the smallest or largest id: an event can
 * commit late with a lower id, and followers read it after the later ids.
 */
function edgeOf(h: Handle, ids: number[], which: "first" | "last"): number {
  const known = [...new Set(ids.filter((id) => id > 0))];
  if (which === "first" && known.length < ids.length) return 0;
  if (known.length <= 1) return known[0] ?? 0;
  const r = h
    .select({ id: events.id })
    .from(events)
    .where(inArray(events.id, known))
    .orderBy(dialect(h).eventsOrder(which === "last"))
    .limit(1)
    .get();
  return r?.id ?? 0;
}

/**
 * The events follower: reads the events after its high-water mark and stores one delivery per
 * (webhook, event) the webhook wants, in the same transaction as the new mark. A crash before the
 * commit stores nothing and moves nothing; after it, the deliveries are on disk before any is sent.
 * Two servers on one file store each delivery once (unique webhook_id, event_id).
 *
 * The mark and each webhook's since_event_id (its creation's or resumption's event) are event ids
 * read as positions in the follower order, as the live streams read theirs (db/engine
 * eventsAfter): a webhook gets the events after its own event in that order, so one that commits
 * after the webhook was created with a lower id is delivered, and none is read twice.
 */
export function collectWebhookDeliveries(
  ctx: ServiceContext,
  opts: {
    baseUrl: string;
    batch?: number;
    /** Checked in the transaction before anything is stored: false (this replica lost the `webhooks` lease) stores nothing. */
    fence?: (tx: Tx) => boolean;
  },
): { stored: number; more: boolean } {
  requireSystem(ctx);
  const active = () => ctx.db.select().from(webhooks).where(eq(webhooks.active, true)).all();
  const hooks0 = active();
  if (!hooks0.length) return { stored: 0, more: false };
  const cursor = () => ctx.db.select().from(webhookCursor).where(eq(webhookCursor.id, 1)).get()?.lastEventId ?? 0;
  // Nothing a webhook wants comes before its since_event_id: no need to read before the first of them.
  const fromOf = (hooks: WebhookRow[]) => {
    const first = edgeOf(
      ctx.db,
      hooks.map((h) => h.sinceEventId),
      "first",
    );
    return edgeOf(ctx.db, [cursor(), first], "last");
  };
  const d = dialect(ctx.db);
  // Anything to read? (Not "a newer id than the mark": on PostgreSQL an event can commit late with
  // a lower id, and the follower order is the engine's, db/engine eventsAfter.)
  const any = ctx.db
    .select({ id: events.id })
    .from(events)
    .where(d.eventsAfter(fromOf(hooks0)))
    .limit(1)
    .get();
  if (!any) return { stored: 0, more: false };
  const batch = opts.batch ?? 500;
  return immediateTx(ctx.db, (tx) => {
    if (opts.fence && !opts.fence(tx)) return { stored: 0, more: false };
    const hooks = active();
    if (!hooks.length) return { stored: 0, more: false };
    const from = fromOf(hooks);
    // Per event, whether it comes after each webhook's since_event_id ('1' or '0' in the hooks' order).
    const afterSince = sql<string>`${sql.join(
      hooks.map((h) => sql`CASE WHEN ${d.eventsAfter(h.sinceEventId)} THEN '1' ELSE '0' END`),
      sql` || `,
    )}`;
    const rows = tx
      .select({ ...getTableColumns(events), afterSince })
      .from(events)
      .where(d.eventsAfter(from))
      .orderBy(d.eventsOrder())
      .limit(batch)
      .all();
    if (!rows.length) return { stored: 0, more: false };
    const at = nowOf(ctx);
    let stored = 0;
    for (const { afterSince: wanted, ...row } of rows) {
      const e = row as WebhookEvent;
      if (!deliverable(e)) continue;
      let context: EventContext | undefined;
      for (const [i, h] of hooks.entries()) {
        if (wanted[i] !== "1" || !wantsEvent(h.events, e)) continue;
        context ??= contextOf(tx, e);
        const id = newId("whd", at);
        const body = deliveryBody({ deliveryId: id, format: h.format, baseUrl: opts.baseUrl, createdAt: at, event: e, context, webhookId: h.id });
        const r = tx.insert(webhookDeliveries).values({ id, webhookId: h.id, eventId: e.id, verb: e.verb, body, status: "pending", nextAttemptAt: at, createdAt: at }).onConflictDoNothing().run();
        stored += r.changes;
      }
    }
    // The mark is the last event read, set (not the larger of the two): in the follower order a later
    // event may have a lower id. One collector runs at a time (the `webhooks` lease, server.ts); if two
    // ever overlap, each delivery is still stored once (unique webhook_id, event_id).
    const last = rows[rows.length - 1].id;
    tx.insert(webhookCursor)
      .values({ id: 1, lastEventId: last, updatedAt: at })
      .onConflictDoUpdate({ target: webhookCursor.id, set: { lastEventId: last, updatedAt: at } })
      .run();
    return { stored, more: rows.length === batch };
  });
}

/** Deliveries due now, oldest first: pending, their time come, not being sent, their webhook active (a test goes anyway). */
export function dueWebhookDeliveries(ctx: ServiceContext, q: { limit: number; skipWebhooks?: string[] }): { id: string; webhookId: string }[] {
  requireSystem(ctx);
  const now = nowOf(ctx);
  return ctx.db
    .select({ id: webhookDeliveries.id, webhookId: webhookDeliveries.webhookId })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(
      and(
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
        or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now)),
        or(eq(webhooks.active, true), eq(webhookDeliveries.verb, "webhook.test")),
        q.skipWebhooks?.length ? notInArray(webhookDeliveries.webhookId, q.skipWebhooks) : undefined,
      ),
    )
    .orderBy(asc(webhookDeliveries.nextAttemptAt), asc(webhookDeliveries.id))
    .limit(q.limit)
    .all();
}

/**
 * Takes a due delivery for sending until `now + lockMs` (a guarded UPDATE: of two workers, one
 * gets it). Null when it is gone, done, not due or taken. The webhook's URL, secret and format are
 * read now: a change or a rotated secret applies to the next attempt.
 */
export function claimWebhookDelivery(ctx: ServiceContext, deliveryId: string, lockMs: number): { delivery: WebhookDeliveryRow; webhook: WebhookRow } | null {
  requireSystem(ctx);
  const now = nowOf(ctx);
  return immediateTx(ctx.db, (tx) => {
    const delivery = tx
      .update(webhookDeliveries)
      .set({ lockedUntil: now + lockMs })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          eq(webhookDeliveries.status, "pending"),
          lte(webhookDeliveries.nextAttemptAt, now),
          or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now)),
        ),
      )
      .returning()
      .get();
    if (!delivery) return null;
    const webhook = tx.select().from(webhooks).where(eq(webhooks.id, delivery.webhookId)).get();
    return webhook ? { delivery, webhook } : null;
  });
}

export interface AttemptResult {
  deliveryId: string;
  at: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseText: string;
}

/**
 * Writes an attempt to the log and decides: a 2xx answer delivers; otherwise the next attempt
 * waits `backoffMs[n-1]` after attempt n, and after the last one the delivery has failed.
 */
export function recordWebhookAttempt(ctx: ServiceContext, r: AttemptResult, backoffMs: readonly number[] = DEFAULT_WEBHOOK_BACKOFF_MS): WebhookDeliveryRow | null {
  requireSystem(ctx);
  return immediateTx(ctx.db, (tx) => {
    const d = tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, r.deliveryId)).get();
    // Deleted with its webhook meanwhile, or already recorded by another worker.
    if (!d || d.status !== "pending") return d ?? null;
    const attempt = d.attempts + 1;
    const ok = r.statusCode != null && r.statusCode >= 200 && r.statusCode < 300;
    tx.insert(webhookAttempts)
      .values({
        deliveryId: d.id,
        webhookId: d.webhookId,
        attempt,
        at: r.at,
        durationMs: Math.max(0, Math.round(r.durationMs)),
        statusCode: r.statusCode,
        error: r.error ? r.error.slice(0, 300) : null,
        responseExcerpt: r.responseText.slice(0, EXCERPT_CHARS),
      })
      .run();
    const finished = ok || attempt > backoffMs.length;
    const end = r.at + Math.max(0, Math.round(r.durationMs));
    const row = tx
      .update(webhookDeliveries)
      .set({
        attempts: attempt,
        status: ok ? "delivered" : finished ? "failed" : "pending",
        nextAttemptAt: finished ? null : end + backoffMs[attempt - 1],
        lockedUntil: null,
        lastStatus: r.statusCode,
        lastError: ok ? null : (r.error ?? `HTTP ${r.statusCode}`).slice(0, 300),
        finishedAt: finished ? end : null,
      })
      .where(eq(webhookDeliveries.id, d.id))
      .returning()
      .get()!;
    if (finished) {
      // The log keeps the newest finished deliveries of each webhook.
      tx.run(
        sql`DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE webhook_id = ${d.webhookId} AND status != 'pending' ORDER BY created_at DESC, id DESC ${dialect(tx).limitAll()} OFFSET ${KEEP_FINISHED_DELIVERIES})`,
      );
    }
    return row;
  });
}

/** Gives a claimed delivery back unsent (the worker stops): the next worker sends it, no attempt counted. */
export function releaseWebhookDelivery(ctx: ServiceContext, deliveryId: string): void {
  requireSystem(ctx);
  immediateTx(ctx.db, (tx) =>
    tx
      .update(webhookDeliveries)
      .set({ lockedUntil: null })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.status, "pending")))
      .run(),
  );
}
