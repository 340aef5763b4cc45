import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import * as s from "@/lib/services";
import { createRun } from "@/lib/services/runs";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

it("a dead agent's task is reminded, then returns to pending, and the zombie's late write is refused", () => {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const rex = t.ctx(people.reviewer, clock);
  const be = t.ctx(agent("backend-developer"), clock);
  const sweeper = t.ctx(system, clock);
  const inst = s.createInstruction(rex, { title: "Lease" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  const first = s.claimTask(be)!;
  s.updateStep(be, { taskId: task.id, position: 1, status: "in_progress", leaseToken: first.lease!.token });

  now += 29 * 60_000;
  expect(s.sweepLeases(sweeper)).toMatchObject({ reminded: 0, recovered: 0 });
  now += 2 * 60_000;
  expect(s.sweepLeases(sweeper)).toMatchObject({ reminded: 1, recovered: 0 });
  expect(s.getTask(rex, task.id).lease!.expired).toBe(true);
  expect(s.listInbox(be, { inbox: "backend-developer" }).items[0]).toMatchObject({ type: "reminder", taskId: task.id });
  // A second sweep does not remind again.
  expect(s.sweepLeases(sweeper).reminded).toBe(0);

  now += 11 * 60_000;
  expect(s.sweepLeases(sweeper, { graceMs: 10 * 60_000 })).toMatchObject({ recovered: 1, mode: "requeue" });
  expect(s.getTask(rex, task.id).status).toBe("pending");
  expect(s.listEvents(rex, { taskId: task.id }).map((e) => e.verb)).toEqual(expect.arrayContaining(["task.lease_expired", "task.requeued"]));

  // A successor claims it; the zombie, still holding the old token, is refused.
  const second = s.claimTask(be)!;
  expect(second.lease!.token).toBe(first.lease!.token + 1);
  expect(() => s.updateStep(be, { taskId: task.id, position: 1, status: "done", leaseToken: first.lease!.token })).toThrowError(expect.objectContaining({ code: "lease_lost" }));
  expect(s.updateStep(be, { taskId: task.id, position: 1, status: "done", leaseToken: second.lease!.token }).step.status).toBe("done");
});

it("with escalation the task is blocked, its lease ended and its step under way released, and the people are told", () => {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const rex = t.ctx(people.reviewer, clock);
  const inst = s.createInstruction(rex, { title: "Lease" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(t.ctx(agent("backend-developer"), clock));
  s.updateStep(t.ctx(agent("backend-developer"), clock), { taskId: task.id, position: 1, status: "in_progress" });
  now += 31 * 60_000;
  s.sweepLeases(t.ctx(system, clock), { onExpiry: "escalate" });
  now += 11 * 60_000;
  expect(s.sweepLeases(t.ctx(system, clock), { onExpiry: "escalate" }).recovered).toBe(1);
  // Blocked, its lease ended and the step under way released: nobody works on it until a person acts.
  const escalated = assertConsistent(rex, task.id);
  expect(escalated).toMatchObject({ status: "blocked", lease: null, blockedReason: expect.stringMatching(/stopped responding/) });
  expect(escalated.steps[0].status).toBe("pending");
  expect(s.listEvents(rex, { taskId: task.id }).find((e) => e.verb === "task.escalated")!.after).toMatchObject({ releasedSteps: [1] });
  expect(s.listInbox(rex, { inbox: "hitl" }).items[0]).toMatchObject({ type: "escalation", taskId: task.id });
});

/**
 * Every task's status agrees with its steps and its lease (docs/task-rules.md): nothing under way or
 * blocked on a task nobody holds, no step under way on a blocked task, a lease only in progress.
 */
function assertConsistent(rex: s.ServiceContext, taskId: string) {
  const task = s.getTask(rex, taskId);
  const open = task.steps.filter((st) => st.status === "in_progress" || st.status === "blocked").map((st) => st.status);
  if (task.status === "pending") expect(open).toEqual([]);
  if (task.status === "blocked") expect(open).not.toContain("in_progress");
  expect(task.lease !== null).toBe(task.status === "in_progress");
  return task;
}

it("a blocked task waits for a person: the sweeper never reminds, requeues or clears it, however long it waits", () => {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const rex = t.ctx(people.reviewer, clock);
  const be = t.ctx(agent("backend-developer"), clock);
  const sweeper = t.ctx(system, clock);
  const inst = s.createInstruction(rex, { title: "Blocked" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(be);
  s.updateStep(be, { taskId: task.id, position: 1, status: "blocked", note: "Is revenue gross or net of refunds?" });
  const before = s.getTask(rex, task.id);
  expect(before.status).toBe("blocked");

  for (const minutes of [31, 15, 60, 24 * 60]) {
    now += minutes * 60_000;
    expect(s.sweepLeases(sweeper)).toMatchObject({ reminded: 0, recovered: 0 });
    expect(s.sweepLeases(sweeper, { onExpiry: "escalate", graceMs: 0 })).toMatchObject({ reminded: 0, recovered: 0 });
  }
  const after = assertConsistent(rex, task.id);
  expect(after).toMatchObject({ status: "blocked", blockedReason: before.blockedReason, version: before.version });
  expect(after.steps[0]).toMatchObject({ status: "blocked", note: "Is revenue gross or net of refunds?" });
  expect(s.listInbox(be, { inbox: "backend-developer" }).items.filter((m) => m.type === "reminder")).toEqual([]);
  expect(s.listEvents(rex, { taskId: task.id }).map((e) => e.verb)).not.toEqual(expect.arrayContaining(["task.lease_expired"]));

  // A person answers and unblocks it: the lease starts afresh, so the next sweep does not chase the agent.
  s.unblockTask(rex, { taskId: task.id, note: "Net of refunds" });
  now += 60_000;
  expect(s.sweepLeases(sweeper)).toMatchObject({ reminded: 0, recovered: 0 });
  const resumed = assertConsistent(rex, task.id);
  expect(resumed).toMatchObject({ status: "in_progress", blockedReason: null });
  expect(resumed.lease!.expired).toBe(false);
  expect(resumed.steps[0].status).toBe("in_progress");
  // Once it is in progress again, a silent agent is reminded on the usual clock.
  now += 31 * 60_000;
  expect(s.sweepLeases(sweeper).reminded).toBe(1);
});

it("requeueing a silent agent's task releases its steps under way, so status and steps never disagree", () => {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const rex = t.ctx(people.reviewer, clock);
  const be = t.ctx(agent("backend-developer"), clock);
  const sweeper = t.ctx(system, clock);
  const inst = s.createInstruction(rex, { title: "Requeue" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(be);
  s.updateStep(be, { taskId: task.id, position: 1, status: "done" });
  s.updateStep(be, { taskId: task.id, position: 2, status: "in_progress", note: "reading the code" });
  now += 31 * 60_000;
  s.sweepLeases(sweeper);
  now += 11 * 60_000;
  expect(s.sweepLeases(sweeper).recovered).toBe(1);
  const requeued = assertConsistent(rex, task.id);
  expect(requeued.status).toBe("pending");
  expect(requeued.steps.slice(0, 2).map((st) => [st.status, st.note])).toEqual([
    ["done", null],
    ["pending", "reading the code"],
  ]);
  const ev = s.listEvents(rex, { taskId: task.id }).find((e) => e.verb === "task.requeued")!;
  expect(ev.after).toMatchObject({ releasedSteps: [2] });
  // The next claimer picks the step up again.
  s.claimTask(be);
  expect(s.updateStep(be, { taskId: task.id, position: 2, status: "in_progress" }).step.status).toBe("in_progress");
});

it("reassigning a blocked task leaves no blocked step on the pending task", () => {
  const rex = t.ctx(people.reviewer);
  const be = t.ctx(agent("backend-developer"));
  const inst = s.createInstruction(rex, { title: "Reassign" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(be);
  s.updateStep(be, { taskId: task.id, position: 1, status: "blocked", note: "Which database?" });
  s.reassignTask(rex, { taskId: task.id, agent: "frontend-developer" });
  const moved = assertConsistent(rex, task.id);
  expect(moved).toMatchObject({ status: "pending", assignedAgent: "frontend-developer" });
  expect(moved.steps[0]).toMatchObject({ status: "pending", note: "Which database?" });
});

it("Run now on a task blocked at a step puts it back in the queue with the step released, never a pending task with a blocked step", () => {
  const rex = t.ctx(people.reviewer);
  const be = t.ctx(agent("backend-developer"));
  const inst = s.createInstruction(rex, { title: "Run now" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(be);
  s.updateStep(be, { taskId: task.id, position: 1, status: "done" });
  s.updateStep(be, { taskId: task.id, position: 2, status: "blocked", note: "Which schema?" });
  createRun(rex, { taskId: task.id, preset: "command", command: ["agent"] });
  const queued = assertConsistent(rex, task.id);
  expect(queued).toMatchObject({ status: "pending", blockedReason: null });
  expect(queued.steps.slice(0, 2).map((st) => [st.status, st.note])).toEqual([
    ["done", null],
    ["pending", "Which schema?"],
  ]);
});
