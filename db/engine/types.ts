import type { SQL, SQLWrapper } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type * as schema from "../schema";

/**
 * The query builder both engines run: drizzle's sqlite-core, synchronous (.get/.all/.run/.values).
 * On SQLite it is better-sqlite3 underneath; on PostgreSQL a synchronous libpq session (pg-native)
 * with the same builder (db/engine/pg-session.ts, docs/plans/postgresql.md §1.4). What differs
 * between the engines lives behind `$engine` and nowhere else.
 */
export type Db = BetterSQLite3Database<typeof schema> & { $engine: Engine };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** A database or a transaction on it: what queries run on. */
export type Handle = Db | Tx;

export type EngineKind = "sqlite" | "postgres";

export interface TxOptions {
  /**
   * "serial" (the default): SQLite BEGIN IMMEDIATE; PostgreSQL SERIALIZABLE, run again on a
   * serialisation failure or deadlock (40001/40P01), so `fn` must have no effect outside the
   * database. "read-committed": PostgreSQL READ COMMITTED, for single guarded statements (the
   * claim with FOR UPDATE SKIP LOCKED, the heartbeat); SQLite as serial.
   */
  isolation?: "serial" | "read-committed";
}

export interface Engine {
  readonly kind: EngineKind;
  /** False once closed (or the connection is gone for good). */
  readonly open: boolean;
  /** One write transaction. `fn` is synchronous (never await inside) and may run more than once. */
  transaction<T>(fn: (tx: Tx) => T, opts?: TxOptions): T;
  /**
   * Runs `write`, one statement whose result is needed only once the transaction has committed (an
   * event's insert), so that it costs no round trip of its own: PostgreSQL, in a transaction, sends
   * it with the transaction's next statement or its COMMIT (libpq's pipeline) and calls `then` with
   * its result then; an error of it is thrown by that next statement. SQLite, and outside a
   * transaction: at once.
   */
  later<T>(write: () => T, then: (result: T) => void): void;
  /** The SQL fragments that differ between the engines. */
  readonly sql: DialectSql;

  /** Applies pending migrations (under a lock, so replicas starting together apply them once). */
  migrate(): { applied: number };

  // --- the change feed ---
  /**
   * Wake-ups for commits by other processes (PostgreSQL LISTEN; SQLite: none, live streams poll).
   * Returns the unsubscribe.
   */
  onExternalCommit(cb: () => void): () => void;

  // --- caches that must notice other processes ---
  /**
   * A number that changes when another process may have changed credentials or agents. SQLite:
   * PRAGMA data_version. PostgreSQL: the access epoch row, read at most once a millisecond (a round
   * trip: the callers share the read), at once after this connection changed it.
   */
  changeVersion(): number;
  /** Called inside the writing transaction when tokens, users, sessions or agents change. */
  accessChanged(tx: Tx): void;

  // --- operations ---
  /** Throws when the database does not answer a read. */
  ping(): void;
  /** Throws (one sentence) when this process could not write: read-only, migrations missing. */
  ready(): { migrations: number };
  close(): void;
}

/** The SQL fragments that differ (docs/plans/postgresql.md §2.2); everything else is written once. */
export interface DialectSql {
  /** `col GLOB pattern` (shell-style `*`, `?`, `[…]`, case-sensitive). */
  glob(col: SQLWrapper, pattern: string): SQL<boolean>;
  /** `col LIKE pattern ESCAPE '\'`, case-insensitive for ASCII as SQLite's LIKE. */
  ilike(col: SQLWrapper, pattern: string): SQL<boolean>;
  /** The larger of two values (SQLite's scalar max). */
  greatest(a: SQLWrapper, b: SQLWrapper): SQL<number>;
  /** How many rows of the group satisfy `cond`. */
  countIf(cond: SQL): SQL<number>;
  /** A millisecond timestamp's UTC day, `YYYY-MM-DD`. */
  utcDay(msCol: SQLWrapper): SQL<string>;
  /** A JSON text column's value at `path` as text (null when absent). */
  jsonText(col: SQLWrapper, path: string[]): SQL<string | null>;
  /** The column, with SQLite's hint not to use an index for it (`+col`); plain on PostgreSQL. */
  noIndex(col: SQLWrapper): SQL;
  /** A newline character. */
  newline(): SQL<string>;
  /** An integer parameter typed as such (PostgreSQL types a bare parameter in a select list as text). */
  int(v: number): SQL<number>;
  /** Row locking for a claim's sub-select: nothing on SQLite (one writer), FOR UPDATE SKIP LOCKED on PostgreSQL. */
  skipLocked(): SQL;
  /** The database's clock in ms (leases across replicas use it, not the replicas' clocks). */
  nowMs(): SQL<number>;
  /** `LIMIT` with no limit (used with OFFSET). */
  limitAll(): SQL;
  /**
   * The condition "after the event `afterId`" for a follower of the events table, in an order where
   * nothing can commit before the last event returned (SQLite: `id > afterId`; PostgreSQL: by
   * transaction id, only transactions below the snapshot's xmin).
   */
  eventsAfter(afterId: number): SQL<boolean>;
  /** The ORDER BY of a follower of the events table, matching `eventsAfter` (newest first with `desc`). */
  eventsOrder(desc?: boolean): SQL;
}
