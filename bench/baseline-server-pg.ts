// The floor the real API is compared with on PostgreSQL: a bare node:http server with an async
// pg.Pool (10 connections), running the statements the service verbs run on PostgreSQL (named
// prepared statements) in the same transactions, with no framework, no validation and no
// authentication (the agent is named by an `x-agent` header): every transaction READ COMMITTED as
// the hot verbs' (a deadlock, 40P01, is run again), the claim taking the next task with FOR UPDATE
// SKIP LOCKED and the lease's length in its UPDATE, a write on a task starting with the UPDATE that
// reads, locks and touches it (touchTaskForWrite), the heartbeat one guarded UPDATE outside a
// transaction, the recipients of messages remembered once found. What AgentDesk's engine does and a
// pool cannot (the event sent with the COMMIT in one round trip) is left out: the pool's
// connections wait on the network without blocking the process.
// `tsx bench/baseline-server-pg.ts --url postgres://… --port N`; prints "ready".
import { createServer } from "node:http";
import { heartbeatPath, readBody, send_, stepPath } from "./lib/bare-http";
import pg from "pg";
import { newId } from "@/lib/ids";

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const url = arg("--url") ?? process.env.DATABASE_URL!;
const port = Number(arg("--port") ?? 3401);

// int8 (ids, ms timestamps) as numbers, as the engine reads them.
pg.types.setTypeParser(20, Number);
pg.types.setTypeParser(1700, Number);
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.BENCH_PG_POOL ?? 10), idleTimeoutMillis: 0 });

const TASK_COLS = `"id", "instruction_id", "ref", "title", "description", "type", "assigned_agent", "status", "priority", "priority_rank", "authority", "deadline", "acceptance_criteria", "files_to_modify", "files_to_create", "blocked_reason", "blocker_type", "lease_token", "lease_expires_at", "last_heartbeat_at", "lease_reminded_at", "claimed_at", "completed_at", "created_by", "created_at", "updated_at", "version", "source_path", "original"`;
const STEP_COLS = `"task_id", "position", "title", "guidance", "status", "note", "started_at", "ended_at", "updated_at", "version"`;
const MSG_COLS = `"seq", "id", "thread_id", "in_reply_to", "from_kind", "from_name", "to_inbox", "type", "priority", "subject", "body", "instruction_id", "task_id", "step_position", "created_at", "read_at", "answered_at", "archived_at", "source_path", "original"`;

const ready = `NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id WHERE d.task_id = "tasks"."id" AND dt.status <> 'completed')`;
const leaseEnd = (at: string) => `CAST(${at} AS bigint) + CAST(coalesce((SELECT "agents"."lease_minutes" FROM "agents" WHERE "agents"."name" = "tasks"."assigned_agent"), 30) AS bigint) * 60000`;
const holding = `"tasks"."status" = 'in_progress' AND "tasks"."assigned_agent" = $3`;
const q = {
  claim: `update "tasks" set "status" = $1, "lease_token" = "tasks"."lease_token" + 1, "lease_expires_at" = ${leaseEnd("$2")}, "last_heartbeat_at" = $3, "lease_reminded_at" = $4, "claimed_at" = $5, "updated_at" = $6, "version" = "tasks"."version" + 1 where "tasks"."id" = (SELECT t.id FROM tasks t WHERE t.assigned_agent = $7 AND t.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
                              WHERE d.task_id = t.id AND dt.status <> 'completed')
              ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1 FOR UPDATE SKIP LOCKED) AND "tasks"."status" = 'pending' AND ${ready} returning ${TASK_COLS}`,
  event: `insert into "events" ("id", "at", "actor_kind", "actor_id", "verb", "entity_kind", "entity_id", "instruction_id", "task_id", "before", "after") values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning "id"`,
  // The heartbeat: one guarded UPDATE (agent, in progress, lease token), outside a transaction.
  heartbeat: `update "tasks" set "lease_expires_at" = ${leaseEnd("$1")}, "last_heartbeat_at" = $2, "lease_reminded_at" = null where "tasks"."id" = $3 AND "tasks"."assigned_agent" = $4 AND "tasks"."status" = 'in_progress' AND "tasks"."lease_token" = coalesce($5, "tasks"."lease_token") returning "id", "instruction_id", "lease_token", "lease_expires_at"`,
  // A write on a task starts with this: the row read, locked, its lease renewed when the writer holds it, updated_at when $4 = 1.
  touchTask: `update "tasks" set "updated_at" = CASE WHEN $4 = 1 THEN CAST($1 AS bigint) ELSE "tasks"."updated_at" END, "lease_expires_at" = CASE WHEN ${holding} THEN ${leaseEnd("$1")} ELSE "tasks"."lease_expires_at" END, "last_heartbeat_at" = CASE WHEN ${holding} THEN CAST($1 AS bigint) ELSE "tasks"."last_heartbeat_at" END, "lease_reminded_at" = CASE WHEN ${holding} THEN NULL ELSE "tasks"."lease_reminded_at" END where "tasks"."id" = $2 returning ${TASK_COLS}`,
  steps: `select ${STEP_COLS} from "task_steps" where "task_steps"."task_id" = $1`,
  updateStep: `update "task_steps" set "status" = $1, "note" = $2, "started_at" = $3, "ended_at" = $4, "updated_at" = $5, "version" = $6 where ("task_steps"."task_id" = $7 and "task_steps"."position" = $8) returning ${STEP_COLS}`,
  inbox: `select ${MSG_COLS} from "messages" where ("messages"."to_inbox" = $1 and "messages"."archived_at" is null) order by "messages"."created_at" desc, "messages"."id" desc limit $2`,
  unread: `select "unread" from "inbox_unread" where "inbox_unread"."inbox" = $1`,
  insertMessage: `insert into "messages" ("seq", "id", "thread_id", "in_reply_to", "from_kind", "from_name", "to_inbox", "type", "priority", "subject", "body", "instruction_id", "task_id", "step_position", "created_at", "read_at", "answered_at", "archived_at", "source_path", "original") values (default, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, null, null, null, null, null) returning ${MSG_COLS}`,
  agentExists: `select "name" from "agents" where "agents"."name" = $1`,
};

type Row = Record<string, unknown>;
type Client = pg.PoolClient;
/** A named prepared statement (prepared once per connection by pg). */
const run = async (c: Client, name: keyof typeof q, values: unknown[]): Promise<Row[]> => (await c.query({ name, text: q[name], values })).rows as Row[];
const one = async (c: Client, name: keyof typeof q, values: unknown[]) => (await run(c, name, values))[0];

/** One transaction, run again on a serialisation failure or deadlock (40001/40P01; 5 tries), as the engine's. */
async function tx<T>(isolation: "READ COMMITTED", fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      await c.query(`BEGIN ISOLATION LEVEL ${isolation}`);
      try {
        const r = await fn(c);
        await c.query("COMMIT");
        return r;
      } catch (err) {
        await c.query("ROLLBACK");
        const code = (err as { code?: string }).code;
        if (attempt < 5 && (code === "40001" || code === "40P01")) {
          await new Promise((r) => setTimeout(r, 1 + Math.random() * 4));
          continue;
        }
        throw err;
      }
    }
  } finally {
    c.release();
  }
}

// The recipients known to exist (AgentDesk keeps them per connection and change version).
const knownAgents = new Set<string>();

const claim = (agent: string, at: number) =>
  tx("READ COMMITTED", async (c) => {
    const row = await one(c, "claim", ["in_progress", at, at, null, at, at, agent]);
    if (!row) return null;
    await run(c, "event", [
      at,
      "agent",
      agent,
      "task.claimed",
      "task",
      row.id,
      row.instruction_id,
      row.id,
      JSON.stringify({ status: "pending" }),
      JSON.stringify({ status: "in_progress", leaseToken: row.lease_token, leaseExpiresAt: new Date(row.lease_expires_at as number).toISOString() }),
    ]);
    return row;
  });

/** One statement, no transaction: what AgentDesk runs for an agent whose Memory Ownership does not scope its tasks. */
async function heartbeat(agent: string, taskId: string, at: number) {
  const c = await pool.connect();
  try {
    const t = await one(c, "heartbeat", [at, at, taskId, agent, null]);
    if (!t) return null;
    return { taskId, leaseToken: t.lease_token, leaseExpiresAt: new Date(t.lease_expires_at as number).toISOString() };
  } finally {
    c.release();
  }
}

const moves: Record<string, string[]> = {
  pending: ["in_progress", "done", "skipped", "blocked"],
  in_progress: ["done", "skipped", "blocked"],
  blocked: ["in_progress", "skipped"],
  done: [],
  skipped: [],
};

const step = (agent: string, taskId: string, position: number, status: string, at: number) =>
  tx("READ COMMITTED", async (c): Promise<Row> => {
    const t = await one(c, "touchTask", [at, taskId, agent, 1]);
    if (!t || t.assigned_agent !== agent) return { error: 404 };
    const steps = await run(c, "steps", [taskId]);
    const s = steps.find((r) => r.position === position);
    if (!s) return { error: 404 };
    if (t.status !== "in_progress" || !moves[s.status as string].includes(status)) return { error: 409 };
    const ending = status === "done" || status === "skipped";
    const row = await one(c, "updateStep", [status, s.note, s.started_at ?? at, ending ? at : null, at, (s.version as number) + 1, taskId, position]);
    await run(c, "event", [
      at,
      "agent",
      agent,
      `step.${status}`,
      "step",
      `${taskId}#${position}`,
      t.instruction_id,
      taskId,
      JSON.stringify({ status: s.status, note: s.note }),
      JSON.stringify({ status, note: null, position, title: s.title, taskStatus: t.status }),
    ]);
    return { step: row, task: t, progress: steps.map((r) => (r.position === position ? row : r)) };
  });

const send = (agent: string, input: Row, at: number) =>
  tx("READ COMMITTED", async (c): Promise<Row> => {
    const to = String(input.to);
    if (!knownAgents.has(to)) {
      if (!(await one(c, "agentExists", [to]))) return { error: 422 };
      knownAgents.add(to);
    }
    let instructionId: unknown = null;
    if (input.taskId) {
      const t = await one(c, "touchTask", [at, input.taskId, agent, 1]);
      if (!t || t.assigned_agent !== agent) return { error: 404 };
      instructionId = t.instruction_id;
    }
    const id = newId("msg", at);
    const row = await one(c, "insertMessage", [
      id,
      id,
      null,
      "agent",
      agent,
      to,
      input.type ?? "status_update",
      input.priority ?? "normal",
      input.subject ?? "",
      input.body,
      instructionId,
      input.taskId ?? null,
      null,
      at,
    ]);
    await run(c, "event", [
      at,
      "agent",
      agent,
      "message.sent",
      "message",
      id,
      instructionId,
      input.taskId ?? null,
      null,
      JSON.stringify({ from: agent, to, type: row.type, threadId: id, inReplyTo: null, stepPosition: null }),
    ]);
    return row;
  });

const server = createServer(async (req, res) => {
  const agent = String(req.headers["x-agent"] ?? "");
  const url = req.url ?? "/";
  const at = Date.now();
  try {
    if (req.method === "GET" && url.startsWith("/api/v1/inbox")) {
      const limit = Number(new URL(url, "http://x").searchParams.get("limit") ?? 50);
      // Two reads outside a transaction, as the verb (a read, no writeTx) runs them.
      const c = await pool.connect();
      try {
        const rows = await run(c, "inbox", [agent, limit + 1]);
        const unread = (await one(c, "unread", [agent]))?.unread ?? 0;
        return send_(res, 200, { items: rows.slice(0, limit), nextCursor: rows.length > limit ? "more" : null, unreadCount: unread });
      } finally {
        c.release();
      }
    }
    const body = await readBody(req);
    const input = (body ? JSON.parse(body) : {}) as Row;
    if (url === "/api/v1/tasks/claim") {
      const row = await claim(agent, at);
      return row ? send_(res, 200, row) : send_(res, 204);
    }
    let m = heartbeatPath.exec(url);
    if (m) {
      const r = await heartbeat(agent, decodeURIComponent(m[1]), at);
      return r ? send_(res, 200, r) : send_(res, 404, { code: "not_found" });
    }
    m = stepPath.exec(url);
    if (m) {
      const r = await step(agent, decodeURIComponent(m[1]), Number(m[2]), String(input.status), at);
      return r.error ? send_(res, r.error as number, { code: "refused" }) : send_(res, 200, r);
    }
    if (url === "/api/v1/messages") {
      const r = await send(agent, input, at);
      return r.error ? send_(res, r.error as number, { code: "refused" }) : send_(res, 201, r);
    }
    send_(res, 404, { code: "not_found" });
  } catch (err) {
    send_(res, 500, { code: "internal", detail: String(err) });
  }
});
server.keepAliveTimeout = 65_000;
// Open the pool's connections before announcing ready (nothing is measured before both servers are up).
void Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => pool.connect())).then((cs) => {
  for (const c of cs) c.release();
  server.listen(port, "127.0.0.1", () => console.error(`ready ${port}`));
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
});
