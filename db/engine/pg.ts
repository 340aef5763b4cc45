import { createRequire } from "node:module";
import { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm/relations";
import * as schema from "../schema";
import { applyPgMigrations, appliedPgMigrations, pgMigrationsFolder, type PgRunner } from "../migrate-pg";
import { registerEngine } from "./index";
import { pgDialect } from "./dialect-pg";
import { PgSyncDialect, PgSyncSession, type NativeClient } from "./pg-session";
import { endClient } from "./pg-end";
import type { Db, Engine, Tx, TxOptions } from "./types";

export interface PgOpenOptions {
  /** Apply pending migrations (default true), under an advisory lock (db/migrate-pg.ts). */
  migrate?: boolean;
  /** Another migrations folder (tests of the migrator). */
  migrationsFolder?: string;
}

// --- pg-native, loaded only when PostgreSQL is used --------------------------------------------

interface NativeModule {
  new (config?: { types?: TypeParsers }): NativeClient & AsyncClient;
}
interface AsyncClient {
  connect(conninfo: string, cb: (err?: Error) => void): void;
  query(text: string, cb: (err?: Error) => void): void;
  on(event: "notification", cb: (msg: { relname: string; extra: string; be_pid: number }) => void): void;
  on(event: "error", cb: (err: Error) => void): void;
}
interface TypeParsers {
  getTypeParser(oid: number, format?: string): (value: string) => unknown;
}

let native: { Client: NativeModule; types: TypeParsers } | null = null;

/**
 * pg-native (synchronous libpq) is an optional dependency: it builds against libpq's headers, and
 * SQLite users never need it, so it is required here, on first use, not imported.
 */
function loadNative(): { Client: NativeModule; types: TypeParsers } {
  if (native) return native;
  let Client: NativeModule;
  let pgTypes: TypeParsers;
  try {
    const require = createRequire(import.meta.url);
    Client = require("pg-native") as NativeModule;
    // pg-types as pg-native itself resolves it.
    pgTypes = createRequire(require.resolve("pg-native"))("pg-types") as TypeParsers;
  } catch {
    throw new Error(
      "PostgreSQL needs the optional package pg-native, which is missing or did not build: install libpq's headers (apt-get install libpq-dev g++ make python3), then run npm install again",
    );
  }
  // int8 (count(*), bigint columns: ids and ms timestamps, all below 2^53) and numeric (sum of a
  // bigint) come as text; the service layer expects numbers, as SQLite gives. On this client's
  // parsers only: pg's global ones stay as they are for any other code in the process.
  const asNumber = (v: string) => Number(v);
  const types: TypeParsers = {
    getTypeParser: (oid, format) => (oid === 20 || oid === 1700 ? asNumber : pgTypes.getTypeParser(oid, format)),
  };
  return (native = { Client, types });
}

// --- the connection ----------------------------------------------------------------------------

/**
 * Connection parameters added to DATABASE_URL unless it sets them. A replica runs every query
 * synchronously, so a database that stops answering must not freeze it for ever:
 * - connect_timeout=5: give up a connection attempt after 5 s;
 * - keepalives 10 s idle, then every 5 s, 3 missed = dead (about 25 s on an idle socket);
 * - tcp_user_timeout=20000: a query whose data goes unacknowledged for 20 s fails (keepalives do
 *   not cover a socket with data in flight).
 * /api/ready then fails and a load balancer takes the replica out.
 */
const CONNINFO_DEFAULTS: Record<string, string> = {
  application_name: "agentdesk",
  connect_timeout: "5",
  keepalives: "1",
  keepalives_idle: "10",
  keepalives_interval: "5",
  keepalives_count: "3",
  tcp_user_timeout: "20000",
};

/**
 * Settings of every AgentDesk session:
 * - statement_timeout 30 s: no statement holds the (synchronous) process longer;
 * - lock_timeout 5 s: the counterpart of SQLite's busy_timeout=5000;
 * - idle_in_transaction_session_timeout 10 s: AgentDesk's transactions are synchronous and short;
 *   one left open by a stuck process would hold locks and the events' xmin horizon (live updates
 *   wait for it, docs/plans/postgresql.md §3.1);
 * - client_min_messages warning: libpq prints notices ("already exists, skipping") on stderr;
 * - max_parallel_workers_per_gather 0: AgentDesk's statements are short and many; starting parallel
 *   workers cost 40 of 62 ms of an agent's outputs search on the bench dataset (measured by the
 *   search work, #21);
 * - jit off: JIT compiling cost 30 ms of a 50-row inbox page at a million messages; AgentDesk's
 *   statements are short.
 */
const SESSION_SETTINGS =
  "SET statement_timeout = '30s'; SET lock_timeout = '5s'; SET idle_in_transaction_session_timeout = '10s'; SET client_min_messages = 'warning'; SET max_parallel_workers_per_gather = 0; SET jit = off";

/** DATABASE_URL with the defaults above for what it leaves out (libpq takes the URL itself). */
export function conninfo(url: string): string {
  const q = url.indexOf("?");
  const given = new Set(
    (q === -1 ? "" : url.slice(q + 1))
      .split("&")
      .filter(Boolean)
      .map((kv) => decodeURIComponent(kv.split("=")[0])),
  );
  const extra = Object.entries(CONNINFO_DEFAULTS)
    .filter(([k]) => !given.has(k))
    .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  if (extra.length === 0) return url;
  return url + (q === -1 ? "?" : url.endsWith("&") || url.endsWith("?") ? "" : "&") + extra.join("&");
}

/** "host:port, database name" of a URL, for messages: never its password. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    const host = u.searchParams.get("host") || decodeURIComponent(u.hostname) || "localhost";
    const port = u.searchParams.get("port") || u.port || "5432";
    const database = u.searchParams.get("dbname") || decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username) || "postgres";
    return `${host}${host.startsWith("/") ? "" : `:${port}`}, database ${database}`;
  } catch {
    return "the address in DATABASE_URL";
  }
}

function connect(Client: NativeModule, types: TypeParsers, url: string): NativeClient {
  const client = new Client({ types });
  try {
    client.connectSync(conninfo(url));
  } catch (err) {
    // libpq's reason without its hints and line breaks ("Connection refused", "database … does not exist").
    const first = String((err as Error).message ?? err).split("\n")[0];
    const reason = first.replace(/^.*?failed: /, "").replace(/^FATAL:\s*/, "");
    throw new Error(`Cannot connect to PostgreSQL at ${describeTarget(url)}: ${reason}`, { cause: err });
  }
  return client;
}

/**
 * PostgreSQL must sort text as SQLite's BINARY does (keyset pagination over text ids, ORDER BY
 * name): the database's collation must be C (or POSIX). Read from pg_database, which every version
 * has (`SHOW lc_collate` is gone since PostgreSQL 16).
 */
function checkCollation(s: PgSyncSession, url: string): void {
  const row = s.query(
    `SELECT datname, datcollate, to_jsonb(d) ->> 'datlocprovider' AS provider, to_jsonb(d) ->> 'datlocale' AS locale FROM pg_database d WHERE datname = current_database()`,
    [],
    false,
  )[0] as { datname: string; datcollate: string; provider: string | null; locale: string | null };
  const c = (v: string | null) => v === "C" || v === "POSIX";
  const ok = row.provider === "b" ? c(row.locale) : (row.provider ?? "c") === "c" && c(row.datcollate);
  if (!ok) {
    const what = row.provider === "i" ? "an ICU collation" : `collation ${row.datcollate}`;
    throw new Error(
      `The PostgreSQL database ${row.datname} (${describeTarget(url)}) has ${what}, but AgentDesk needs the C collation to sort as it does on SQLite: create it with CREATE DATABASE ${row.datname} TEMPLATE template0 LOCALE 'C'`,
    );
  }
}

// --- the engine --------------------------------------------------------------------------------

/**
 * Opens the PostgreSQL database at `url` (postgres://…): one synchronous connection for the
 * process, drizzle's sqlite-core builder on it (db/engine/pg-session.ts), migrated unless told not
 * to. Throws one sentence when pg-native is missing, the server refuses, or the database's collation
 * is not C.
 */
export function openPostgres(url: string, options: PgOpenOptions = {}): Db {
  const { Client, types } = loadNative();
  const client = connect(Client, types, url);
  const dialect = new PgSyncDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const schemaConfig = { fullSchema: schema as Record<string, unknown>, schema: tables.tables, tableNamesMap: tables.tableNamesMap };
  const session = new PgSyncSession(client, dialect, schemaConfig, () => {
    const again = connect(Client, types, url);
    again.querySync(SESSION_SETTINGS);
    return again;
  });
  const engine = new PgEngine(url, session, () => new Client({ types }), options.migrationsFolder);
  try {
    session.query(SESSION_SETTINGS, [], false);
    checkCollation(session, url);
    if (options.migrate !== false) engine.migrate();
  } catch (err) {
    engine.close();
    throw err;
  }
  const db = new (BaseSQLiteDatabase as unknown as new (...args: unknown[]) => Db)("sync", dialect, session, schemaConfig);
  Object.defineProperty(db, "$engine", { value: engine, enumerable: false });
  registerEngine(db, engine);
  return db;
}

type Listener = NativeClient & AsyncClient;
interface ListenerState {
  client: Listener;
  connected: boolean;
  ended: boolean;
  end?: () => void;
}

class PgEngine implements Engine {
  readonly kind = "postgres" as const;
  readonly sql = pgDialect;
  private closed = false;
  private readonly subscribers = new Set<() => void>();
  private listener: ListenerState | null = null;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly session: PgSyncSession,
    private readonly newClient: () => Listener,
    private readonly migrationsFolder?: string,
  ) {}

  private rows(text: string): Record<string, unknown>[] {
    return this.session.query(text, [], false) as Record<string, unknown>[];
  }

  /** Until close(): a connection the server dropped is opened again by the next statement (PgSyncSession). */
  get open(): boolean {
    return !this.closed;
  }

  transaction<T>(fn: (tx: Tx) => T, opts?: TxOptions): T {
    return this.session.runTransaction(fn as never, opts?.isolation) as T;
  }

  later<T>(write: () => T, then: (result: T) => void): void {
    this.session.later(write, then);
  }

  /** Pending migrations, under the advisory lock; no statement or lock timeout while they run. */
  migrate(): { applied: number } {
    const runner: PgRunner = {
      query: (text, params = []) => this.session.query(text, params, false) as Record<string, unknown>[],
    };
    this.rows("SET statement_timeout = 0; SET lock_timeout = 0");
    try {
      return applyPgMigrations(runner, this.migrationsFolder ?? pgMigrationsFolder());
    } finally {
      this.rows(SESSION_SETTINGS);
    }
  }

  // --- wake-ups from other processes: LISTEN on a second connection ---

  /**
   * Calls `cb` whenever another connection commits events (channel agentdesk_events, NOTIFY'd by a
   * trigger on events) or changes credentials (agentdesk_access, accessChanged). The notification
   * only wakes: the events table stays the source of truth. This process's own commits are left
   * out (they wake their streams directly). A second pg-native connection, in async mode (pg-native
   * reads the socket only when someone listens, so the main connection never does), opened with
   * the first subscriber and closed with the last; lost, it is opened again after a second, and
   * every subscriber is called once (something may have been missed meanwhile).
   */
  onExternalCommit(cb: () => void): () => void {
    if (this.closed) return () => {};
    this.subscribers.add(cb);
    if (!this.listener && !this.retryTimer) this.listen(false);
    return () => {
      this.subscribers.delete(cb);
      if (this.subscribers.size === 0) this.stopListening();
    };
  }

  private wake(): void {
    for (const cb of [...this.subscribers]) {
      try {
        cb();
      } catch {
        // one subscriber's failure does not stop the others
      }
    }
  }

  private listen(afterLoss: boolean): void {
    this.retryTimer = null;
    if (this.closed || this.subscribers.size === 0) return;
    const l: ListenerState = { client: this.newClient(), connected: false, ended: false };
    this.listener = l;
    const end = () => {
      if (l.ended) return;
      l.ended = true;
      endClient(l.client);
    };
    l.end = end;
    const lost = () => {
      if (this.listener === l) this.listener = null;
      end();
      if (!this.listener && !this.closed && this.subscribers.size > 0 && !this.retryTimer) this.retryTimer = setTimeout(() => this.listen(true), 1000);
    };
    l.client.on("error", lost);
    // libpq connects on a background thread: the client may be ended only once that is over, and
    // the socket read (started by the first "notification" listener) only once it is connected.
    l.client.connect(conninfo(this.url), (err) => {
      l.connected = true;
      if (this.listener !== l) return end();
      if (err) return lost();
      l.client.query("LISTEN agentdesk_events; LISTEN agentdesk_access", (e) => {
        if (this.listener !== l) return end();
        if (e) return lost();
        l.client.on("notification", (msg) => {
          if (msg.be_pid !== this.session.backendPid) this.wake();
        });
        if (afterLoss) this.wake();
      });
    });
  }

  private stopListening(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const l = this.listener;
    this.listener = null;
    // Still connecting: the connect callback ends it.
    if (l?.connected) l.end?.();
  }

  // --- credentials and agents changed by another process ---

  private version = { n: 0, at: -Infinity };

  /**
   * The access epoch (agentdesk_epochs), bumped by accessChanged in the writing transaction. One
   * prepared statement, about 25 µs, but a round trip that blocks the process: read at most once a
   * millisecond for all the callers (authentication's cache and the agents' permissions each asked
   * for it once a request; OTHER_WRITERS_CHECK_MS), and at once after this connection's own change.
   */
  changeVersion(): number {
    if (!this.open) return -1;
    const now = performance.now();
    if (now - this.version.at < 1 && now >= this.version.at) return this.version.n;
    const row = this.session.execute(`SELECT n FROM agentdesk_epochs WHERE name = 'access'`, [], true)[0] as unknown[] | undefined;
    this.version = { n: row ? Number(row[0]) : 0, at: now };
    return this.version.n;
  }

  /** Bumps the access epoch and wakes the other replicas' listeners, both at this transaction's commit. */
  accessChanged(tx: Tx): void {
    void tx; // the engine has one connection: the transaction runs on it
    this.session.execute(`WITH e AS (UPDATE agentdesk_epochs SET n = n + 1 WHERE name = 'access' RETURNING n) SELECT pg_notify('agentdesk_access', '') FROM e`, [], true);
    this.version.at = -Infinity;
  }

  // --- operations ---

  ping(): void {
    this.rows("SELECT 1");
  }

  ready(): { migrations: number } {
    const r = this.rows(`SELECT current_setting('transaction_read_only') = 'on' AS ro, pg_is_in_recovery() AS standby`)[0];
    if (r.standby) throw new Error(`the PostgreSQL server at ${describeTarget(this.url)} is a standby (in recovery): AgentDesk writes, point DATABASE_URL at the primary`);
    if (r.ro) throw new Error(`the PostgreSQL session at ${describeTarget(this.url)} is read-only (default_transaction_read_only)`);
    const migrations = appliedPgMigrations({ query: (text) => this.rows(text) });
    if (migrations === 0) throw new Error(`the PostgreSQL database at ${describeTarget(this.url)} is not migrated: run agentdesk migrate`);
    return { migrations };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    this.stopListening();
    this.session.closed = true;
    endClient(this.session.client);
  }
}
