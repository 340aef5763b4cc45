import { afterEach, beforeEach, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));
const lastEvent = () => s.listEvents(rex(), { limit: 1 })[0];
const count = () => t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM events`)!.n;

it("every mutation appends an event with its actor, and a rejected one appends nothing", () => {
  const steps: [string, () => unknown, string][] = [];
  const inst = s.createInstruction(rex(), { title: "Audit" });
  expect(lastEvent()).toMatchObject({ verb: "instruction.created", actor: { kind: "person", id: "rex@example.com" }, entityId: inst.id });
  let task!: ReturnType<typeof s.createTask>;
  let outId = "";
  let msgId = "";
  steps.push(
    ["task.created", () => (task = s.createTask(rex(), { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" })), "rex@example.com"],
    ["task.claimed", () => s.claimTask(be()), "backend-developer"],
    ["step.in_progress", () => s.updateStep(be(), { taskId: task.id, position: 1, status: "in_progress", note: "go" }), "backend-developer"],
    ["output.submitted", () => (outId = s.submitOutput(be(), { taskId: task.id, format: "text", content: "x" }).id), "backend-developer"],
    ["message.sent", () => (msgId = s.sendMessage(be(), { to: "hitl", body: "hi", taskId: task.id }).id), "backend-developer"],
    ["message.marked", () => s.markMessage(rex(), { messageId: msgId, read: true }), "rex@example.com"],
    ["task.blocked", () => s.blockTask(be(), { taskId: task.id, reason: "r" }), "backend-developer"],
    ["task.unblocked", () => s.unblockTask(rex(), { taskId: task.id }), "rex@example.com"],
    ["output.approved", () => s.approveOutput(rex(), { outputId: outId }), "rex@example.com"],
    ["instruction.updated", () => s.updateInstruction(rex(), { id: inst.id, title: "Audit 2" }), "rex@example.com"],
    ["task.cancelled", () => s.cancelTask(rex(), { taskId: task.id }), "rex@example.com"],
  );
  for (const [verb, run, actor] of steps) {
    const before = count();
    run();
    expect(count(), verb).toBeGreaterThan(before);
    expect(lastEvent(), verb).toMatchObject({ verb, actor: { id: actor } });
    // What concerns the task names it (the task page's timeline reads by task id); instructions do not.
    expect(lastEvent().taskId, verb).toBe(verb.startsWith("instruction.") ? null : task.id);
  }
  const before = count();
  expect(() => s.cancelTask(rex(), { taskId: task.id })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.updateStep(be(), { taskId: task.id, position: 2, status: "done" })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.createInstruction(rex(), { title: "" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  expect(count()).toBe(before);
});

it("events are append-only", () => {
  s.createInstruction(rex(), { title: "x" });
  expect(() => t.db.$client.exec(`UPDATE events SET verb = 'forged'`)).toThrowError(/append-only/);
  expect(() => t.db.$client.exec(`DELETE FROM events`)).toThrowError(/append-only/);
});

it("an agent reads only the events of its own tasks", () => {
  expect(() => s.listEvents(be())).toThrowError(expect.objectContaining({ code: "forbidden" }));
});
