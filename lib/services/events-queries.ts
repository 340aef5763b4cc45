import "server-only";
import { and, desc, eq, lt, notInArray, type SQL } from "drizzle-orm";
import { events, tasks } from "@/db/schema";
import { dialect } from "@/db/engine";
import type { ServiceContext } from "./context";
import { clampLimit } from "./cursor";
import { eventDto } from "./dto";
import { notFound, ServiceError } from "./errors";

/**
 * Events after an id (the live stream and its resume, the run supervisor, the folder mirror) or
 * before one (the activity feed and timelines, newest first). People read everything; an agent only
 * the events of its own tasks.
 *
 * After an id, the order is the engine's follower order (db/engine: `eventsAfter`/`eventsOrder`):
 * on SQLite the id order (one writer commits ids in order); on PostgreSQL ids can commit out of
 * order, so the events come in transaction order and only from finished transactions: an event
 * whose transaction commits late is returned after the ones read before it, never skipped. The
 * cursor stays the id of the last event returned.
 */
export function listEvents(ctx: ServiceContext, q: { afterId?: number; beforeId?: number; taskId?: string; instructionId?: string; limit?: number; excludeVerbs?: string[] } = {}) {
  if (ctx.actor.kind === "agent") {
    if (!q.taskId) throw new ServiceError("forbidden", "An agent reads the events of its own tasks only");
    const owner = ctx.db.select({ a: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, q.taskId)).get();
    if (!owner || owner.a !== ctx.actor.name) throw notFound("Task", q.taskId);
  }
  const limit = clampLimit(q.limit, 50, 500);
  const where: SQL[] = [];
  if (q.taskId) where.push(eq(events.taskId, q.taskId));
  if (q.instructionId) where.push(eq(events.instructionId, q.instructionId));
  const d = dialect(ctx.db);
  if (q.afterId !== undefined) where.push(d.eventsAfter(q.afterId));
  if (q.beforeId !== undefined) where.push(lt(events.id, q.beforeId));
  if (q.excludeVerbs?.length) where.push(notInArray(events.verb, q.excludeVerbs));
  const ascending = q.afterId !== undefined;
  const rows = ctx.db
    .select()
    .from(events)
    .where(where.length ? and(...where) : undefined)
    .orderBy(ascending ? d.eventsOrder() : desc(events.id))
    .limit(limit)
    .all();
  return rows.map(eventDto);
}

/**
 * Where a new follower starts: the newest event no transaction still in flight can precede (SQLite:
 * the last id; PostgreSQL: the largest id among events of finished transactions, so an event that
 * commits late with a lower id is still read by `listEvents({ afterId })`).
 */
export function lastEventId(ctx: Pick<ServiceContext, "db">): number {
  // The last in follower order (on PostgreSQL by transaction, then id), not the largest id: a
  // follower resuming after the largest id would be handed again the settled events of a later
  // transaction with a lower id.
  const d = dialect(ctx.db);
  const r = ctx.db.select({ id: events.id }).from(events).where(d.eventsAfter(0)).orderBy(d.eventsOrder(true)).limit(1).get();
  return r?.id ?? 0;
}
