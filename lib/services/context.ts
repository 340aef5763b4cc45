import "server-only";
import type { Db, Tx, TxOptions } from "@/db/engine";
import type { Actor } from "@/lib/auth/actor";

export type { Tx } from "@/db/engine";

export interface ServiceContext {
  db: Db;
  actor: Actor;
  /** The clock, injectable so lease and ordering tests need no sleeping. */
  now?: () => number;
  /** Called after a write commits, with the id of the last event it appended (wakes live streams). */
  onCommit?: (lastEventId: number) => void;
}

export const nowOf = (ctx: Pick<ServiceContext, "now">): number => (ctx.now ? ctx.now() : Date.now());

/**
 * Runs `fn` in one write transaction of the database's engine (SQLite: BEGIN IMMEDIATE, the write
 * lock taken up front; PostgreSQL: SERIALIZABLE, run again on a serialisation failure). A throw
 * rolls back and rethrows. Never await inside `fn`, and do nothing in it that must not happen twice
 * (send, spawn, log a decision): on PostgreSQL it may run again.
 */
export function immediateTx<T>(db: Db, fn: (tx: Tx) => T, opts?: TxOptions): T {
  // A transaction object passed as `db` (no engine of its own): drizzle nests it as a savepoint.
  if (!(db as { $engine?: unknown }).$engine) return db.transaction(fn, { behavior: "immediate" });
  return db.$engine.transaction(fn, opts);
}
