import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Logger } from "drizzle-orm/logger";
import * as schema from "../schema";
import { applyMigrations } from "../migrate";
import { registerEngine } from "./index";
import { sqliteDialect } from "./dialect-sqlite";
import type { Db, Engine, Tx } from "./types";

/** A database on the SQLite engine: better-sqlite3's own handle stays reachable for SQLite-only tools. */
export type SqliteDb = Db & { $client: Database.Database };

export interface SqliteOpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
  /** How long a writer waits for another process's write lock before giving up, in ms. */
  busyTimeoutMs?: number;
}

type Runner = ((fn: (tx: Tx) => unknown) => unknown) & { immediate: (fn: (tx: Tx) => unknown) => unknown };

/**
 * The SQLite engine: one better-sqlite3 connection, shared by the whole process.
 *
 * Opens (creating if needed) the file with the settings every process must share: WAL so readers
 * never wait for the writer, foreign keys on, a bounded busy timeout, and synchronous=NORMAL (in WAL
 * mode a process crash loses no committed transaction; only a power loss may drop the last ones, and
 * FULL cost 43-74x per commit here: docs/operations.md).
 */
export function openSqlite(file: string, options: SqliteOpenOptions = {}): SqliteDb {
  const client = new Database(file, { readonly: options.readonly ?? false });
  client.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
    client.pragma("journal_mode = WAL");
    client.pragma("synchronous = NORMAL");
  }
  client.pragma("foreign_keys = ON");
  client.pragma("cache_size = -32000");
  client.pragma("temp_store = MEMORY");
  if (options.migrate !== false && !options.readonly) applyMigrations(client);
  return sqliteDb(client);
}

/**
 * The query builder and engine over an open better-sqlite3 connection. Tools that watch the SQL
 * (the query-plan test, bench/explain.ts) pass a logger; they share the connection.
 */
export function sqliteDb(client: Database.Database, opts: { logger?: Logger } = {}): SqliteDb {
  const db = drizzle(client, { schema, logger: opts.logger }) as unknown as SqliteDb;
  const engine = new SqliteEngine(client, db);
  Object.defineProperty(db, "$engine", { value: engine, enumerable: false });
  registerEngine(db, engine);
  return db;
}

class SqliteEngine implements Engine {
  readonly kind = "sqlite" as const;
  readonly sql = sqliteDialect;
  private runner: Runner | null = null;
  private version: { get(): unknown } | null = null;

  constructor(
    private readonly client: Database.Database,
    private readonly db: SqliteDb,
  ) {}

  get open(): boolean {
    return this.client.open;
  }

  /**
   * An IMMEDIATE transaction (the write lock taken up front, so a second process waits on the busy
   * timeout instead of failing on a lock upgrade). drizzle's `db.transaction()` builds a transaction
   * object (with a query builder per table) and better-sqlite3 wraps the function anew (four
   * closures, four property sets) on every call: 17 µs per transaction against 8.5 µs for BEGIN
   * IMMEDIATE + COMMIT themselves, a twentieth of an agent heartbeat (docs/benchmarks.md). The
   * top-level transaction object holds no state of its own (a nested `tx.transaction()` makes its own
   * savepoint object), so one per connection serves every transaction, inside one native wrapper
   * built once. A throw rolls back and rethrows; nested calls become savepoints. One writer, so the
   * isolation option changes nothing here.
   */
  transaction<T>(fn: (tx: Tx) => T): T {
    let run = this.runner;
    if (!run) {
      const tx = this.db.transaction((t) => t, { behavior: "deferred" });
      run = this.runner = this.client.transaction((f: (tx: Tx) => unknown) => f(tx)) as unknown as Runner;
    }
    return run.immediate(fn) as T;
  }

  /** In-process: a statement costs no round trip, so it runs at once. */
  later<T>(write: () => T, then: (result: T) => void): void {
    then(write());
  }

  migrate(): { applied: number } {
    return applyMigrations(this.client);
  }

  onExternalCommit(): () => void {
    // Other processes' commits are found by the live streams' poll (lib/http/live.ts).
    return () => {};
  }

  // `client.pragma()` compiles its statement on every call (a tenth of a heartbeat's CPU, profiled):
  // the statement is prepared once. It moves whenever another connection commits to the file.
  changeVersion(): number {
    if (!this.client.open) return -1;
    this.version ??= this.client.prepare("PRAGMA data_version").pluck();
    return this.version.get() as number;
  }

  accessChanged(): void {
    // data_version moves by itself when this connection's commit is seen by the others.
  }

  ping(): void {
    this.client.prepare("SELECT 1").get();
  }

  ready(): { migrations: number } {
    const c = this.client;
    const n = c.prepare(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get() as { n: number };
    // A read-only handle takes BEGIN IMMEDIATE without complaint, so ask for it directly.
    if (c.readonly || c.pragma("query_only", { simple: true })) throw new Error("the database is open read-only");
    try {
      c.exec("BEGIN IMMEDIATE");
      c.exec("ROLLBACK");
    } finally {
      if (c.inTransaction) c.exec("ROLLBACK");
    }
    return { migrations: n.n };
  }

  /** Checkpoints the WAL into the file (so it is whole without its -wal beside it), then closes. */
  close(): void {
    if (!this.client.open) return;
    try {
      if (!this.client.readonly) this.client.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      this.client.close();
    }
  }
}
