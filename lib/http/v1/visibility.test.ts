import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { claimTask, completeTask, createInstruction, createTask, getTask, sendMessage, submitOutput, updateStep, type TaskDto } from "@/lib/services";
import { system } from "@/test/db";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";

/**
 * What an agent's token shows of work that is not its own: nothing beyond what is public. Another
 * agent's work is "not found", worded exactly as if it did not exist; counts count only what the
 * caller may see; no answer carries the server's absolute paths.
 */
let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
let be: string;
let fe: string;
let inst: { id: string };
let otherInst: { id: string };
let beTask: TaskDto;
let output: { id: string };
let toBe: { id: string; threadId: string };

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  be = s.agentToken("backend-developer").token;
  fe = s.agentToken("frontend-developer").token;
  const sys = { db: s.db, actor: system };
  const beCtx = { db: s.db, actor: { kind: "agent" as const, name: "backend-developer" } };
  inst = createInstruction(sys, { title: "Backend's instruction" });
  otherInst = createInstruction(sys, { title: "Frontend's instruction" });
  beTask = createTask(sys, { instructionId: inst.id, title: "Backend work", assignedAgent: "backend-developer" });
  createTask(sys, { instructionId: otherInst.id, title: "Frontend work", assignedAgent: "frontend-developer" });
  claimTask(beCtx, { taskId: beTask.id });
  // A second task of backend's, handed in for review, so its version is in the review queue (GET
  // /outputs lists what can be decided now); the first stays in progress.
  const reviewed = createTask(sys, { instructionId: inst.id, title: "Backend work in review", assignedAgent: "backend-developer" });
  claimTask(beCtx, { taskId: reviewed.id });
  output = submitOutput(beCtx, { taskId: reviewed.id, format: "text", content: "v1" });
  for (const step of getTask(beCtx, reviewed.id).steps) updateStep(beCtx, { taskId: reviewed.id, position: step.position, status: "done" });
  completeTask(beCtx, { taskId: reviewed.id });
  toBe = sendMessage(sys, { to: "backend-developer", body: "for backend only", taskId: beTask.id });
});
afterAll(() => s.close());

/** The problem body with its request id dropped and `id` replaced, for byte-for-byte comparison. */
async function notFoundBody(res: Response, id: string): Promise<string> {
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const { requestId: _requestId, ...rest } = await json(res);
  return JSON.stringify(rest).split(id).join("<id>");
}

describe("agents see only their own work", () => {
  test("GET /outputs: the total counts only the caller's outputs", async () => {
    const mine = await json(await s.request("/api/v1/outputs", { token: fe }));
    expect(mine.items).toEqual([]);
    expect(mine.total).toBe(0);
    const owner = await json(await s.request("/api/v1/outputs", { token: be }));
    expect(owner.items.map((o: { id: string }) => o.id)).toEqual([output.id]);
    expect(owner.total).toBe(1);
    expect((await json(await s.request("/api/v1/outputs", { token: admin.token }))).total).toBe(1);
  });

  test("GET /agents/<another agent>: only its public face (name, description, capabilities, Response Approach)", async () => {
    const res = await s.request("/api/v1/agents/backend-developer", { token: fe });
    expect(res.status).toBe(200);
    const other = await json(res);
    expect(Object.keys(other).sort()).toEqual(["capabilities", "description", "name", "steps"]);
    expect(other.name).toBe("backend-developer");
    expect(other.steps.length).toBeGreaterThan(0);

    const list = await json(await s.request("/api/v1/agents", { token: fe }));
    for (const a of list.items) {
      if (a.name === "frontend-developer") expect(a).toHaveProperty("load");
      else expect(Object.keys(a).sort(), a.name).toEqual(["capabilities", "description", "name", "steps"]);
    }
    // Its own entry, and people, see the load and unread count.
    const own = await json(await s.request("/api/v1/agents/frontend-developer", { token: fe }));
    expect(own).toHaveProperty("load");
    expect(own).toHaveProperty("unread");
    const forPeople = await json(await s.request("/api/v1/agents/backend-developer", { token: admin.token }));
    expect(forPeople.load.in_progress).toBe(1);
    expect(forPeople.unread).toBe(1);
  });

  test("GET /agents?view=summary: the agents seen whole in short (load, unread, step count); public faces unchanged", async () => {
    const people = await json(await s.request("/api/v1/agents?view=summary", { token: admin.token }));
    const backend = people.items.find((a: { name: string }) => a.name === "backend-developer");
    expect(backend).toMatchObject({ load: { in_progress: 1 }, unread: 1 });
    expect(backend.stepCount).toBeGreaterThan(0);
    for (const k of ["steps", "memory", "resources", "tools", "capabilities", "sourcePath"]) expect(backend, k).not.toHaveProperty(k);

    const agent = await json(await s.request("/api/v1/agents?view=summary", { token: fe }));
    for (const a of agent.items) {
      if (a.name === "frontend-developer") expect(Object.keys(a)).toEqual(expect.arrayContaining(["load", "unread", "stepCount"]));
      else expect(Object.keys(a).sort(), a.name).toEqual(["capabilities", "description", "name", "steps"]);
    }
    expect((await s.request("/api/v1/agents?view=everything", { token: admin.token })).status).toBe(422);
  });

  test("no answer shows the server's absolute path of an agent definition", async () => {
    const answers = [
      await s.request("/api/v1/agents", { token: admin.token }),
      await s.request("/api/v1/agents/backend-developer", { token: admin.token }),
      await s.request("/api/v1/agents", { token: fe }),
      await s.request("/api/v1/agents/frontend-developer", { token: fe }),
      await s.request("/api/v1/overview", { token: admin.token }),
    ];
    for (const res of answers) {
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toMatch(/"sourcePath":"\//);
    }
    const a = await json(await s.request("/api/v1/agents/backend-developer", { token: admin.token }));
    expect(a.sourcePath).toBe("backend-developer.md");
    // The audit log of the sync does not carry it either.
    const events = await s.request("/api/v1/events?limit=500", { token: admin.token });
    expect(await events.text()).not.toContain(process.cwd());
  });

  test("another agent's task, output, message or thread is not found, worded exactly like one that does not exist", async () => {
    const nope = { task: "tsk_00000000000000000000000000", output: "out_00000000000000000000000000", message: "msg_00000000000000000000000000" };
    const pairs: [string, (id: string) => [string, Parameters<TestServer["request"]>[1]], string, string][] = [
      ["GET task", (id) => [`/api/v1/tasks/${id}`, { token: fe }], beTask.id, nope.task],
      ["task events", (id) => [`/api/v1/tasks/${id}/events`, { token: fe }], beTask.id, nope.task],
      ["task runs", (id) => [`/api/v1/tasks/${id}/runs`, { token: fe }], beTask.id, nope.task],
      ["step", (id) => [`/api/v1/tasks/${id}/steps/1`, { token: fe, body: { status: "done" } }], beTask.id, nope.task],
      ["output submit", (id) => [`/api/v1/tasks/${id}/outputs`, { token: fe, body: { format: "text", content: "x" } }], beTask.id, nope.task],
      ["heartbeat", (id) => [`/api/v1/tasks/${id}/heartbeat`, { token: fe, method: "POST" }], beTask.id, nope.task],
      ["complete", (id) => [`/api/v1/tasks/${id}/complete`, { token: fe, method: "POST" }], beTask.id, nope.task],
      ["block", (id) => [`/api/v1/tasks/${id}/block`, { token: fe, body: { reason: "r" } }], beTask.id, nope.task],
      ["unblock", (id) => [`/api/v1/tasks/${id}/unblock`, { token: fe, method: "POST" }], beTask.id, nope.task],
      ["claim by id", (id) => ["/api/v1/tasks/claim", { token: fe, body: { taskId: id } }], beTask.id, nope.task],
      ["message about a task", (id) => ["/api/v1/messages", { token: fe, body: { to: "hitl", body: "x", taskId: id } }], beTask.id, nope.task],
      ["GET output", (id) => [`/api/v1/outputs/${id}`, { token: fe }], output.id, nope.output],
      ["GET message", (id) => [`/api/v1/messages/${id}`, { token: fe }], toBe.id, nope.message],
      ["read message", (id) => [`/api/v1/messages/${id}/read`, { token: fe, method: "POST" }], toBe.id, nope.message],
      ["reply", (id) => [`/api/v1/messages/${id}/reply`, { token: fe, body: { body: "x" } }], toBe.id, nope.message],
      ["thread", (id) => [`/api/v1/threads/${id}`, { token: fe }], toBe.threadId, nope.message],
      ["message about an instruction", (id) => ["/api/v1/messages", { token: fe, body: { to: "hitl", body: "x", instructionId: id } }], inst.id, "inst_19990101_001"],
    ];
    const before = countRows(s.db);
    for (const [what, call, hidden, missing] of pairs) {
      const [p1, i1] = call(hidden);
      const [p2, i2] = call(missing);
      const a = await notFoundBody(await s.request(p1, i1), hidden);
      const b = await notFoundBody(await s.request(p2, i2), missing);
      expect(a, what).toBe(b);
    }
    expect(countRows(s.db)).toEqual(before);
  });

  test("a message about an instruction: allowed where the agent has a task, else the same 404 as an unknown one", async () => {
    const ok = await s.request("/api/v1/messages", { token: be, body: { to: "hitl", body: "about my instruction", instructionId: inst.id } });
    expect(ok.status).toBe(201);
    const other = await s.request("/api/v1/messages", { token: be, body: { to: "hitl", body: "about theirs", instructionId: otherInst.id } });
    expect(other.status).toBe(404);
    // People may write about any instruction.
    expect((await s.request("/api/v1/messages", { token: admin.token, body: { to: "backend-developer", body: "fyi", instructionId: otherInst.id } })).status).toBe(201);
  });

  test("lists and counts an agent reads count only what it may see: tasks, board, inboxes, search", async () => {
    const board = await json(await s.request("/api/v1/tasks/board", { token: fe }));
    const counted = board.columns.reduce((n: number, c: { count: number }) => n + c.count, 0);
    expect(counted).toBe(1); // its own pending task only
    const tasks = await json(await s.request("/api/v1/tasks", { token: fe }));
    expect(tasks.items.map((t: { assignedAgent: string }) => t.assignedAgent)).toEqual(["frontend-developer"]);
    const inboxes = await json(await s.request("/api/v1/inboxes", { token: fe }));
    expect(inboxes.items.map((i: { inbox: string }) => i.inbox)).toEqual(["frontend-developer"]);
    const hits = await json(await s.request("/api/v1/search?q=backend", { token: fe }));
    expect(hits.items).toEqual([]);
    const inbox = await json(await s.request("/api/v1/inbox", { token: fe }));
    expect(inbox.unreadCount).toBe(0);
  });
});
