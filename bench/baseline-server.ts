// The floor the real API is compared with: a bare node:http server running the same SQL statements
// the service verbs run on SQLite (text copied from drizzle's output, prepared once) on the same
// database file, in the same transactions and order, with no framework, no validation and no
// authentication (the agent is named by an `x-agent` header): the claim one guarded UPDATE with the
// lease's length in it, a write on a task starting with the UPDATE that reads it and renews its lease
// (touchTaskForWrite), the heartbeat one guarded UPDATE outside a transaction, the recipients of
// messages remembered once found. What AgentDesk reads besides, to keep its caches in step with
// other processes (PRAGMA data_version: authentication, Memory Ownership, known agents), is left out
// as PostgreSQL's baseline leaves out the access epoch. `npx tsx bench/round-trips.ts --engine
// sqlite` prints both servers' statements per operation side by side (docs/benchmarks.md).
// `tsx bench/baseline-server.ts --db FILE --port N`; prints "ready".
import { createServer } from "node:http";
import { heartbeatPath, readBody, send_, stepPath } from "./lib/bare-http";
import Database from "better-sqlite3";
import { newId } from "@/lib/ids";

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const file = arg("--db") ?? process.env.DATABASE_PATH!;
const port = Number(arg("--port") ?? 3401);

// The pragmas db/engine/sqlite.ts sets for every process.
const db = new Database(file);
db.pragma("busy_timeout = 5000");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
db.pragma("cache_size = -32000");
db.pragma("temp_store = MEMORY");

const TASK_COLS = `"id", "instruction_id", "ref", "title", "description", "type", "assigned_agent", "status", "priority", "priority_rank", "authority", "deadline", "acceptance_criteria", "files_to_modify", "files_to_create", "blocked_reason", "blocker_type", "lease_token", "lease_expires_at", "last_heartbeat_at", "lease_reminded_at", "claimed_at", "completed_at", "round", "parent_task_id", "created_by", "created_at", "updated_at", "version", "source_path", "original"`;
const STEP_COLS = `"task_id", "position", "title", "guidance", "status", "note", "started_at", "ended_at", "updated_at", "version"`;
const MSG_COLS = `"seq", "id", "thread_id", "in_reply_to", "from_kind", "from_name", "to_inbox", "type", "priority", "subject", "body", "instruction_id", "task_id", "step_position", "created_at", "read_at", "answered_at", "archived_at", "source_path", "original"`;

const ready = `NOT EXISTS ( SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id WHERE d.task_id = "tasks"."id" AND dt.status <> 'completed')`;
const leaseEnd = `CAST(? AS bigint) + CAST(coalesce((SELECT "agents"."lease_minutes" FROM "agents" WHERE "agents"."name" = "tasks"."assigned_agent"), 30) AS bigint) * 60000`;
const holding = `"tasks"."status" = 'in_progress' AND "tasks"."assigned_agent" = ?`;
const q = {
  // (SQLite has no FOR UPDATE SKIP LOCKED: the space before the subquery's ")" is where PostgreSQL's goes.)
  claim: db.prepare(
    `update "tasks" set "status" = ?, "lease_token" = "tasks"."lease_token" + 1, "lease_expires_at" = ${leaseEnd}, "last_heartbeat_at" = ?, "lease_reminded_at" = ?, "claimed_at" = ?, "updated_at" = ?, "version" = "tasks"."version" + 1 where "tasks"."id" = (SELECT t.id FROM tasks t WHERE t.assigned_agent = ? AND t.status = 'pending' AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id WHERE d.task_id = t.id AND dt.status <> 'completed') ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1 ) AND "tasks"."status" = 'pending' AND ${ready} returning ${TASK_COLS}`,
  ),
  event: db.prepare(
    `insert into "events" ("id", "at", "actor_kind", "actor_id", "verb", "entity_kind", "entity_id", "instruction_id", "task_id", "before", "after") values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning "id"`,
  ),
  // The heartbeat: one guarded UPDATE (agent, in progress, lease token), outside a transaction.
  heartbeat: db.prepare(
    `update "tasks" set "lease_expires_at" = ${leaseEnd}, "last_heartbeat_at" = ?, "lease_reminded_at" = ? where "tasks"."id" = ? AND "tasks"."assigned_agent" = ? AND "tasks"."status" = 'in_progress' AND "tasks"."lease_token" = coalesce(?, "tasks"."lease_token") returning "id", "instruction_id", "lease_token", "lease_expires_at"`,
  ),
  // A write on a task starts with this: the row read, its lease renewed when the writer holds it, updated_at when touch = 1.
  touchTask: db.prepare(
    `update "tasks" set "lease_expires_at" = CASE WHEN ${holding} THEN ${leaseEnd} ELSE "tasks"."lease_expires_at" END, "last_heartbeat_at" = CASE WHEN ${holding} THEN CAST(? AS bigint) ELSE "tasks"."last_heartbeat_at" END, "lease_reminded_at" = CASE WHEN ${holding} THEN NULL ELSE "tasks"."lease_reminded_at" END, "updated_at" = CASE WHEN ? = 1 THEN CAST(? AS bigint) ELSE "tasks"."updated_at" END where "tasks"."id" = ? returning ${TASK_COLS}`,
  ),
  steps: db.prepare(`select ${STEP_COLS} from "task_steps" where "task_steps"."task_id" = ?`),
  updateStep: db.prepare(
    `update "task_steps" set "status" = ?, "note" = ?, "started_at" = ?, "ended_at" = ?, "updated_at" = ?, "version" = ? where ("task_steps"."task_id" = ? and "task_steps"."position" = ?) returning ${STEP_COLS}`,
  ),
  inbox: db.prepare(`select ${MSG_COLS} from "messages" where ("messages"."to_inbox" = ? and "messages"."archived_at" is null) order by "messages"."created_at" desc, "messages"."id" desc limit ?`),
  unread: db.prepare(`select "unread" from "inbox_unread" where "inbox_unread"."inbox" = ?`).pluck(),
  insertMessage: db.prepare(`insert into "messages" (${MSG_COLS}) values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null, ?, ?) returning ${MSG_COLS}`),
  agentExists: db.prepare(`select "name" from "agents" where "agents"."name" = ?`),
};

type Row = Record<string, unknown>;

/** touchTaskForWrite: the task row (undefined when there is none), its lease renewed when `agent` holds it in progress. */
const touchTask = (agent: string, taskId: unknown, at: number, touch: boolean) => q.touchTask.get(agent, at, agent, at, agent, touch ? 1 : 0, at, taskId) as Row | undefined;

const claim = db.transaction((agent: string, at: number) => {
  const row = q.claim.get("in_progress", at, at, null, at, at, agent) as Row | undefined;
  if (!row) return null;
  q.event.get(
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
  );
  return row;
});

/** One statement, no transaction: what AgentDesk runs for an agent whose Memory Ownership does not scope its tasks. */
function heartbeat(agent: string, taskId: string, at: number) {
  const t = q.heartbeat.get(at, at, null, taskId, agent, null) as Row | undefined;
  if (!t) return null;
  return { taskId, leaseToken: t.lease_token, leaseExpiresAt: new Date(t.lease_expires_at as number).toISOString() };
}

const moves: Record<string, string[]> = {
  pending: ["in_progress", "done", "skipped", "blocked"],
  in_progress: ["done", "skipped", "blocked"],
  blocked: ["in_progress", "skipped"],
  done: [],
  skipped: [],
};

const step = db.transaction((agent: string, taskId: string, position: number, status: string, at: number): Row => {
  const t = touchTask(agent, taskId, at, true);
  if (!t || t.assigned_agent !== agent) return { error: 404 };
  const steps = q.steps.all(taskId) as Row[];
  const s = steps.find((r) => r.position === position);
  if (!s) return { error: 404 };
  if (t.status !== "in_progress" || !moves[s.status as string].includes(status)) return { error: 409 };
  const ending = status === "done" || status === "skipped";
  const row = q.updateStep.get(status, s.note, s.started_at ?? at, ending ? at : null, at, (s.version as number) + 1, taskId, position) as Row;
  q.event.get(
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
  );
  return { step: row, task: t, progress: steps.map((r) => (r.position === position ? row : r)) };
});

// The recipients known to exist (AgentDesk keeps them per connection and change version).
const knownAgents = new Set<string>();

const send = db.transaction((agent: string, input: Row, at: number): Row => {
  const to = String(input.to);
  if (!knownAgents.has(to)) {
    if (!q.agentExists.get(to)) return { error: 422 };
    knownAgents.add(to);
  }
  let instructionId: unknown = null;
  if (input.taskId) {
    const t = touchTask(agent, input.taskId, at, true);
    if (!t || t.assigned_agent !== agent) return { error: 404 };
    instructionId = t.instruction_id;
  }
  const id = newId("msg", at);
  const row = q.insertMessage.get(
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
    null,
    null,
  ) as Row;
  q.event.get(
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
  );
  return row;
});

const server = createServer(async (req, res) => {
  const agent = String(req.headers["x-agent"] ?? "");
  const url = req.url ?? "/";
  const at = Date.now();
  try {
    if (req.method === "GET" && url.startsWith("/api/v1/inbox")) {
      // Two reads outside a transaction, as the verb (a read, no writeTx) runs them.
      const limit = Number(new URL(url, "http://x").searchParams.get("limit") ?? 50);
      const rows = q.inbox.all(agent, limit + 1);
      return send_(res, 200, { items: rows.slice(0, limit), nextCursor: rows.length > limit ? "more" : null, unreadCount: q.unread.get(agent) ?? 0 });
    }
    const body = await readBody(req);
    const input = (body ? JSON.parse(body) : {}) as Row;
    if (url === "/api/v1/tasks/claim") {
      const row = claim.immediate(agent, at);
      return row ? send_(res, 200, row) : send_(res, 204);
    }
    let m = heartbeatPath.exec(url);
    if (m) {
      const r = heartbeat(agent, decodeURIComponent(m[1]), at);
      return r ? send_(res, 200, r) : send_(res, 404, { code: "not_found" });
    }
    m = stepPath.exec(url);
    if (m) {
      const r = step.immediate(agent, decodeURIComponent(m[1]), Number(m[2]), String(input.status), at);
      return r.error ? send_(res, r.error as number, { code: "refused" }) : send_(res, 200, r);
    }
    if (url === "/api/v1/messages") {
      const r = send.immediate(agent, input, at);
      return r.error ? send_(res, r.error as number, { code: "refused" }) : send_(res, 201, r);
    }
    send_(res, 404, { code: "not_found" });
  } catch (err) {
    send_(res, 500, { code: "internal", detail: String(err) });
  }
});
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.error(`ready ${port}`));
process.on("SIGTERM", () => {
  server.close();
  db.close();
  process.exit(0);
});
