import { afterAll, beforeAll, expect, test } from "vitest";
import { createInstruction, createTask, listEvents } from "@/lib/services";
import { json, startTestServer, type TestServer } from "@/test/server";
import { people } from "@/test/db";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

test("20 agents claiming 5 tasks at the same moment: exactly 5 claims succeed, no task twice", async () => {
  const admin = s.person("admin");
  const inst = createInstruction(s.ctx(admin.actor), { title: "Rush", body: "", tier: 1, priority: "normal" });
  const ids = Array.from({ length: 5 }, (_, i) => createTask(s.ctx(admin.actor), { instructionId: inst.id, title: `Job ${i + 1}`, assignedAgent: "backend-developer" }).id);
  const tokens = Array.from({ length: 20 }, (_, i) => s.agentToken("backend-developer", `worker ${i + 1}`).token);

  const answers = await Promise.all(tokens.map((token) => s.request("/api/v1/tasks/claim", { token, method: "POST" })));
  const won = answers.filter((r) => r.status === 200);
  const empty = answers.filter((r) => r.status === 204);
  expect(won).toHaveLength(5);
  expect(empty).toHaveLength(15);
  const claimed = await Promise.all(won.map((r) => json(r)));
  expect(new Set(claimed.map((t) => t.id))).toEqual(new Set(ids));
  expect(claimed.every((t) => t.status === "in_progress" && t.lease?.token === 1)).toBe(true);

  const claims = listEvents(s.ctx(people.admin), { instructionId: inst.id, limit: 500 }).filter((e) => e.verb === "task.claimed");
  expect(claims).toHaveLength(5);
  expect(new Set(claims.map((e) => e.taskId)).size).toBe(5);
});

test("20 agents claiming the same task by id: one wins, the others get 409", async () => {
  const admin = s.person("admin");
  const inst = createInstruction(s.ctx(admin.actor), { title: "One prize", body: "", tier: 1, priority: "normal" });
  const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Only one", assignedAgent: "frontend-developer" });
  const tokens = Array.from({ length: 20 }, () => s.agentToken("frontend-developer").token);
  const answers = await Promise.all(tokens.map((token) => s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } })));
  const statuses = answers.map((r) => r.status).sort();
  expect(statuses.filter((x) => x === 200)).toHaveLength(1);
  expect(statuses.filter((x) => x === 409)).toHaveLength(19);
  const codes = await Promise.all(answers.filter((r) => r.status === 409).map(async (r) => (await json(r)).code));
  expect(new Set(codes)).toEqual(new Set(["illegal_transition"]));
});
