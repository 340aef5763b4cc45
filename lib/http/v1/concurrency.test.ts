import { afterAll, beforeAll, expect, test } from "vitest";
import { createInstruction, createTask, listEvents } from "@/lib/services";
import { startTestServer, type TestServer } from "@/test/server";
import { sendAtOnce, startServerProcesses, type PlannedRequest } from "@/test/concurrent";
import { people } from "@/test/db";

// "At the same moment" for real: the claims come from several client processes at once, spread over
// three API servers on one database file (this process's and two more processes), so each claim
// races the others on its own connection, as two `server.ts` on one file or an agent's CLI would.
// A claim that read the task and wrote it in two steps would be taken twice here.
let s: TestServer;
let servers: string[];
let stopServers: () => void;
beforeAll(async () => {
  s = await startTestServer();
  const more = await startServerProcesses(s.location, 2);
  servers = [s.baseUrl, ...more.urls];
  stopServers = more.stop;
});
afterAll(async () => {
  stopServers?.();
  await s.close();
});

const CLIENTS = 4;

test("20 agents claiming 5 tasks at the same moment: exactly 5 claims succeed, no task twice", { timeout: 90_000 }, async () => {
  const admin = s.person("admin");
  const inst = createInstruction(s.ctx(admin.actor), { title: "Rush", body: "", tier: 1, priority: "normal" });
  const ids = Array.from({ length: 5 }, (_, i) => createTask(s.ctx(admin.actor), { instructionId: inst.id, title: `Job ${i + 1}`, assignedAgent: "backend-developer" }).id);
  const requests: PlannedRequest[] = Array.from({ length: 20 }, (_, i) => ({
    server: servers[i % servers.length],
    path: "/api/v1/tasks/claim",
    method: "POST",
    token: s.agentToken("backend-developer", `worker ${i + 1}`).token,
  }));

  const answers = await sendAtOnce(requests, CLIENTS);
  const won = answers.filter((r) => r.status === 200);
  expect(answers.filter((r) => r.status === 204)).toHaveLength(15);
  expect(won).toHaveLength(5);
  expect(won.map((r) => r.body.id).sort()).toEqual([...ids].sort());
  expect(won.map((r) => [r.body.status, r.body.lease?.token])).toEqual(Array.from({ length: 5 }, () => ["in_progress", 1]));

  const claims = listEvents(s.ctx(people.admin), { instructionId: inst.id, limit: 500 }).filter((e) => e.verb === "task.claimed");
  expect(claims.map((e) => e.taskId).sort()).toEqual([...ids].sort());
});

test("20 agents claiming the same task by id at the same moment: one wins, the others get 409", { timeout: 90_000 }, async () => {
  const admin = s.person("admin");
  const inst = createInstruction(s.ctx(admin.actor), { title: "One prize", body: "", tier: 1, priority: "normal" });
  const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Only one", assignedAgent: "frontend-developer" });
  const requests: PlannedRequest[] = Array.from({ length: 20 }, (_, i) => ({
    server: servers[i % servers.length],
    path: "/api/v1/tasks/claim",
    method: "POST",
    token: s.agentToken("frontend-developer").token,
    body: { taskId: task.id },
  }));

  const answers = await sendAtOnce(requests, CLIENTS);
  expect(answers.filter((r) => r.status === 200).map((r) => r.body.id)).toEqual([task.id]);
  const refused = answers.filter((r) => r.status === 409);
  expect(refused).toHaveLength(19);
  expect(new Set(refused.map((r) => r.body.code))).toEqual(new Set(["illegal_transition"]));
  const claims = listEvents(s.ctx(people.admin), { taskId: task.id, limit: 500 }).filter((e) => e.verb === "task.claimed");
  expect(claims).toHaveLength(1);
});
