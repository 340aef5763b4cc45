import { and, eq, lt } from "drizzle-orm";
import { idempotencyKeys, tasks } from "@/db/schema";
import type { ServiceContext } from "./context";
import { notFound } from "./errors";
import { requireTaskAccess } from "./policy";

/**
 * Small queries the HTTP layer needs that are not domain verbs: the idempotency store and a cheap
 * "may this actor read this task" check. Kept here so lib/http never touches SQL.
 */

export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  body: string;
  createdAt: number;
}

/** Answers older than this are forgotten: a retry a day later is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export function getIdempotencyRecord(db: ServiceContext["db"], actor: string, key: string, now = Date.now()): IdempotencyRecord | null {
  const row = db
    .select({ requestHash: idempotencyKeys.requestHash, status: idempotencyKeys.status, body: idempotencyKeys.body, createdAt: idempotencyKeys.createdAt })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)))
    .get();
  if (!row) return null;
  if (row.createdAt <= now - IDEMPOTENCY_TTL_MS) {
    db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key))).run();
    return null;
  }
  return row;
}

/** Stores the first answer; a concurrent first answer already stored wins (returns false). */
export function putIdempotencyRecord(db: ServiceContext["db"], actor: string, key: string, rec: IdempotencyRecord): boolean {
  const res = db
    .insert(idempotencyKeys)
    .values({ actor, key, requestHash: rec.requestHash, status: rec.status, body: rec.body, createdAt: rec.createdAt })
    .onConflictDoNothing()
    .run();
  return res.changes > 0;
}

export function sweepIdempotencyRecords(db: ServiceContext["db"], now = Date.now()): number {
  return db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS)).run().changes;
}

/**
 * Throws not_found unless the task exists and the actor may read it (an agent: only its own).
 * For reads that take a task id but are not getTask (a task's event timeline).
 */
export function assertTaskReadable(ctx: ServiceContext, taskId: string): void {
  const t = ctx.db.select({ id: tasks.id, assignedAgent: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, taskId)).get();
  if (!t) throw notFound("Task", taskId);
  requireTaskAccess(ctx.actor, t, false);
}
