import { afterAll, expect, test } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import { claimTask, createInstruction, createTask, getTask, listEvents, recordStepActivity, updateStep } from "@/lib/services";

// Tool activity (the Claude Code hook of `agentdesk connect`): a line on the step's history and a heartbeat, no status change.

let clock = Date.parse("2026-12-07T10:00:00Z");
const t = makeTestDb();
afterAll(() => t.cleanup());
const admin = t.ctx(people.admin);
const be = t.ctx(agent("backend-developer"), () => clock);
const fe = t.ctx(agent("frontend-developer"));

test("recorded on a step in progress as step.activity, renews the lease, changes no status", () => {
  const inst = createInstruction(admin, { title: "Activity" });
  const task = createTask(admin, { instructionId: inst.id, title: "Edit things", assignedAgent: "backend-developer" });
  const leaseToken = claimTask(be, { taskId: task.id })!.lease!.token;
  const refusedOnPending = () => recordStepActivity(be, { taskId: task.id, position: 1, tool: "Edit" });
  expect(refusedOnPending).toThrow(/activity is recorded on a step in progress/);
  updateStep(be, { taskId: task.id, position: 1, status: "in_progress", leaseToken });
  const before = getTask(admin, task.id);
  clock += 60_000;
  const a = recordStepActivity(be, { taskId: task.id, position: 1, tool: "Edit", summary: "lib/orders.ts", leaseToken });
  expect(a).toMatchObject({ position: 1, tool: "Edit", summary: "lib/orders.ts" });
  const after = getTask(admin, task.id);
  expect(after.steps[0].status).toBe("in_progress");
  expect(after.status).toBe("in_progress");
  expect(Date.parse(after.lease!.expiresAt)).toBe(Date.parse(before.lease!.expiresAt) + 60_000);
  const e = listEvents(admin, { taskId: task.id }).find((x) => x.verb === "step.activity")!;
  expect(e).toMatchObject({ entityId: `${task.id}#1`, after: { tool: "Edit", summary: "lib/orders.ts", position: 1 } });

  expect(() => recordStepActivity(fe, { taskId: task.id, position: 1, tool: "Edit" })).toThrow(/not found/i);
  expect(() => recordStepActivity(admin, { taskId: task.id, position: 1, tool: "Edit" })).toThrow(/Only the task's agent/);
  expect(() => recordStepActivity(be, { taskId: task.id, position: 1, tool: "Edit", leaseToken: leaseToken + 5 })).toThrow(/no longer valid/);
  expect(() => recordStepActivity(be, { taskId: task.id, position: 99, tool: "Edit" })).toThrow(/not found/i);
  expect(() => recordStepActivity(be, { taskId: task.id, position: 1, tool: "Edit\nrm -rf" })).toThrow(/validation|line/i);
});
