import "server-only";
import { and, eq, lt } from "drizzle-orm";
import { idempotencyKeys } from "@/db/schema";
import type { ServiceContext } from "../context";

/**
 * The idempotency store behind the HTTP API's Idempotency-Key header (lib/http/middleware/idempotency.ts):
 * the first answer to a (caller, key) pair, replayed to a retry. Here so lib/http never touches SQL.
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
    db.delete(idempotencyKeys)
      .where(and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key)))
      .run();
    return null;
  }
  return row;
}

/** Stores the first answer; a concurrent first answer already stored wins (returns false). */
export function putIdempotencyRecord(db: ServiceContext["db"], actor: string, key: string, rec: IdempotencyRecord): boolean {
  const res = db.insert(idempotencyKeys).values({ actor, key, requestHash: rec.requestHash, status: rec.status, body: rec.body, createdAt: rec.createdAt }).onConflictDoNothing().run();
  return res.changes > 0;
}

export function sweepIdempotencyRecords(db: ServiceContext["db"], now = Date.now()): number {
  return db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
    .run().changes;
}
