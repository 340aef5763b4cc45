// The floor the real API is compared with: a bare node:http server running the same SQL statements
// the service verbs run (text copied from drizzle's output, prepared once) on the same database file,
// in the same transactions, with no framework, no validation and no authentication (the agent is
// named by an `x-agent` header). `tsx bench/baseline-server.ts --db FILE --port N`; prints "ready".
import { createServer } from "node:http";
import { heartbeatPath, readBody, send_, stepPath } from "./lib/bare-http";
import Database from "better-sqlite3";
import { newId } from "@/lib/ids";

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const file = arg("--db") ?? process.env.DATABASE_PATH!;
const port = Number(arg("--port") ?? 3401);

// The pragmas db/client.ts sets for every process.
const db = new Database(file);
db.pragma("busy_timeout = 5000");
db.pragma("journal_mode = WAL");
db.pragma("synchronous = NORMAL");
db.pragma("foreign_keys = ON");
db.pragma("cache_size = -32000");
db.pragma("temp_store = MEMORY");

const TASK_COLS = `"id", "instruction_id", "ref", "title", "description", "type", "assigned_agent", "status", "priority", "priority_rank", "authority", "deadline", "acceptance_criteria", "files_to_modify", "files_to_create", "blocked_reason", "blocker_type", "lease_token", "lease_expires_at", "last_heartbeat_at", "lease_reminded_at", "claimed_at", "completed_at", "created_by", "created_at", "updated_at", "version", "source_path", "original"`;
const STEP_COLS = `"task_id", "position", "title", "guidance", "status", "note", "started_at", "ended_at", "updated_at", "version"`;
const MSG_COLS = `"seq", "id", "thread_id", "in_reply_to", "from_kind", "from_name", "to_inbox", "type", "priority", "subject", "body", "instruction_id", "task_id", "step_position", "created_at", "read_at", "answered_at", "archived_at", "source_path", "original"`;

const q = {
  leaseMinutes: db.prepare(`select "lease_minutes" from "agents" where "agents"."name" = ?`),
  agentExists: db.prepare(`select "name" from "agents" where "agents"."name" = ?`),
  claim:
    db.prepare(`update "tasks" set "status" = ?, "lease_token" = "tasks"."lease_token" + 1, "lease_expires_at" = ?, "last_heartbeat_at" = ?, "lease_reminded_at" = ?, "claimed_at" = ?, "updated_at" = ?, "version" = "tasks"."version" + 1 where "tasks"."id" = (SELECT t.id FROM tasks t WHERE t.assigned_agent = ? AND t.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
                              WHERE d.task_id = t.id AND dt.status <> 'completed')
              ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1) AND "tasks"."status" = 'pending' AND NOT EXISTS (
  SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
  WHERE d.task_id = "tasks"."id" AND dt.status <> 'completed') returning ${TASK_COLS}`),
  event: db.prepare(
    `insert into "events" ("id", "at", "actor_kind", "actor_id", "verb", "entity_kind", "entity_id", "instruction_id", "task_id", "before", "after") values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning "id"`,
  ),
  task: db.prepare(`select ${TASK_COLS} from "tasks" where "tasks"."id" = ?`),
  leaseOf: db.prepare(
    `select "tasks"."id", "tasks"."assigned_agent", "tasks"."status", "tasks"."lease_token", "agents"."lease_minutes" from "tasks" left join "agents" on "agents"."name" = "tasks"."assigned_agent" where "tasks"."id" = ?`,
  ),
  touchLease: db.prepare(`update "tasks" set "lease_expires_at" = ?, "last_heartbeat_at" = ?, "lease_reminded_at" = ? where "tasks"."id" = ?`),
  step: db.prepare(`select ${STEP_COLS} from "task_steps" where ("task_steps"."task_id" = ? and "task_steps"."position" = ?)`),
  updateStep: db.prepare(
    `update "task_steps" set "status" = ?, "note" = ?, "started_at" = ?, "ended_at" = ?, "updated_at" = ?, "version" = ? where ("task_steps"."task_id" = ? and "task_steps"."position" = ?) returning ${STEP_COLS}`,
  ),
  touchTask: db.prepare(`update "tasks" set "updated_at" = ? where "tasks"."id" = ? returning ${TASK_COLS}`),
  stepStatuses: db.prepare(`select "status", "position" from "task_steps" where "task_steps"."task_id" = ?`),
  inbox: db.prepare(`select ${MSG_COLS} from "messages" where ("messages"."to_inbox" = ? and "messages"."archived_at" is null) order by "messages"."created_at" desc, "messages"."id" desc limit ?`),
  unread: db.prepare(`select "unread" from "inbox_unread" where "inbox_unread"."inbox" = ?`).pluck(),
  insertMessage: db.prepare(
    `insert into "messages" ("seq", "id", "thread_id", "in_reply_to", "from_kind", "from_name", "to_inbox", "type", "priority", "subject", "body", "instruction_id", "task_id", "step_position", "created_at", "read_at", "answered_at", "archived_at", "source_path", "original") values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, null, null, null, null, null) returning ${MSG_COLS}`,
  ),
  taskUpdatedAt: db.prepare(`update "tasks" set "updated_at" = ? where "tasks"."id" = ?`),
};

type Row = Record<string, unknown>;
const leaseMs = (agent: string) => ((q.leaseMinutes.get(agent) as { lease_minutes: number | null } | undefined)?.lease_minutes ?? 30) * 60_000;

const claim = db.transaction((agent: string, at: number) => {
  const ms = leaseMs(agent);
  const row = q.claim.get("in_progress", at + ms, at, null, at, at, agent) as Row | undefined;
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

const heartbeat = db.transaction((agent: string, taskId: string, at: number) => {
  const t = q.leaseOf.get(taskId) as Row | undefined;
  if (!t || t.assigned_agent !== agent) return null;
  const expires = at + ((t.lease_minutes as number | null) ?? 30) * 60_000;
  q.touchLease.run(expires, at, null, taskId);
  return { taskId, leaseToken: t.lease_token, leaseExpiresAt: new Date(expires).toISOString() };
});

const moves: Record<string, string[]> = {
  pending: ["in_progress", "done", "skipped", "blocked"],
  in_progress: ["done", "skipped", "blocked"],
  blocked: ["in_progress", "skipped"],
  done: [],
  skipped: [],
};

const step = db.transaction((agent: string, taskId: string, position: number, status: string, at: number) => {
  const t = q.task.get(taskId) as Row | undefined;
  if (!t || t.assigned_agent !== agent) return { error: 404 };
  const s = q.step.get(taskId, position) as Row | undefined;
  if (!s) return { error: 404 };
  q.touchLease.run(at + leaseMs(agent), at, null, taskId);
  if (t.status !== "in_progress" || !moves[s.status as string].includes(status)) return { error: 409 };
  const ending = status === "done" || status === "skipped";
  const row = q.updateStep.get(status, s.note, s.started_at ?? at, ending ? at : null, at, (s.version as number) + 1, taskId, position);
  const task = q.touchTask.get(at, taskId);
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
  const steps = q.stepStatuses.all(taskId);
  return { step: row, task, progress: steps };
});

const send = db.transaction((agent: string, input: Row, at: number) => {
  if (!q.agentExists.get(input.to)) return { error: 422 };
  let instructionId: unknown = null;
  if (input.taskId) {
    const t = q.task.get(input.taskId) as Row | undefined;
    if (!t || t.assigned_agent !== agent) return { error: 404 };
    q.touchLease.run(at + leaseMs(agent), at, null, t.id);
    instructionId = t.instruction_id;
  }
  const id = newId("msg", at);
  const row = q.insertMessage.get(
    id,
    id,
    null,
    "agent",
    agent,
    input.to,
    input.type ?? "status_update",
    input.priority ?? "normal",
    input.subject ?? "",
    input.body,
    instructionId,
    input.taskId ?? null,
    null,
    at,
  ) as Row;
  if (input.taskId) q.taskUpdatedAt.run(at, input.taskId);
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
    JSON.stringify({ from: agent, to: input.to, type: row.type, threadId: id, inReplyTo: null, stepPosition: null }),
  );
  return row;
});

const server = createServer(async (req, res) => {
  const agent = String(req.headers["x-agent"] ?? "");
  const url = req.url ?? "/";
  const at = Date.now();
  try {
    if (req.method === "GET" && url.startsWith("/api/v1/inbox")) {
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
      const r = heartbeat.immediate(agent, decodeURIComponent(m[1]), at);
      return r ? send_(res, 200, r) : send_(res, 404, { code: "not_found" });
    }
    m = stepPath.exec(url);
    if (m) {
      const r = step.immediate(agent, decodeURIComponent(m[1]), Number(m[2]), String(input.status), at) as Row;
      return r.error ? send_(res, r.error as number, { code: "refused" }) : send_(res, 200, r);
    }
    if (url === "/api/v1/messages") {
      const r = send.immediate(agent, input, at) as Row;
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
