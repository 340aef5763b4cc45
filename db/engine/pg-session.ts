import { Column, fillPlaceholders, getTableColumns, is, Param, SQL, sql, type Query } from "drizzle-orm";
import { entityKind } from "drizzle-orm/entity";
import { NoopCache } from "drizzle-orm/cache/core";
import { SQLiteSyncDialect, SQLiteTransaction, type SQLiteInsertConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { SQLitePreparedQuery, SQLiteSession, type PreparedQueryConfig, type SQLiteExecuteMethod } from "drizzle-orm/sqlite-core/session";
import type { SelectedFieldsOrdered } from "drizzle-orm/sqlite-core/query-builders/select.types";
import type { TablesRelationalConfig } from "drizzle-orm/relations";
import * as drizzleUtils from "drizzle-orm/utils";
import { endClient } from "./pg-end";

// drizzle's sqlite-core query builder, run synchronously on PostgreSQL through libpq (pg-native's
// querySync/executeSync): the service layer keeps one builder, one synchronous transaction and its
// `.get/.all/.run/.values` on both engines (docs/plans/postgresql.md §1.4, Appendix A). This file
// depends on drizzle internals (SQLiteSession, SQLitePreparedQuery, the dialect's insert builder):
// drizzle-orm is pinned, and db/engine/pg-session.pg.test.ts is the contract any upgrade must pass.

/** The part of pg-native's Client (and its libpq handle) the session uses. */
export interface NativeClient {
  /** Read by pg-native when it builds a result: rows as arrays instead of objects. */
  arrayMode: boolean;
  pq: {
    cmdTuples(): string;
    cmdStatus(): string;
    /** 0 idle, 1 active, 2 in a transaction, 3 in a failed transaction, 4 unknown (connection bad). */
    transactionStatus(): number;
    resultErrorFields(): { sqlState?: string; messagePrimary?: string; messageDetail?: string; constraintName?: string } | null;
    resultStatus(): string;
    resultErrorMessage(): string;
    getResult(): boolean;
    pipelineModeSupported(): boolean;
    enterPipelineMode(): boolean;
    exitPipelineMode(): boolean;
    pipelineSync(): boolean;
    sendQueryParams(text: string, params: (string | null)[]): boolean;
    sendQueryPrepared(name: string, params: (string | null)[]): boolean;
  };
  /** pg-native's result reader for the current libpq result (rows as objects, or arrays in arrayMode). */
  _consumeQueryResults(pq: NativeClient["pq"]): { rows: unknown[] };
  connectSync(conninfo: string): void;
  querySync(text: string, values?: unknown[]): unknown[];
  prepareSync(name: string, text: string, nParams: number): void;
  executeSync(name: string, values: unknown[]): unknown[];
  end(cb?: () => void): void;
}

/** A PostgreSQL error with its SQLSTATE (`code`, as node-postgres names it). */
export class PgError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly detail?: string,
    readonly constraint?: string,
  ) {
    super(message);
    this.name = "PgError";
  }
}

/** The SQLSTATE of an error, looking through drizzle's wrappers (`cause`). */
export function sqlStateOf(err: unknown): string | undefined {
  for (let e = err, i = 0; e && typeof e === "object" && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    if (e instanceof PgError) return e.code;
  }
  return undefined;
}

/** A parameter as libpq takes it: text, or null for SQL NULL (pg-native would send `undefined` as the text "undefined"). */
function toParam(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  // SQLite has no booleans: the builder's integer({ mode: "boolean" }) and comparisons use 0/1.
  if (typeof v === "boolean") return v ? "1" : "0";
  if (v instanceof Date) return String(v.getTime());
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  return JSON.stringify(v);
}

const DEFAULT = sql.raw("default");

/**
 * `on conflict ("t"."col")`: SQLite takes the table-qualified conflict target the builder writes;
 * PostgreSQL wants bare column names there. The clause is ` on conflict ${target}…`, the target
 * `${[columns]}` (drizzle's insert builder).
 */
function unqualifyTarget(clause: SQL): SQL {
  const [head, target, ...rest] = clause.queryChunks;
  if (!is(target, SQL)) return clause;
  const bare = target.queryChunks.map((c) => (Array.isArray(c) ? c.map((col: unknown) => (is(col, Column) ? sql.identifier(col.name) : col)) : c));
  return new SQL([head, new SQL(bare), ...rest]);
}

/**
 * SQLite's dialect with PostgreSQL's parameters ($1, $2…) and DEFAULT for insert columns left out:
 * the sqlite-core builder writes `null` there (SQLite then numbers an INTEGER PRIMARY KEY), which
 * PostgreSQL refuses for an identity column. Everything else the builder writes (double-quoted
 * names, `on conflict … do update`, `returning`, `limit`/`offset`) is the same on both.
 */
export class PgSyncDialect extends SQLiteSyncDialect {
  static override readonly [entityKind]: string = "PgSyncDialect";

  override escapeParam(num: number): string {
    return `$${num + 1}`;
  }

  override buildInsertQuery(config: SQLiteInsertConfig): SQL {
    if (config.onConflict?.length) config = { ...config, onConflict: config.onConflict.map(unqualifyTarget) };
    if (config.select || !Array.isArray(config.values)) return super.buildInsertQuery(config);
    // The columns the base dialect would fill with `null`: no value, no default of drizzle's own.
    const bare = (Object.entries(getTableColumns(config.table as SQLiteTable)) as unknown as [string, InsertColumn][]).filter(
      ([, c]) => !c.shouldDisableInsert() && (c.default === null || c.default === undefined) && c.defaultFn === undefined && c.onUpdateFn === undefined,
    );
    if (bare.length === 0) return super.buildInsertQuery(config);
    const values = (config.values as Record<string, Param | SQL>[]).map((row) => {
      let out = row;
      for (const [key] of bare) {
        const v = row[key];
        if (v === undefined || (is(v, Param) && v.value === undefined)) {
          if (out === row) out = { ...row };
          out[key] = DEFAULT;
        }
      }
      return out;
    });
    return super.buildInsertQuery({ ...config, values } as SQLiteInsertConfig);
  }
}

// drizzle internals without public types (present in the pinned 0.45.4; the contract test covers them).
const { mapResultRow } = drizzleUtils as unknown as {
  mapResultRow(fields: SelectedFieldsOrdered, row: unknown[], joinsNotNullableMap: Record<string, boolean> | undefined): unknown;
};
type InsertColumn = { shouldDisableInsert(): boolean; default: unknown; defaultFn: unknown; onUpdateFn: unknown };

/** A statement of a pipeline: with parameters (unnamed), or prepared (by name); `done` for a queued one (later()). */
interface Piped {
  text: string;
  name: string | null;
  values: (string | null)[];
  arrayMode: boolean;
  done?: (rows: unknown[], changes: number) => void;
}

type Schema = { fullSchema: Record<string, unknown>; schema: TablesRelationalConfig; tableNamesMap: Record<string, string> } | undefined;
type AnyTx = SQLiteTransaction<"sync", RunResult, Record<string, unknown>, TablesRelationalConfig>;
type RunResult = { changes: number; lastInsertRowid: number };

/**
 * Failures that running the transaction again can cure: serialization_failure, deadlock_detected,
 * and unique_violation / exclusion_violation. A verb that picks the next key after reading the
 * stored ones (a task's ref in its instruction) collides with a concurrent one doing the same, and
 * PostgreSQL reports that as a unique violation, not a serialization failure ("it cannot see the
 * connection between the inserted value and the previous reads", PostgreSQL's manual, 13.4). A
 * real duplicate fails the same way MAX_ATTEMPTS times, and is thrown.
 */
const RETRYABLE = new Set(["40001", "40P01", "23505", "23P01"]);
/**
 * Tries of a transaction, with a random pause growing with each (1-3, 1-5, 1-9 ... at most 33 ms;
 * about 150 ms in all at worst): with 5 tries of 1-5 ms, two server processes saturated with
 * message sends answered 270 of 9,635 with the serialisation failure (bench --engine pg, 2
 * processes: the inbox's unread counter is one row per inbox).
 */
export const MAX_ATTEMPTS = 8;
const pauseMs = (attempt: number) => 1 + Math.random() * Math.min(2 ** attempt, 32);
const pause = new Int32Array(new SharedArrayBuffer(4));

export class PgSyncSession extends SQLiteSession<"sync", RunResult, Record<string, unknown>, TablesRelationalConfig> {
  static override readonly [entityKind]: string = "PgSyncSession";
  /** Server-side statement names of the queries built with `.prepare()`, by their text. */
  private readonly names = new Map<string, string>();
  /** Transaction depth: 0 outside, 1 in the transaction, more in savepoints. */
  private depth = 0;
  private readonly txs: AnyTx[] = [];
  /** The SQLSTATE of the last failed statement (a verb may catch an error and go on; PostgreSQL then refuses the COMMIT). */
  private lastState: string | undefined;
  /** How many times transactions were run again (RETRYABLE; for tests and diagnostics). */
  retries = 0;
  closed = false;
  private reconnectAfter = 0;
  /** The server process of this connection (its own NOTIFYs carry it). */
  backendPid: number;
  /** A BEGIN not sent yet: it goes with the transaction's first statement (one round trip less per transaction). */
  private pendingBegin: string | null = null;
  /** The row count of the last statement when it ran in a pipeline (libpq's current result is then the pipeline's end). */
  private pipelinedChanges: number | null = null;
  /** Statements that went in one round trip with their BEGIN (for tests and diagnostics). */
  pipelined = 0;

  constructor(
    public client: NativeClient,
    readonly pgDialect: PgSyncDialect,
    private readonly schemaConfig: Schema,
    /** Opens a new connection with the session's settings, when the server dropped this one. */
    private readonly connectAgain?: () => NativeClient,
  ) {
    super(pgDialect);
    this.backendPid = this.pidOf(client);
  }

  private pidOf(c: NativeClient): number {
    return Number((c.querySync("SELECT pg_backend_pid() AS pid") as { pid: number }[])[0].pid);
  }

  /**
   * The connection before a statement. A connection the server dropped (restart, failover,
   * pg_terminate_backend) fails the statement that found out; the next statement outside a
   * transaction connects again (at most once a second: a refused attempt must not block every
   * request for connect_timeout), so a replica outlives its database's restart.
   */
  private live(): NativeClient {
    if (this.closed) throw new PgError("The PostgreSQL connection is closed", "08003");
    const c = this.client;
    // Nothing of a transaction whose BEGIN is still pending has reached the server: it may connect again too.
    const fresh = this.depth === 0 || (this.depth === 1 && this.pendingBegin !== null);
    if (c.pq.transactionStatus() !== 4 || !fresh || !this.connectAgain) return c;
    const now = Date.now();
    if (now < this.reconnectAfter) throw new PgError("The connection to PostgreSQL was lost; reconnecting", "08006");
    this.reconnectAfter = now + 1000;
    endClient(c);
    this.client = this.connectAgain();
    this.names.clear();
    this.backendPid = this.pidOf(this.client);
    return this.client;
  }

  /** Wraps a libpq failure with its SQLSTATE. */
  fail(err: unknown): never {
    const f = this.client.pq.resultErrorFields();
    // PostgreSQL's own sentence ("duplicate key value violates…"), without libpq's "ERROR:" and position lines.
    const message = f?.messagePrimary || (err as Error).message?.trim() || String(err);
    const state = f?.sqlState;
    this.lastState = state;
    throw new PgError(message, state, f?.messageDetail, f?.constraintName);
  }

  /** A one-off statement (unnamed: the server keeps nothing). */
  query(text: string, params: unknown[], arrayMode: boolean): unknown[] {
    const c = this.live();
    this.pipelinedChanges = null;
    if (this.pendingBegin !== null || this.queue.length) {
      // The extended protocol takes one statement: text without parameters may hold several (SET a; SET b).
      const single = params.length > 0 || !text.includes(";");
      if (single && this.canPipeline(c)) return this.pipeline({ text, name: null, values: params.map(toParam), arrayMode });
      this.sendPending();
    }
    c.arrayMode = arrayMode;
    try {
      // Without parameters: the simple protocol (one message; also takes several statements).
      return params.length ? c.querySync(text, params.map(toParam)) : c.querySync(text);
    } catch (err) {
      if (err instanceof PgError) throw err;
      return this.fail(err);
    }
  }

  /** The server-side name of a prepared statement's text, preparing it on this connection the first time. */
  private nameOf(c: NativeClient, text: string, nParams: number): string {
    let name = this.names.get(text);
    if (!name) {
      name = `ad${this.names.size + 1}`;
      c.prepareSync(name, text, nParams);
      this.names.set(text, name);
    }
    return name;
  }

  /** A statement built with `.prepare()`: a named server-side statement, parsed and planned once per connection. */
  execute(text: string, params: unknown[], arrayMode: boolean): unknown[] {
    const c = this.live();
    try {
      const name = this.nameOf(c, text, params.length);
      this.pipelinedChanges = null;
      if (this.pendingBegin !== null || this.queue.length) {
        if (this.canPipeline(c)) return this.pipeline({ text, name, values: params.map(toParam), arrayMode });
        this.sendPending();
      }
      c.arrayMode = arrayMode;
      return c.executeSync(name, params.map(toParam));
    } catch (err) {
      if (err instanceof PgError) throw err;
      return this.fail(err);
    }
  }

  changes(): number {
    return this.pipelinedChanges ?? Number(this.client.pq.cmdTuples() || 0);
  }

  private pipelineClient: NativeClient | null = null;
  /** Pipeline mode needs libpq 14 or newer (pg-native was built against the libpq on the machine). */
  private canPipeline(c: NativeClient): boolean {
    if (this.pipelineClient === c) return true;
    if (!c.pq.pipelineModeSupported()) return false;
    this.pipelineClient = c;
    return true;
  }

  // --- statements that wait for the next round trip ---

  /** Statements queued by later(), sent (in order) before the transaction's next statement, in its round trip. */
  private queue: Piped[] = [];
  /** While later() runs its write: where the statement's result goes once it has run. */
  private deferNext: ((result: unknown) => void) | null = null;

  /**
   * Engine.later: in a transaction (and with libpq's pipeline mode), the one statement `write` runs
   * is queued, not sent; it goes with the transaction's next statement or its COMMIT, in the same
   * round trip, and `then` gets its result then. An error of the queued statement is thrown by that
   * next statement (the transaction fails as it would have). Outside a transaction: at once.
   */
  later<T>(write: () => T, then: (result: T) => void): void {
    if (this.depth === 0 || this.closed || !this.canPipeline(this.client)) return then(write());
    this.deferNext = then as (result: unknown) => void;
    let ranNothing = true;
    const result = (() => {
      try {
        return write();
      } finally {
        // Still set: the write ran no statement through the session (nothing queued), its result is here.
        ranNothing = this.deferNext !== null;
        this.deferNext = null;
      }
    })();
    if (ranNothing) then(result);
  }

  /** For PgSyncPrepared: the continuation when its statement is to be queued (later()), or null. */
  takeDeferred(): ((result: unknown) => void) | null {
    const d = this.deferNext;
    this.deferNext = null;
    return d;
  }

  /** Queues a statement (later()); prepared ones are prepared now, when they are new on this connection (a round trip, once). */
  enqueue(named: boolean, text: string, params: unknown[], arrayMode: boolean, done: (rows: unknown[], changes: number) => void): void {
    const c = this.live();
    let name: string | null = null;
    try {
      if (named) name = this.nameOf(c, text, params.length);
    } catch (err) {
      if (err instanceof PgError) throw err;
      return this.fail(err);
    }
    this.queue.push({ text, name, values: params.map(toParam), arrayMode, done });
  }

  /** Without pipeline mode: the pending BEGIN and the queued statements, one round trip each. */
  private sendPending(): void {
    if (this.pendingBegin !== null) {
      const begin = this.pendingBegin;
      this.pendingBegin = null;
      try {
        this.client.querySync(begin);
      } catch (err) {
        this.fail(err);
      }
    }
    const queued = this.queue;
    this.queue = [];
    for (const q of queued) {
      this.client.arrayMode = q.arrayMode;
      let rows: unknown[];
      try {
        rows = q.name ? this.client.executeSync(this.nameOf(this.client, q.text, q.values.length), q.values) : this.client.querySync(q.text, q.values);
      } catch (err) {
        return this.fail(err);
      }
      q.done!(rows, Number(this.client.pq.cmdTuples() || 0));
    }
  }

  /**
   * The pending BEGIN, the queued statements and `last` in one round trip (libpq's pipeline mode,
   * read synchronously: the connection is in blocking mode, so each PQgetResult waits for the
   * server). Each statement's results end with a null, then comes the pipeline's end. After an
   * error the server skips the rest (PIPELINE_ABORTED) up to the end; the first error is thrown.
   * Returns `last`'s rows; the queued statements' results go to their `done`.
   */
  private pipeline(last: Piped): unknown[] {
    const c = this.client;
    const pq = c.pq;
    const items: Piped[] = [];
    if (this.pendingBegin !== null) items.push({ text: this.pendingBegin, name: null, values: [], arrayMode: false });
    this.pendingBegin = null;
    items.push(...this.queue, last);
    this.queue = [];
    // Prepared on this connection (again, after live() connected anew: nothing of the transaction had been sent).
    try {
      for (const it of items) if (it.name && it !== last) it.name = this.nameOf(c, it.text, it.values.length);
    } catch (err) {
      return this.fail(err);
    }
    if (!pq.enterPipelineMode()) return this.fail(new Error("could not enter libpq's pipeline mode"));
    const results: { rows: unknown[]; changes: number }[] = [];
    let error: { message: string; fields: ReturnType<NativeClient["pq"]["resultErrorFields"]> } | null = null;
    try {
      for (const it of items) {
        const sent = it.name ? pq.sendQueryPrepared(it.name, it.values) : pq.sendQueryParams(it.text, it.values);
        if (!sent) throw new Error("could not send the statement");
      }
      if (!pq.pipelineSync()) throw new Error("could not send the statement");
      for (const it of items) {
        if (!pq.getResult()) throw new Error("the connection to the server was lost");
        const status = pq.resultStatus();
        let result = { rows: [] as unknown[], changes: 0 };
        if (status === "PGRES_FATAL_ERROR") error ??= { message: pq.resultErrorMessage(), fields: pq.resultErrorFields() };
        else if (status !== "PGRES_PIPELINE_ABORTED") {
          c.arrayMode = it.arrayMode;
          result = { rows: c._consumeQueryResults(pq).rows, changes: Number(pq.cmdTuples() || 0) };
        }
        results.push(result);
        // The statement's end.
        if (pq.getResult()) throw new Error("more results than statements in the pipeline");
      }
      if (!pq.getResult() || pq.resultStatus() !== "PGRES_PIPELINE_SYNC") throw new Error("the pipeline did not end");
    } catch (err) {
      error ??= { message: (err as Error).message, fields: null };
    } finally {
      pq.exitPipelineMode();
    }
    if (error) {
      this.lastState = error.fields?.sqlState;
      throw new PgError(error.fields?.messagePrimary || error.message.trim(), error.fields?.sqlState, error.fields?.messageDetail, error.fields?.constraintName);
    }
    this.pipelined++;
    items.forEach((it, i) => it !== last && it.done?.(results[i].rows, results[i].changes));
    const mine = results[results.length - 1];
    this.pipelinedChanges = mine.changes;
    return mine.rows;
  }

  prepareQuery(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    executeMethod: SQLiteExecuteMethod,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => unknown,
  ): PgSyncPrepared {
    return new PgSyncPrepared(this, query, true, fields, executeMethod, isResponseInArrayMode, customResultMapper);
  }

  override prepareOneTimeQuery(
    query: Query,
    fields: SelectedFieldsOrdered | undefined,
    executeMethod: SQLiteExecuteMethod,
    isResponseInArrayMode: boolean,
    customResultMapper?: (rows: unknown[][]) => unknown,
  ): PgSyncPrepared {
    return new PgSyncPrepared(this, query, false, fields, executeMethod, isResponseInArrayMode, customResultMapper);
  }

  private txAt(depth: number): AnyTx {
    return (this.txs[depth] ??= new PgSyncTransaction("sync", this.pgDialect, this as never, this.schemaConfig, depth));
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /**
   * One transaction: BEGIN at the isolation level asked, `fn`, COMMIT; a throw rolls back and
   * rethrows. A serialisation failure, deadlock or unique violation (RETRYABLE, at any statement or
   * at COMMIT) runs `fn` again, up to MAX_ATTEMPTS times, after a short random pause (a synchronous wait: the caller is synchronous). Called
   * inside a transaction it becomes a savepoint, as better-sqlite3 does, and is not re-run on its
   * own: the outermost transaction is (or the caller's, for a transaction opened with a plain BEGIN).
   */
  runTransaction<T>(fn: (tx: AnyTx) => T, isolation: "serial" | "read-committed" = "serial"): T {
    // Inside a transaction (ours, or one opened with a plain BEGIN, as better-sqlite3 also detects): a savepoint.
    if (this.depth > 0 || this.live().pq.transactionStatus() === 2) return this.savepoint(fn);
    const begin = isolation === "read-committed" ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL SERIALIZABLE";
    for (let attempt = 1; ; attempt++) {
      this.pendingBegin = begin; // sent with the first statement
      this.depth = 1;
      this.lastState = undefined;
      try {
        const result = fn(this.txAt(0));
        if (this.pendingBegin !== null && !this.queue.length) return result; // no statement: nothing to begin or commit
        if (this.client.pq.transactionStatus() === 3) {
          // A statement failed and `fn` went on: PostgreSQL has aborted the transaction and would
          // answer COMMIT with a silent ROLLBACK.
          throw new PgError("The transaction was aborted by an earlier failed statement", this.lastState);
        }
        this.query("COMMIT", [], false);
        return result;
      } catch (err) {
        this.rollback();
        const state = sqlStateOf(err);
        if (attempt < MAX_ATTEMPTS && state && RETRYABLE.has(state)) {
          this.retries++;
          Atomics.wait(pause, 0, 0, pauseMs(attempt));
          continue;
        }
        throw err;
      } finally {
        this.depth = 0;
        this.pendingBegin = null;
        this.queue = [];
      }
    }
  }

  private rollback(): void {
    this.queue = []; // never sent
    if (this.pendingBegin !== null) {
      this.pendingBegin = null; // never sent
      return;
    }
    // After a failed COMMIT the transaction is over already; a dead connection cannot roll back
    // (the server does it when the session ends).
    if (this.client.pq.transactionStatus() === 0 || this.client.pq.transactionStatus() === 4) return;
    try {
      this.client.querySync("ROLLBACK");
    } catch {
      // the original error is what the caller needs
    }
  }

  savepoint<T>(fn: (tx: AnyTx) => T): T {
    const name = `sp${this.depth}`;
    this.query(`SAVEPOINT ${name}`, [], false);
    this.depth++;
    try {
      const result = fn(this.txAt(this.depth - 1));
      this.query(`RELEASE SAVEPOINT ${name}`, [], false);
      return result;
    } catch (err) {
      // Queued in the savepoint and not sent yet: rolled back with it (SAVEPOINT itself sent what came before).
      this.queue = [];
      try {
        this.client.querySync(`ROLLBACK TO SAVEPOINT ${name}`);
      } catch {
        // the connection is gone or the transaction is over: the outer level rolls back
      }
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** `db.transaction(fn)` called on the database itself: a serial transaction. */
  override transaction<T>(fn: (tx: AnyTx) => T): T {
    return this.runTransaction(fn);
  }
}

class PgSyncTransaction extends SQLiteTransaction<"sync", RunResult, Record<string, unknown>, TablesRelationalConfig> {
  static override readonly [entityKind]: string = "PgSyncTransaction";

  /** A nested transaction: a savepoint. */
  override transaction<T>(fn: (tx: AnyTx) => T): T {
    return (this as unknown as { session: PgSyncSession }).session.savepoint(fn);
  }
}

class PgSyncPrepared extends SQLitePreparedQuery<PreparedQueryConfig & { type: "sync" }> {
  static override readonly [entityKind]: string = "PgSyncPrepared";
  /** Set by drizzle on select queries with joins. */
  declare joinsNotNullableMap: Record<string, boolean> | undefined;

  constructor(
    private readonly s: PgSyncSession,
    query: Query,
    private readonly named: boolean,
    private readonly fields: SelectedFieldsOrdered | undefined,
    executeMethod: SQLiteExecuteMethod,
    private readonly arrayModeResponse: boolean,
    private readonly customResultMapper?: (rows: unknown[][]) => unknown,
  ) {
    super("sync", executeMethod, query, new NoopCache(), undefined, undefined);
  }

  /** Runs the statement and maps its rows; queued instead when Engine.later asked for it (`map` then runs with its rows). */
  private result<T>(placeholders: Record<string, unknown> | undefined, arrayMode: boolean, map: (rows: unknown[], changes: number) => T): T {
    const params = fillPlaceholders(this.query.params, placeholders ?? {});
    const then = this.s.takeDeferred();
    if (then) {
      this.s.enqueue(this.named, this.query.sql, params, arrayMode, (rows, changes) => then(map(rows, changes)));
      return undefined as T;
    }
    const rows = this.named ? this.s.execute(this.query.sql, params, arrayMode) : this.s.query(this.query.sql, params, arrayMode);
    return map(rows, this.s.changes());
  }

  run(placeholders?: Record<string, unknown>): RunResult {
    return this.result(placeholders, true, (_rows, changes) => ({ changes, lastInsertRowid: 0 }));
  }

  all(placeholders?: Record<string, unknown>): unknown[] {
    if (!this.fields && !this.customResultMapper) return this.result(placeholders, false, (rows) => rows);
    return this.result(placeholders, true, (rows) => {
      if (this.customResultMapper) return this.customResultMapper(rows as unknown[][]) as unknown[];
      return (rows as unknown[][]).map((row) => mapResultRow(this.fields!, row, this.joinsNotNullableMap));
    });
  }

  get(placeholders?: Record<string, unknown>): unknown {
    if (!this.fields && !this.customResultMapper) return this.result(placeholders, false, (rows) => rows[0]);
    return this.result(placeholders, true, (rows) => {
      const row = (rows as unknown[][])[0];
      if (!row) return undefined;
      if (this.customResultMapper) return this.customResultMapper([row]);
      return mapResultRow(this.fields!, row, this.joinsNotNullableMap);
    });
  }

  values(placeholders?: Record<string, unknown>): unknown[][] {
    return this.result(placeholders, true, (rows) => rows as unknown[][]);
  }

  isResponseInArrayMode(): boolean {
    return this.arrayModeResponse;
  }
}
