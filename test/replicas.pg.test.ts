import { afterAll, beforeAll, describe, expect, test } from "vitest";
import pg from "pg";
import type { Db } from "@/db/engine";
import { createInstruction, createTask, createToken, createUser } from "@/lib/services";
import { sendAtOnce, type PlannedRequest } from "./concurrent";
import { SseStream } from "./sse";
import { exec, one } from "./sql";
import { system } from "./db";
import { replicaDatabase, startReplica, stopReplica, until, type Replica } from "./replicas";

// Two server replicas (separate processes: test/replicas-worker.ts, the API and the lease-held jobs
// as server.ts runs them) on one fresh PostgreSQL database (docs/replicas.md).
let url: string;
let db: Db;
let drop: () => void;
let a: Replica;
let b: Replica;
let adminToken: string;
const streams: SseStream[] = [];

beforeAll(async () => {
  ({ url, db, drop } = replicaDatabase());
  // A first, so it holds the jobs; B starts once A does.
  a = await startReplica("replica-a", url);
  await until(() => a.logged("this replica now runs a job", { lease: "sweeper" }).length, 10_000, "replica-a taking the sweeper");
  b = await startReplica("replica-b", url);
  const admin = createUser({ db, actor: system }, { email: "ada@example.com", name: "Ada", role: "admin", passwordHash: "scrypt$test$not-a-real-hash-000" });
  adminToken = createToken({ db, actor: system }, { userId: admin.id, label: "test" }).token;
}, 60_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await Promise.all([a && stopReplica(a), b && stopReplica(b)]);
  drop?.();
}, 60_000);

const agentToken = (agent: string) => createToken({ db, actor: system }, { agent, label: "replicas" }).token;
const post = (base: string, path: string, token: string, body?: unknown) =>
  fetch(base + path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
async function openStream(base: string, token: string): Promise<SseStream> {
  const s = await SseStream.open(`${base}/api/events`, { authorization: `Bearer ${token}` });
  streams.push(s);
  expect(s.response.status).toBe(200);
  await s.waitFor((e) => e.event === "ready");
  return s;
}

describe("two replicas on one PostgreSQL database", () => {
  test("20 agents spread over both replicas claim 5 tasks at the same moment: exactly 5 claims, no task twice", async () => {
    const inst = createInstruction({ db, actor: system }, { title: "Rush" });
    const ids = Array.from({ length: 5 }, (_, i) => createTask({ db, actor: system }, { instructionId: inst.id, title: `Job ${i + 1}`, assignedAgent: "backend-developer" }).id);
    const requests: PlannedRequest[] = Array.from({ length: 20 }, (_, i) => ({ server: i % 2 ? b.url : a.url, path: "/api/v1/tasks/claim", method: "POST", token: agentToken("backend-developer") }));
    const answers = await sendAtOnce(requests, 4);
    const won = answers.filter((r) => r.status === 200);
    expect(answers.filter((r) => r.status === 204)).toHaveLength(15);
    expect(won.map((r) => r.body.id).sort()).toEqual([...ids].sort());
    expect(Number(one<{ n: number }>(db, "SELECT count(*) AS n FROM events WHERE verb = 'task.claimed' AND instruction_id = ?", inst.id)!.n)).toBe(5);
  }, 60_000);

  test("a step reported through replica A reaches an event stream held on replica B in under a second", async () => {
    const token = agentToken("frontend-developer");
    const inst = createInstruction({ db, actor: system }, { title: "Live" });
    const task = createTask({ db, actor: system }, { instructionId: inst.id, title: "Steps", assignedAgent: "frontend-developer" });
    expect((await post(a.url, "/api/v1/tasks/claim", token, { taskId: task.id })).status).toBe(200);
    const stream = await openStream(b.url, adminToken);
    const t0 = Date.now();
    const res = await post(a.url, `/api/v1/tasks/${task.id}/steps/1`, token, { status: "in_progress", note: "on it" });
    expect(res.status).toBe(200);
    const got = await stream.waitFor((e) => e.event === "change" && e.data.taskId === task.id && String(e.data.verb).startsWith("step."), 5000);
    expect(got.at - t0).toBeLessThan(1000);
  });

  test("an event whose transaction commits late with a lower id is not skipped: the stream gets both, in commit order", async () => {
    const stream = await openStream(b.url, adminToken);
    // A third connection holds a transaction that appended an event; a later one commits meanwhile.
    const held = new pg.Client({ connectionString: url });
    await held.connect();
    try {
      await held.query("BEGIN");
      const late = Number(
        (await held.query("INSERT INTO events (at, actor_kind, actor_id, verb, entity_kind, entity_id) VALUES ($1, 'system', 'test', 'test.late', 'test', 'late') RETURNING id", [Date.now()])).rows[0]
          .id,
      );
      const res = await post(a.url, "/api/v1/messages", agentToken("backend-developer"), { to: "hitl", body: "after the late one" });
      expect(res.status).toBe(201);
      const later = Number(one<{ id: number }>(db, "SELECT max(id) AS id FROM events WHERE verb = 'message.sent'")!.id);
      expect(later).toBeGreaterThan(late);
      // Nothing after the open transaction is sent while it is open (it could still commit before it).
      await new Promise((r) => setTimeout(r, 800));
      expect(stream.changes.map((e) => Number(e.id))).not.toContain(later);
      await held.query("COMMIT");
      await stream.waitFor((e) => Number(e.id) === later, 5000);
      const order = stream.changes.map((e) => Number(e.id));
      expect(order).toContain(late);
      expect(order.indexOf(late)).toBeLessThan(order.indexOf(later));
      // The REST follower on either replica reads them in the same order, after the id before both.
      const page = await (await fetch(`${a.url}/api/v1/events?afterId=${late - 1}&limit=500`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
      const ids = (page.items as { id: number }[]).map((e) => e.id);
      expect(ids).toContain(later);
      expect(ids.indexOf(late)).toBeLessThan(ids.indexOf(later));
    } finally {
      await held.query("ROLLBACK").catch(() => {});
      await held.end();
    }
  });

  test("a token revoked on replica A is refused on replica B at its next request", async () => {
    const tok = createToken({ db, actor: system }, { agent: "backend-developer", label: "to revoke" });
    const me = () => fetch(`${b.url}/api/v1/me`, { headers: { authorization: `Bearer ${tok.token}` } });
    expect((await me()).status).toBe(200); // B now remembers it
    const revoke = await post(a.url, `/api/v1/tokens/${tok.id}/revoke`, adminToken);
    expect(revoke.ok).toBe(true);
    expect((await me()).status).toBe(401);
  });

  test("the sweeper runs on one replica only, the one holding its lease", async () => {
    expect(a.logged("this replica now runs a job", { lease: "sweeper" })).toHaveLength(1);
    expect(b.logged("this replica now runs a job", { lease: "sweeper" })).toHaveLength(0);
    expect(one(db, "SELECT holder, token FROM leases WHERE name = 'sweeper'")).toEqual({ holder: "replica-a", token: 1 });
    // A task whose agent went quiet long ago: taken back by the sweeper, once, on A.
    const token = agentToken("security-specialist");
    const inst = createInstruction({ db, actor: system }, { title: "Quiet" });
    const task = createTask({ db, actor: system }, { instructionId: inst.id, title: "Abandoned", assignedAgent: "security-specialist" });
    expect((await post(b.url, "/api/v1/tasks/claim", token, { taskId: task.id })).status).toBe(200);
    exec(db, "UPDATE tasks SET lease_expires_at = ? WHERE id = ?", Date.now() - 60 * 60_000, task.id);
    await until(() => one<{ status: string }>(db, "SELECT status FROM tasks WHERE id = ?", task.id)?.status !== "in_progress", 10_000, "the sweep");
    await new Promise((r) => setTimeout(r, 600)); // several more sweep periods
    expect(a.logged("leases swept").length).toBeGreaterThanOrEqual(1);
    expect(b.logged("leases swept")).toHaveLength(0);
  });
});
