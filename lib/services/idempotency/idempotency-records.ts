import "server-only";
import { and, eq, lt, ne } from "drizzle-orm";
import { idempotencyKeys } from "@/db/schema";
import type { ServiceContext } from "../context";

/**
 * The idempotency store behind the HTTP API's Idempotency-Key header (lib/http/middleware/idempotency.ts):
 * the first answer to a (caller, key) pair, replayed to a retry. Here so lib/http never touches SQL.
 *
 * A key is reserved in the database before its request runs (a row with status 0, "pending"), so
 * that of two server processes receiving the same key at once only one runs the request: the other
 * finds the reservation and waits for the answer. The row becomes the answer when the request ends,
 * or goes away when its answer is not one to keep.
 */

export interface IdempotencyRecord {
  requestHash: string;
  status: number;
  body: string;
  createdAt: number;
}

/** Answers older than this are forgotten: a retry a day later is a new request. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** A reservation this old belongs to a process that died while running the request: another may take it over. */
export const IDEMPOTENCY_STALE_MS = 60_000;
/** The status of a reservation whose request is still running. */
export const PENDING = 0;

type Db = ServiceContext["db"];
const slot = (actor: string, key: string) => and(eq(idempotencyKeys.actor, actor), eq(idempotencyKeys.key, key));

export function getIdempotencyRecord(db: Db, actor: string, key: string, now = Date.now()): IdempotencyRecord | null {
  const row = db
    .select({ requestHash: idempotencyKeys.requestHash, status: idempotencyKeys.status, body: idempotencyKeys.body, createdAt: idempotencyKeys.createdAt })
    .from(idempotencyKeys)
    .where(slot(actor, key))
    .get();
  if (!row) return null;
  if (row.status !== PENDING && row.createdAt <= now - IDEMPOTENCY_TTL_MS) {
    db.delete(idempotencyKeys)
      .where(and(slot(actor, key), ne(idempotencyKeys.status, PENDING)))
      .run();
    return null;
  }
  return row;
}

/** What a request holding a key finds: its own reservation to run, or somebody else's record. */
export type Reservation = { mine: true; reservedAt: number } | { mine: false; record: IdempotencyRecord };

/**
 * Reserves the key for a request (one statement: of two processes, one inserts). Otherwise returns
 * the record found: an answer, or another request's reservation (status PENDING). A reservation
 * older than IDEMPOTENCY_STALE_MS is taken over (a guarded update: of two takers, one wins).
 */
export function reserveIdempotencyKey(db: Db, actor: string, key: string, requestHash: string, now = Date.now()): Reservation {
  for (let attempt = 0; attempt < 3; attempt++) {
    const ins = db.insert(idempotencyKeys).values({ actor, key, requestHash, status: PENDING, body: "", createdAt: now }).onConflictDoNothing().run();
    if (ins.changes > 0) return { mine: true, reservedAt: now };
    const record = getIdempotencyRecord(db, actor, key, now);
    if (!record) continue; // past its day (deleted just now) or released meanwhile: reserve again
    if (record.status === PENDING && record.requestHash === requestHash && record.createdAt <= now - IDEMPOTENCY_STALE_MS) {
      const took = db
        .update(idempotencyKeys)
        .set({ createdAt: now })
        .where(and(slot(actor, key), eq(idempotencyKeys.status, PENDING), eq(idempotencyKeys.createdAt, record.createdAt)))
        .run();
      if (took.changes > 0) return { mine: true, reservedAt: now };
      continue;
    }
    return { mine: false, record };
  }
  // The key changed hands three times in a row: as good as in use.
  return { mine: false, record: { requestHash, status: PENDING, body: "", createdAt: now } };
}

/**
 * Turns this request's reservation into its answer. False when the reservation is no longer this
 * request's (taken over as stale): the other request's answer stands.
 */
export function completeIdempotencyKey(db: Db, actor: string, key: string, reservedAt: number, answer: { status: number; body: string; at: number }): boolean {
  const res = db
    .update(idempotencyKeys)
    .set({ status: answer.status, body: answer.body, createdAt: answer.at })
    .where(and(slot(actor, key), eq(idempotencyKeys.status, PENDING), eq(idempotencyKeys.createdAt, reservedAt)))
    .run();
  return res.changes > 0;
}

/** Drops this request's reservation (its answer is not one to keep, or it failed): the key may be used again. */
export function releaseIdempotencyKey(db: Db, actor: string, key: string, reservedAt: number): void {
  db.delete(idempotencyKeys)
    .where(and(slot(actor, key), eq(idempotencyKeys.status, PENDING), eq(idempotencyKeys.createdAt, reservedAt)))
    .run();
}

/** Forgets answers past their day, and reservations whose process died long ago. */
export function sweepIdempotencyRecords(db: Db, now = Date.now()): number {
  return db
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS))
    .run().changes;
}
