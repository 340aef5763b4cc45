import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import * as s from "@/lib/services";

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

it("with escalation the task is blocked and the people are told", () => {
  let now = 1_800_000_000_000;
  const clock = () => now;
  const rex = t.ctx(people.reviewer, clock);
  const inst = s.createInstruction(rex, { title: "Lease" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(t.ctx(agent("backend-developer"), clock));
  now += 31 * 60_000;
  s.sweepLeases(t.ctx(system, clock), { onExpiry: "escalate" });
  now += 11 * 60_000;
  expect(s.sweepLeases(t.ctx(system, clock), { onExpiry: "escalate" }).recovered).toBe(1);
  expect(s.getTask(rex, task.id).status).toBe("blocked");
  expect(s.listInbox(rex, { inbox: "hitl" }).items[0]).toMatchObject({ type: "escalation", taskId: task.id });
});
