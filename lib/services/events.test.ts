import { afterEach, beforeEach, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { exec } from "@/test/sql";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));
const lastEvent = () => s.listEvents(rex(), { limit: 1 })[0];
const count = () => t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM events`)!.n;

it("every mutation appends an event with its actor, and a rejected one appends nothing", () => {
  const inst = s.createInstruction(rex(), { title: "Audit" });
  expect(lastEvent()).toMatchObject({ verb: "instruction.created", actor: { kind: "person", id: "rex@example.com" }, entityId: inst.id });
  let task!: ReturnType<typeof s.createTask>;
  let spare!: ReturnType<typeof s.createTask>;
  let outId = "";
  let msgId = "";
  /** The agent reports every step of its task that is not done yet as done. */
  const walkSteps = () => {
    for (const step of s.getTask(be(), task.id).steps) if (step.status !== "done") s.updateStep(be(), { taskId: task.id, position: step.position, status: "done" });
  };
  // Each mutation, the events it must append (one call may append several: approving completes the
  // task), by whom, and the task they name (null: an instruction's event).
  const steps: { verbs: string[]; run: () => unknown; actor: string; taskId?: () => string | null }[] = [
    { verbs: ["task.created"], run: () => (task = s.createTask(rex(), { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" })), actor: "rex@example.com" },
    // A second task, cancelled before any work (the first one ends completed, which cannot be cancelled).
    {
      verbs: ["task.created"],
      run: () => (spare = s.createTask(rex(), { instructionId: inst.id, title: "Spare", assignedAgent: "backend-developer" })),
      actor: "rex@example.com",
      taskId: () => spare.id,
    },
    { verbs: ["task.cancelled"], run: () => s.cancelTask(rex(), { taskId: spare.id }), actor: "rex@example.com", taskId: () => spare.id },
    { verbs: ["task.claimed"], run: () => s.claimTask(be()), actor: "backend-developer" },
    { verbs: ["step.in_progress"], run: () => s.updateStep(be(), { taskId: task.id, position: 1, status: "in_progress", note: "go" }), actor: "backend-developer" },
    { verbs: ["output.submitted"], run: () => (outId = s.submitOutput(be(), { taskId: task.id, format: "text", content: "x" }).id), actor: "backend-developer" },
    { verbs: ["message.sent"], run: () => (msgId = s.sendMessage(be(), { to: "hitl", body: "hi", taskId: task.id }).id), actor: "backend-developer" },
    { verbs: ["message.marked"], run: () => s.markMessage(rex(), { messageId: msgId, read: true }), actor: "rex@example.com" },
    { verbs: ["task.blocked"], run: () => s.blockTask(be(), { taskId: task.id, reason: "r" }), actor: "backend-developer" },
    { verbs: ["task.unblocked"], run: () => s.unblockTask(rex(), { taskId: task.id }), actor: "rex@example.com" },
    { verbs: ["step.done"], run: walkSteps, actor: "backend-developer" },
    // A decision waits until the agent has handed the task in (docs/task-rules.md rule 1).
    { verbs: ["task.submitted_for_review"], run: () => s.completeTask(be(), { taskId: task.id }), actor: "backend-developer" },
    { verbs: ["task.changes_requested", "output.changes_requested"], run: () => s.requestOutputChanges(rex(), { outputId: outId, comment: "again" }), actor: "rex@example.com" },
    // Round 2: the task is pending again, its steps reset; the agent claims it anew and hands in v2.
    { verbs: ["task.claimed"], run: () => s.claimTask(be(), { taskId: task.id }), actor: "backend-developer" },
    { verbs: ["step.done"], run: walkSteps, actor: "backend-developer" },
    { verbs: ["output.submitted"], run: () => (outId = s.submitOutput(be(), { taskId: task.id, format: "text", content: "y" }).id), actor: "backend-developer" },
    { verbs: ["task.submitted_for_review"], run: () => s.completeTask(be(), { taskId: task.id }), actor: "backend-developer" },
    { verbs: ["task.completed", "output.approved"], run: () => s.approveOutput(rex(), { outputId: outId }), actor: "rex@example.com" },
    { verbs: ["instruction.updated"], run: () => s.updateInstruction(rex(), { id: inst.id, title: "Audit 2" }), actor: "rex@example.com", taskId: () => null },
  ];
  for (const { verbs, run, actor, taskId } of steps) {
    const last = lastEvent().id;
    run();
    const added = s.listEvents(rex(), { afterId: last, limit: 100 });
    for (const verb of verbs) {
      const e = added.find((x) => x.verb === verb);
      expect(e, `${verb} among ${added.map((x) => x.verb).join(", ")}`).toBeDefined();
      expect(e, verb).toMatchObject({ actor: { id: actor } });
      // What concerns the task names it (the task page's timeline reads by task id); instructions do not.
      expect(e!.taskId, verb).toBe(taskId ? taskId() : task.id);
    }
  }
  expect(s.getTask(rex(), task.id)).toMatchObject({ status: "completed", round: 2 });
  const before = count();
  expect(() => s.cancelTask(rex(), { taskId: task.id })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.cancelTask(rex(), { taskId: spare.id })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.updateStep(be(), { taskId: task.id, position: 2, status: "done" })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.approveOutput(rex(), { outputId: outId })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(() => s.createInstruction(rex(), { title: "" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  expect(count()).toBe(before);
});

it("events are append-only", () => {
  s.createInstruction(rex(), { title: "x" });
  expect(() => exec(t.db, `UPDATE events SET verb = 'forged'`)).toThrowError(/append-only/);
  expect(() => exec(t.db, `DELETE FROM events`)).toThrowError(/append-only/);
});

it("an agent reads only the events of its own tasks", () => {
  expect(() => s.listEvents(be())).toThrowError(expect.objectContaining({ code: "forbidden" }));
});
