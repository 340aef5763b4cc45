import { describe, expect, test } from "vitest";
import { json, type TestServer } from "@/test/server";
import { withTestServer } from "@/test/suite";

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
withTestServer((server) => {
  s = server;
  admin = s.person("admin");
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok<T = any>(res: Promise<Response> | Response, status = 200): Promise<T> {
  const r = await res;
  const body = await json<T>(r);
  expect(r.status, JSON.stringify(body)).toBe(status);
  return body;
}

describe("REST v1 contract, as people and agents use it", () => {
  test("instructions: create, list, read, edit with a version guard, change phase", async () => {
    const t = admin.token;
    const inst = await ok(s.request("/api/v1/instructions", { token: t, body: { title: "Checkout", body: "# Goal", tier: 2, priority: "medium" } }), 201);
    expect(inst).toMatchObject({ id: expect.stringMatching(/^inst_\d{8}_\d{3}$/), phase: "routing", priority: "normal", version: 1 });
    const list = await ok(s.request("/api/v1/instructions?phase=routing&limit=10", { token: t }));
    expect(list.items.map((i: { id: string }) => i.id)).toContain(inst.id);
    const edited = await ok(s.request(`/api/v1/instructions/${inst.id}`, { token: t, method: "PATCH", body: { title: "Checkout v2", expectedVersion: 1 } }));
    expect(edited).toMatchObject({ title: "Checkout v2", version: 2 });
    const stale = await s.request(`/api/v1/instructions/${inst.id}`, { token: t, method: "PATCH", body: { title: "Lost update", expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    expect((await json(stale)).code).toBe("version_conflict");
    expect((await ok(s.request(`/api/v1/instructions/${inst.id}/phase`, { token: t, body: { phase: "planning" } }))).phase).toBe("planning");
    const illegal = await s.request(`/api/v1/instructions/${inst.id}/phase`, { token: t, body: { phase: "completed" } });
    expect(illegal.status).toBe(409);
    const detail = await ok(s.request(`/api/v1/instructions/${inst.id}`, { token: t }));
    expect(detail).toMatchObject({ id: inst.id, tasks: [], messages: [] });
  });

  test("tasks for people: create, board, list filters, reassign, illegal move, cancel, timeline", async () => {
    const t = admin.token;
    const inst = await ok(s.request("/api/v1/instructions", { token: t, body: { title: "Board", body: "", tier: 1, priority: "normal" } }), 201);
    const task = await ok(s.request("/api/v1/tasks", { token: t, body: { instructionId: inst.id, title: "Design schema", assignedAgent: "backend-developer", ref: "T1", priority: "high" } }), 201);
    expect(task).toMatchObject({ ref: "T1", status: "pending", assignedAgent: "backend-developer", priority: "high" });
    const board = await ok(s.request(`/api/v1/tasks/board?instructionId=${inst.id}`, { token: t }));
    expect(board.columns.map((c: { status: string }) => c.status)).toEqual(["pending", "in_progress", "blocked", "in_review", "completed"]);
    expect(board.columns[0]).toMatchObject({ count: 1, items: [expect.objectContaining({ id: task.id })] });
    const filtered = await ok(s.request(`/api/v1/tasks?agent=backend-developer&priority=high&instructionId=${inst.id}`, { token: t }));
    expect(filtered.items).toHaveLength(1);
    const moved = await ok(s.request(`/api/v1/tasks/${task.id}/reassign`, { token: t, body: { agent: "frontend-developer" } }));
    expect(moved.assignedAgent).toBe("frontend-developer");
    expect((await ok(s.request(`/api/v1/tasks/${task.id}`, { token: t }))).steps).toHaveLength(9);
    const refuse = await s.request(`/api/v1/tasks/${task.id}/move`, { token: t, body: { to: "in_review" } });
    expect(refuse.status).toBe(409);
    expect((await ok(s.request(`/api/v1/tasks/${task.id}/move`, { token: t, body: { to: "cancelled", reason: "Not needed" } }))).status).toBe("cancelled");
    const timeline = await ok(s.request(`/api/v1/tasks/${task.id}/events?limit=2`, { token: t }));
    expect(timeline.items.map((e: { verb: string }) => e.verb)).toEqual(["task.cancelled", "task.reassigned"]);
    expect(timeline.nextBeforeId).toBe(timeline.items[1].id);
    const older = await ok(s.request(`/api/v1/tasks/${task.id}/events?beforeId=${timeline.nextBeforeId}`, { token: t }));
    expect(older.items.map((e: { verb: string }) => e.verb)).toEqual(["task.created"]);
    const audit = await ok(s.request(`/api/v1/events?instructionId=${inst.id}&limit=50`, { token: t }));
    expect(audit.items.length).toBeGreaterThanOrEqual(4);
  });

  test("an agent's whole REST loop, then review: request changes, resubmit, approve", async () => {
    const t = admin.token;
    const agent = s.agentToken("security-specialist").token;
    const inst = await ok(s.request("/api/v1/instructions", { token: t, body: { title: "Audit", body: "", tier: 1, priority: "normal" } }), 201);
    const task = await ok(s.request("/api/v1/tasks", { token: t, body: { instructionId: inst.id, title: "Audit login", assignedAgent: "security-specialist" } }), 201);

    const me = await ok(s.request("/api/v1/me", { token: agent }));
    expect(me).toMatchObject({ kind: "agent", name: "security-specialist", agent: { steps: expect.any(Array) } });
    const stepCount = me.agent.steps.length;

    const claimed = await ok(s.request("/api/v1/tasks/claim", { token: agent, body: {} }));
    const leaseToken = claimed.lease.token;
    const beat = await ok(s.request(`/api/v1/tasks/${task.id}/heartbeat`, { token: agent, body: { leaseToken } }));
    expect(beat).toMatchObject({ taskId: task.id, leaseToken });

    await ok(s.request(`/api/v1/tasks/${task.id}/steps/1`, { token: agent, body: { status: "in_progress", note: "Reading the code" } }));
    const blocked = await ok(s.request(`/api/v1/tasks/${task.id}/block`, { token: agent, body: { reason: "No access to the repo", blockerType: "missing_dependency" } }));
    expect(blocked).toMatchObject({ status: "blocked", blockedReason: "No access to the repo" });
    expect((await ok(s.request(`/api/v1/tasks/${task.id}/unblock`, { token: agent, body: { note: "Access granted" } }))).status).toBe("in_progress");
    for (let p = 1; p <= stepCount; p++) {
      await ok(s.request(`/api/v1/tasks/${task.id}/steps/${p}`, { token: agent, body: { status: "done", note: `Step ${p} done`, leaseToken } }));
    }
    const v1 = await ok(s.request(`/api/v1/tasks/${task.id}/outputs`, { token: agent, body: { format: "yaml", content: "findings: []", files: ["src/login.ts"] } }), 201);
    expect(v1).toMatchObject({ version: 1, files: [{ path: "src/login.ts" }] });
    expect((await ok(s.request(`/api/v1/tasks/${task.id}/complete`, { token: agent, body: { summary: "No findings" } }))).status).toBe("in_review");

    const queue = await ok(s.request("/api/v1/outputs", { token: t }));
    expect(queue.items.map((o: { id: string }) => o.id)).toContain(v1.id);
    const changes = await ok(s.request(`/api/v1/outputs/${v1.id}/request-changes`, { token: t, body: { comment: "Check the rate limit too" } }));
    // Changes requested open round 2: the task goes back to pending, its steps archived and reset.
    expect(changes).toMatchObject({ output: { status: "changes_requested" }, task: { status: "pending", round: 2 }, review: { decision: "changes_requested" } });
    const round2 = await ok(s.request(`/api/v1/tasks/${task.id}`, { token: t }));
    expect(round2).toMatchObject({ status: "pending", round: 2 });
    expect(round2.steps).toHaveLength(stepCount);
    expect(round2.steps.every((x: { status: string }) => x.status === "pending")).toBe(true);
    expect(round2.rounds).toEqual([{ round: 1, steps: expect.any(Array) }]);
    expect(round2.rounds[0].steps.map((x: { status: string }) => x.status)).toEqual(Array(stepCount).fill("done"));
    // v1 has been decided: it left the queue, and nothing of this task waits for review.
    expect((await ok(s.request("/api/v1/outputs", { token: t }))).items.map((o: { taskId: string }) => o.taskId)).not.toContain(task.id);

    const inbox = await ok(s.request("/api/v1/inbox?unread=true&type=review_response", { token: agent }));
    expect(inbox.items[0]).toMatchObject({ id: changes.messageId, body: "Check the rate limit too", taskId: task.id });
    expect(inbox.unreadCount).toBeGreaterThanOrEqual(1);
    expect((await ok(s.request(`/api/v1/messages/${changes.messageId}/read`, { token: agent, method: "POST" }))).readAt).not.toBeNull();

    // A pending task takes no output and no heartbeat until it is claimed again (the old lease is gone).
    expect((await s.request(`/api/v1/tasks/${task.id}/outputs`, { token: agent, body: { format: "yaml", content: "findings: [rate-limit]" } })).status).toBe(409);
    expect((await s.request(`/api/v1/tasks/${task.id}/heartbeat`, { token: agent, body: { leaseToken } })).status).toBe(409);
    const reclaimed = await ok(s.request("/api/v1/tasks/claim", { token: agent, body: { taskId: task.id } }));
    expect(reclaimed).toMatchObject({ id: task.id, status: "in_progress", round: 2 });
    const leaseToken2 = reclaimed.lease.token;
    expect(leaseToken2).not.toBe(leaseToken);
    for (let p = 1; p <= stepCount; p++) {
      await ok(s.request(`/api/v1/tasks/${task.id}/steps/${p}`, { token: agent, body: { status: "done", note: `Round 2, step ${p} done`, leaseToken: leaseToken2 } }));
    }
    const v2 = await ok(s.request(`/api/v1/tasks/${task.id}/outputs`, { token: agent, body: { format: "yaml", content: "findings: [rate-limit]", leaseToken: leaseToken2 } }), 201);
    expect(v2).toMatchObject({ version: 2, status: "pending_review" });
    // v2 waits, but the task is still in progress: no decision until the agent completes it.
    const early = await s.request(`/api/v1/outputs/${v2.id}/approve`, { token: t, body: { comment: "Too soon" } });
    expect(early.status).toBe(409);
    expect((await json<{ code: string }>(early)).code).toBe("illegal_transition");
    expect((await ok(s.request(`/api/v1/tasks/${task.id}/complete`, { token: agent, body: { leaseToken: leaseToken2 } }))).status).toBe("in_review");
    expect((await ok(s.request("/api/v1/outputs", { token: t }))).items.map((o: { id: string }) => o.id)).toContain(v2.id);
    const approved = await ok(s.request(`/api/v1/outputs/${v2.id}/approve`, { token: t, body: { comment: "Good" } }));
    expect(approved).toMatchObject({ output: { status: "approved" }, task: { status: "completed" }, review: { decision: "approved" } });
    const detail = await ok(s.request(`/api/v1/outputs/${v2.id}`, { token: t }));
    expect(detail.versions.map((v: { status: string }) => v.status)).toEqual(["changes_requested", "approved"]);
    expect(detail.reviews).toHaveLength(2);
  });

  test("messages: to the people, answered by a person, marked, searched", async () => {
    const agent = s.agentToken("backend-developer").token;
    const sent = await ok(
      s.request("/api/v1/messages", { token: agent, body: { to: "hitl", type: "escalation", subject: "Need a decision", body: "Use Postgres or SQLite for the ledger?", priority: "high" } }),
      201,
    );
    expect(sent).toMatchObject({ to: "hitl", from: { kind: "agent", name: "backend-developer" } });

    const reviewer = s.person("reviewer");
    const peopleInbox = await ok(s.request("/api/v1/inbox?unread=true", { token: reviewer.token }));
    expect(peopleInbox.items.map((m: { id: string }) => m.id)).toContain(sent.id);
    const inboxes = await ok(s.request("/api/v1/inboxes", { token: reviewer.token }));
    expect(inboxes.items[0].inbox).toBe("hitl");
    expect((await ok(s.request("/api/v1/inbox/hitl", { token: reviewer.token }))).items[0].id).toBe(sent.id);
    expect((await ok(s.request(`/api/v1/messages/${sent.id}`, { token: reviewer.token }))).body).toContain("ledger");

    const reply = await ok(s.request(`/api/v1/messages/${sent.id}/reply`, { token: reviewer.token, body: { body: "SQLite, with WAL." } }), 201);
    expect(reply).toMatchObject({ to: "backend-developer", inReplyTo: sent.id, threadId: sent.threadId, type: "escalation_response" });
    const agentInbox = await ok(s.request("/api/v1/inbox", { token: agent }));
    expect(agentInbox.items.map((m: { id: string }) => m.id)).toContain(reply.id);

    for (const [action, field, set] of [
      ["read", "readAt", true],
      ["unread", "readAt", false],
      ["archive", "archivedAt", true],
      ["unarchive", "archivedAt", false],
    ] as const) {
      const m = await ok(s.request(`/api/v1/messages/${reply.id}/${action}`, { token: agent, method: "POST" }));
      expect(m[field] !== null).toBe(set);
    }
    const hits = await ok(s.request("/api/v1/search?q=ledger", { token: reviewer.token }));
    expect(hits.items.map((m: { id: string }) => m.id)).toContain(sent.id);
    const thread = await ok(s.request(`/api/v1/threads/${sent.threadId}`, { token: agent }));
    expect(thread.messages).toHaveLength(2);
  });

  test("agents, overview, counts; the browser's session cookie works and needs its own origin", async () => {
    const viewer = s.person("viewer");
    const agents = await ok(s.request("/api/v1/agents", { cookie: viewer.cookie }));
    expect(agents.items.map((a: { name: string }) => a.name)).toEqual(["backend-developer", "frontend-developer", "security-specialist"]);
    expect((await ok(s.request("/api/v1/agents/backend-developer", { cookie: viewer.cookie }))).steps).toHaveLength(10);
    const overview = await ok(s.request("/api/v1/overview", { cookie: viewer.cookie }));
    expect(overview).toHaveProperty("taskCounts");
    expect(overview.agents).toHaveLength(3);
    expect(await ok(s.request("/api/v1/counts", { cookie: viewer.cookie }))).toMatchObject({ awaitingReview: expect.any(Number), unread: expect.any(Number) });
    expect(await ok(s.request("/api/v1/me", { cookie: viewer.cookie }))).toMatchObject({ kind: "person", role: "viewer" });

    const crossSite = await s.request("/api/v1/messages", { cookie: admin.cookie, body: { to: "hitl", body: "x" }, headers: { origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect((await json(crossSite)).code).toBe("csrf");
    expect(await ok(s.request("/api/v1/messages", { cookie: admin.cookie, body: { to: "backend-developer", body: "From the dashboard" } }), 201)).toMatchObject({
      from: { kind: "person" },
    });
  });

  test("admin: tokens (secret shown once, usable, revocable) and people", async () => {
    const t = admin.token;
    const minted = await ok(s.request("/api/v1/tokens", { token: t, body: { agent: "frontend-developer", label: "ci" } }), 201);
    expect(minted.token).toMatch(/^adk_/);
    expect((await ok(s.request("/api/v1/me", { token: minted.token }))).name).toBe("frontend-developer");
    const list = await ok(s.request("/api/v1/tokens?agent=frontend-developer", { token: t }));
    const listed = list.items.find((x: { id: string }) => x.id === minted.id);
    expect(listed).toMatchObject({ label: "ci", agent: "frontend-developer" });
    expect(listed).not.toHaveProperty("token");
    await ok(s.request(`/api/v1/tokens/${minted.id}/revoke`, { token: t, method: "POST" }));
    expect((await s.request("/api/v1/me", { token: minted.token })).status).toBe(401);
    const both = await s.request("/api/v1/tokens", { token: t, body: { agent: "frontend-developer", userId: admin.actor.id } });
    expect(both.status).toBe(422);

    const user = await ok(s.request("/api/v1/users", { token: t, body: { email: "New.Person@Example.com", name: "New", role: "reviewer", password: "a long enough password" } }), 201);
    expect(user).toMatchObject({ email: "new.person@example.com", role: "reviewer" });
    expect(user).not.toHaveProperty("passwordHash");
    const short = await s.request("/api/v1/users", { token: t, body: { email: "short@example.com", role: "viewer", password: "short" } });
    expect(short.status).toBe(422);
    expect((await json(short)).fields).toHaveProperty("password");
    const dup = await s.request("/api/v1/users", { token: t, body: { email: "new.person@example.com", role: "viewer", password: "a long enough password" } });
    expect(dup.status).toBe(409);
    const users = await ok(s.request("/api/v1/users", { token: t }));
    expect(users.items.map((u: { email: string }) => u.email)).toContain("new.person@example.com");
    expect((await ok(s.request(`/api/v1/users/${user.id}`, { token: t, method: "DELETE" }))).id).toBe(user.id);
    expect((await s.request(`/api/v1/users/${user.id}`, { token: t, method: "DELETE" })).status).toBe(404);
  });
});
