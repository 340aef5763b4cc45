import "server-only";
import type { Db } from "@/db/client";
import type { Actor } from "@/lib/auth/actor";

export interface ServiceContext {
  db: Db;
  actor: Actor;
  /** The clock, injectable so lease and ordering tests need no sleeping. */
  now?: () => number;
  /** Called after a write commits, with the id of the last event it appended (wakes live streams). */
  onCommit?: (lastEventId: number) => void;
}

export const nowOf = (ctx: Pick<ServiceContext, "now">): number => (ctx.now ? ctx.now() : Date.now());

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

type Runner = ((fn: (tx: Tx) => unknown) => unknown) & { immediate: (fn: (tx: Tx) => unknown) => unknown };
const runners = new WeakMap<object, Runner>();

/**
 * Runs `fn` in an IMMEDIATE transaction on `db` (the write lock taken up front). drizzle's
 * `db.transaction()` builds a transaction object (with a query builder per table) and better-sqlite3
 * wraps the function anew (four closures, four property sets) on every call: 17 µs per transaction
 * against 8.5 µs for BEGIN IMMEDIATE + COMMIT themselves, a twentieth of an agent heartbeat
 * (docs/benchmarks.md). The top-level transaction object holds no state of its own (a nested
 * `tx.transaction()` makes its own savepoint object), so one per connection serves every
 * transaction, inside one native wrapper built once. Same semantics: a throw rolls back and
 * rethrows; nested calls become savepoints. Never await inside `fn`.
 */
export function immediateTx<T>(db: Db, fn: (tx: Tx) => T): T {
  let run = runners.get(db);
  if (!run) {
    const client = (db as { $client?: Db["$client"] }).$client;
    // A transaction object passed as `db` (no client of its own): drizzle nests it as a savepoint.
    if (!client) return db.transaction(fn, { behavior: "immediate" });
    const tx = db.transaction((t) => t, { behavior: "deferred" });
    run = client.transaction((f: (tx: Tx) => unknown) => f(tx)) as unknown as Runner;
    runners.set(db, run);
  }
  return run.immediate(fn) as T;
}
