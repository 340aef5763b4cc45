// Simulated agents working over HTTP, recording every write the server acknowledged (2xx with a
// complete body), and the checks that those writes, and nothing half-done, are in the database: an
// SQLite file or a PostgreSQL database (a postgres:// URL).
import Database from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { isPostgresUrl } from "./child";

export type Ack =
  | { kind: "claim"; taskId: string; leaseToken: number }
  | { kind: "step"; taskId: string; position: number; status: "in_progress" | "done" }
  | { kind: "output"; taskId: string; id: string }
  | { kind: "message"; id: string; body: string }
  | { kind: "complete"; taskId: string };

export interface AgentOptions {
  baseUrl: () => string;
  token: string;
  agent: string;
  peers: string[];
  stepsByTask: Record<string, number>;
  acks: Ack[];
  /** Answers that were not 2xx (and not a claim's 204): each is a failure for the caller. */
  refusals: { status: number; path: string; body: string }[];
  stop: () => boolean;
  /** Called when the server cannot be reached; resolves once it is back. Default: rethrow. */
  onDown?: (err: unknown) => Promise<void>;
  /** Pause between requests, in ms (0: as fast as the server answers). */
  pauseMs?: number;
}

class Down extends Error {}

const word = () => randomBytes(6).toString("hex");

/** One agent: claim, report its steps (sometimes in_progress first), send messages and outputs, complete. */
export async function runAgent(o: AgentOptions): Promise<void> {
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: { id: string } & Record<string, unknown> } | null> => {
    let res: Response;
    let text: string;
    try {
      res = await fetch(o.baseUrl() + path, {
        method,
        headers: { authorization: `Bearer ${o.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      text = await res.text();
    } catch (err) {
      throw new Down(String((err as Error)?.cause ?? err));
    }
    if (res.status === 204) return { status: 204, json: { id: "" } };
    if (res.status >= 200 && res.status < 300) return { status: res.status, json: JSON.parse(text) };
    o.refusals.push({ status: res.status, path, body: text.slice(0, 500) });
    return null;
  };
  const pause = () => (o.pauseMs ? new Promise((r) => setTimeout(r, o.pauseMs)) : Promise.resolve());

  while (!o.stop()) {
    try {
      const claimed = await call("POST", "/api/v1/tasks/claim");
      if (!claimed) return;
      if (claimed.status === 204) return; // nothing left for this agent
      const task = claimed.json as unknown as { id: string; lease: { token: number } };
      o.acks.push({ kind: "claim", taskId: task.id, leaseToken: task.lease.token });
      const steps = o.stepsByTask[task.id] ?? 0;
      for (let p = 1; p <= steps && !o.stop(); p++) {
        await pause();
        if (Math.random() < 0.3) {
          if (!(await call("POST", `/api/v1/tasks/${task.id}/steps/${p}`, { status: "in_progress", note: `working ${word()}` }))) return;
          o.acks.push({ kind: "step", taskId: task.id, position: p, status: "in_progress" });
        }
        if (!(await call("POST", `/api/v1/tasks/${task.id}/steps/${p}`, { status: "done", note: `done ${word()}` }))) return;
        o.acks.push({ kind: "step", taskId: task.id, position: p, status: "done" });
        if (Math.random() < 0.2) {
          const body = `crashprobe${word()} about step ${p} of ${task.id}`;
          const to = o.peers[Math.floor(Math.random() * o.peers.length)] ?? "hitl";
          const sent = await call("POST", "/api/v1/messages", { to, type: "status_update", subject: `Step ${p}`, body, taskId: task.id });
          if (!sent) return;
          o.acks.push({ kind: "message", id: sent.json.id, body });
        }
        if (Math.random() < 0.1) {
          const out = await call("POST", `/api/v1/tasks/${task.id}/outputs`, { format: "markdown", content: `# Result ${word()}\n\nStep ${p}.`, stepPosition: p });
          if (!out) return;
          o.acks.push({ kind: "output", taskId: task.id, id: out.json.id });
        }
      }
      if (o.stop()) return;
      if (!(await call("POST", `/api/v1/tasks/${task.id}/complete`, {}))) return;
      o.acks.push({ kind: "complete", taskId: task.id });
    } catch (err) {
      if (!(err instanceof Down) || !o.onDown) throw err;
      // The answer never came: the write may or may not have happened. Leave that task, start anew.
      await o.onDown(err);
    }
  }
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface VerifyOptions {
  label?: string;
  /**
   * How many events the seed wrote (Seeded.events). PostgreSQL only: the event count must be that
   * plus one per step change, claim, message, output and completion (there, ids may have holes).
   */
  seedEvents?: number;
}

/** Reads for the checks, `?` placeholders on both engines; one snapshot. */
interface Reader {
  all<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
}

/**
 * Every acknowledged write is in the database; nothing half-done is visible (each change has its
 * event, each message its search-index entry); the engine's own checks pass. `location` is an SQLite
 * file or a postgres:// URL.
 */
export function verifyDatabase(location: string, acks: readonly Ack[], opts: VerifyOptions = {}): CheckResult[] {
  return isPostgresUrl(location) ? verifyPostgres(location, acks, opts) : verifySqlite(location, acks, opts);
}

type Check = (name: string, fn: () => string | null) => void;

function checker(label: string | undefined): { results: CheckResult[]; check: Check } {
  const prefix = label ? `${label}: ` : "";
  const results: CheckResult[] = [];
  const check: Check = (name, fn) => {
    try {
      const problem = fn();
      results.push({ name: prefix + name, ok: problem === null, ...(problem ? { detail: problem } : {}) });
    } catch (err) {
      results.push({ name: prefix + name, ok: false, detail: String((err as Error)?.message ?? err) });
    }
  };
  return { results, check };
}

/** The checks both engines share: acknowledged writes present, one event per change (the SQL is the same on both). */
function sharedChecks(db: Reader, acks: readonly Ack[], check: Check): void {
  const n = (sql: string) => Number(db.all<{ n: number | string | null }>(sql)[0]?.n ?? 0);
  const tasks = new Map(db.all<{ id: string; status: string; t: number | string }>("SELECT id, status, lease_token AS t FROM tasks").map((r) => [r.id, { status: r.status, t: Number(r.t) }]));
  const steps = new Map(
    db
      .all<{ id: string; p: number | string; status: string }>("SELECT task_id AS id, position AS p, status FROM task_steps WHERE status <> 'pending'")
      .map((r) => [`${r.id}#${Number(r.p)}`, r.status]),
  );
  const acked = (kind: Ack["kind"]) => acks.filter((a) => a.kind === kind);
  check(`acknowledged claims present (${acked("claim").length})`, () => {
    const bad = (acked("claim") as Extract<Ack, { kind: "claim" }>[]).filter((a) => {
      const t = tasks.get(a.taskId);
      return !t || t.status === "pending" || t.t < a.leaseToken;
    });
    return bad.length ? `${bad.length} lost, e.g. ${JSON.stringify(bad[0])}` : null;
  });
  check(`acknowledged step updates present (${acked("step").length})`, () => {
    const bad = (acked("step") as Extract<Ack, { kind: "step" }>[]).filter((a) => {
      const s = steps.get(`${a.taskId}#${a.position}`);
      return a.status === "done" ? s !== "done" : !s;
    });
    return bad.length ? `${bad.length} lost, e.g. ${JSON.stringify(bad[0])} is ${steps.get(`${bad[0].taskId}#${bad[0].position}`) ?? "pending"}` : null;
  });
  check(`acknowledged outputs present (${acked("output").length})`, () => {
    const outputs = new Map(db.all<{ id: string; taskId: string }>('SELECT id, task_id AS "taskId" FROM outputs').map((r) => [r.id, r.taskId]));
    const bad = (acked("output") as Extract<Ack, { kind: "output" }>[]).filter((a) => outputs.get(a.id) !== a.taskId);
    return bad.length ? `${bad.length} lost, e.g. ${bad[0].id}` : null;
  });
  check(`acknowledged messages present (${acked("message").length})`, () => {
    const bodies = new Map(db.all<{ id: string; body: string }>("SELECT id, body FROM messages").map((r) => [r.id, r.body]));
    const bad = (acked("message") as Extract<Ack, { kind: "message" }>[]).filter((a) => bodies.get(a.id) !== a.body);
    return bad.length ? `${bad.length} lost, e.g. ${bad[0].id}` : null;
  });
  check(`acknowledged completions present (${acked("complete").length})`, () => {
    const bad = (acked("complete") as Extract<Ack, { kind: "complete" }>[]).filter((a) => tasks.get(a.taskId)?.status !== "completed");
    return bad.length ? `${bad.length} lost, e.g. ${bad[0].taskId}` : null;
  });

  check("every changed step has its event", () => {
    const orphans = n(`SELECT count(*) AS n FROM task_steps s WHERE s.status <> 'pending' AND NOT EXISTS
      (SELECT 1 FROM events e WHERE e.entity_kind = 'step' AND e.entity_id = s.task_id || '#' || s.position)`);
    return orphans ? `${orphans} steps changed without an event` : null;
  });
  check("one event per step change", () => {
    const changes = n("SELECT sum(version - 1) AS n FROM task_steps");
    const evs = n("SELECT count(*) AS n FROM events WHERE entity_kind = 'step'");
    return changes === evs ? null : `${changes} step versions, ${evs} step events`;
  });
  check("one event per claim", () => {
    const claims = n("SELECT sum(lease_token) AS n FROM tasks");
    const evs = n("SELECT count(*) AS n FROM events WHERE verb = 'task.claimed'");
    return claims === evs ? null : `${claims} lease tokens handed out, ${evs} claim events`;
  });
  check("one event per message, output and completion", () => {
    const pairs: [string, string, string][] = [
      ["messages", "SELECT count(*) AS n FROM messages", "SELECT count(*) AS n FROM events WHERE verb = 'message.sent'"],
      ["outputs", "SELECT count(*) AS n FROM outputs", "SELECT count(*) AS n FROM events WHERE verb = 'output.submitted'"],
      ["completed tasks", "SELECT count(*) AS n FROM tasks WHERE status = 'completed'", "SELECT count(*) AS n FROM events WHERE verb = 'task.completed'"],
    ];
    const bad = pairs.filter(([, a, b]) => n(a) !== n(b)).map(([what, a, b]) => `${what}: ${n(a)} rows, ${n(b)} events`);
    return bad.length ? bad.join("; ") : null;
  });
}

const lastMessage = (acks: readonly Ack[]) => [...acks].reverse().find((a) => a.kind === "message") as Extract<Ack, { kind: "message" }> | undefined;

/** SQLite: the shared checks, the event log has no hole, FTS5 holds exactly the messages, SQLite's integrity and foreign-key checks. */
function verifySqlite(file: string, acks: readonly Ack[], opts: VerifyOptions): CheckResult[] {
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  const { results, check } = checker(opts.label);
  const reader: Reader = { all: <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[] };
  const n = (sql: string) => (db.prepare(sql).get() as { n: number | null }).n ?? 0;
  try {
    db.exec("BEGIN"); // one snapshot for every check (the server may be writing meanwhile)
    check("integrity_check", () => {
      const rows = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
      return rows.length === 1 && rows[0] === "ok" ? null : rows.slice(0, 5).join("; ");
    });
    check("foreign_key_check", () => {
      const rows = db.pragma("foreign_key_check") as unknown[];
      return rows.length === 0 ? null : `${rows.length} rows violate foreign keys`;
    });
    sharedChecks(reader, acks, check);
    check("event log has no hole", () => {
      const max = n("SELECT max(id) AS n FROM events");
      const count = n("SELECT count(*) AS n FROM events");
      return max === count ? null : `max id ${max}, ${count} events`;
    });
    check("search index matches messages", () => {
      const docs = n("SELECT count(*) AS n FROM messages_fts_docsize");
      const msgs = n("SELECT count(*) AS n FROM messages");
      if (docs !== msgs) return `${msgs} messages, ${docs} indexed`;
      const last = lastMessage(acks);
      if (last) {
        const term = last.body.split(" ")[0];
        const hit = db.prepare("SELECT m.id FROM messages_fts f JOIN messages m ON m.seq = f.rowid WHERE messages_fts MATCH ?").all(term) as { id: string }[];
        if (!hit.some((h) => h.id === last.id)) return `message ${last.id} is not found by searching ${term}`;
      }
      return null;
    });
    db.exec("COMMIT");
    // FTS5's own check (index against its content table) is written as an INSERT: outside the snapshot.
    check("FTS integrity-check", () => {
      db.prepare("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)").run();
      return null;
    });
  } finally {
    if (db.inTransaction) db.exec("ROLLBACK");
    db.close();
  }
  return results;
}

// --- PostgreSQL ----------------------------------------------------------------------------------

interface NativeClient {
  connectSync(conninfo: string): void;
  querySync(text: string, values?: unknown[]): Record<string, unknown>[];
}

/** The checks' own connections are named so, never `agentdesk…`: the SIGTERM check counts AgentDesk's connections left. */
const checkerApplicationName = "crash-test";

type Verifier = NativeClient & { query: (sql: string, ...params: unknown[]) => Record<string, unknown>[] };
const verifiers = new Map<string, Verifier>();

/**
 * A synchronous connection (pg-native) to `url`, named `crash-test`, kept for the process: libpq's
 * addon closes its socket watcher asynchronously, and a client collected before that close has run
 * aborts Node (`uv__finish_close` assertion, seen after three connect/end in one tick).
 */
function pgConnect(url: string): Verifier {
  const held = verifiers.get(url);
  if (held) return held;
  const Native = createRequire(import.meta.url)("pg-native") as new () => NativeClient;
  const client = new Native();
  const u = new URL(url);
  u.searchParams.set("application_name", checkerApplicationName);
  client.connectSync(u.toString());
  let i = 0;
  const numbered = (sql: string) => ((i = 0), sql.replace(/\?/g, () => `$${++i}`));
  const verifier = Object.assign(client, { query: (sql: string, ...params: unknown[]) => client.querySync(numbered(sql), params) });
  verifiers.set(url, verifier);
  return verifier;
}

/**
 * PostgreSQL: the shared checks; the search column is there for every message and the GIN index finds
 * the last acknowledged one; the foreign keys are PostgreSQL's own, validated constraints (it refuses a
 * violating row itself; there is no separate check to run as SQLite's foreign_key_check). The event log
 * may have holes here: an identity value is taken when the row is inserted, and a transaction rolled
 * back or run again after a serialisation failure (40001/40P01) does not give it back. What must still
 * hold: no two events share an id, every event has its transaction id (followers read in (tx, id)
 * order), and the events are exactly the seed's plus one per step change, claim, message, output and
 * completion (so no event without its change, none twice, and none of another kind).
 */
function verifyPostgres(url: string, acks: readonly Ack[], opts: VerifyOptions): CheckResult[] {
  const client = pgConnect(url);
  const { results, check } = checker(opts.label);
  const reader: Reader = { all: <T>(sql: string, ...params: unknown[]) => client.query(sql, ...params) as T[] };
  const n = (sql: string, ...params: unknown[]) => Number(client.query(sql, ...params)[0]?.n ?? 0);
  try {
    // One snapshot for every check (the server may be writing meanwhile).
    client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    check("foreign keys enforced by PostgreSQL", () => {
      const fks = client.query(
        "SELECT count(*) AS n, count(*) FILTER (WHERE NOT convalidated) AS invalid FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace WHERE s.nspname = 'public' AND c.contype = 'f'",
      )[0];
      if (Number(fks.n) === 0) return "no foreign key constraint in the schema";
      return Number(fks.invalid) === 0 ? null : `${fks.invalid} foreign keys not validated`;
    });
    sharedChecks(reader, acks, check);
    check("event ids unique, each with its transaction id", () => {
      const r = client.query("SELECT count(*) AS n, count(DISTINCT id) AS ids, count(*) FILTER (WHERE tx IS NULL) AS notx FROM events")[0];
      if (Number(r.ids) !== Number(r.n)) return `${r.n} events, ${r.ids} distinct ids`;
      return Number(r.notx) === 0 ? null : `${r.notx} events without tx`;
    });
    check("events are the seed's plus one per change", () => {
      if (opts.seedEvents === undefined) return "the seed's event count was not given";
      const expected =
        opts.seedEvents +
        n("SELECT sum(version - 1) AS n FROM task_steps") +
        n("SELECT sum(lease_token) AS n FROM tasks") +
        n("SELECT count(*) AS n FROM messages") +
        n("SELECT count(*) AS n FROM outputs") +
        n("SELECT count(*) AS n FROM tasks WHERE status = 'completed'");
      const count = n("SELECT count(*) AS n FROM events");
      if (count === expected) return null;
      const verbs = client
        .query("SELECT verb, count(*) AS n FROM events GROUP BY verb ORDER BY verb")
        .map((r) => `${r.verb} ${r.n}`)
        .join(", ");
      return `${count} events, expected ${expected} (${opts.seedEvents} from the seed + one per change): ${verbs}`;
    });
    check("search column present for every message", () => {
      const missing = n("SELECT count(*) AS n FROM messages WHERE fts IS NULL");
      const msgs = n("SELECT count(*) AS n FROM messages");
      if (missing) return `${msgs} messages, ${missing} without their fts column`;
      const last = lastMessage(acks);
      if (last) {
        const term = last.body.split(" ")[0];
        // Through the GIN index (messages_fts_idx), not a scan of the table: the index must hold it too.
        client.query("SET LOCAL enable_seqscan = off");
        const hit = client.query("SELECT id FROM messages WHERE fts @@ plainto_tsquery('ad_simple', ?)", term);
        client.query("SET LOCAL enable_seqscan = on");
        if (!hit.some((h) => h.id === last.id)) return `message ${last.id} is not found by searching ${term}`;
      }
      return null;
    });
    client.query("COMMIT");
  } catch (err) {
    // BEGIN or COMMIT failed: the connection itself (each check catches its own errors).
    results.push({ name: `${opts.label ? `${opts.label}: ` : ""}read the database`, ok: false, detail: String((err as Error)?.message ?? err) });
  }
  return results;
}
