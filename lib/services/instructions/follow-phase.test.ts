import { afterAll, expect, test } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import {
  approveOutput,
  cancelTask,
  changeInstructionPhase,
  claimTask,
  completeTask,
  createInstruction,
  createTask,
  getInstruction,
  getTask,
  listEvents,
  requestOutputChanges,
  submitOutput,
  updateStep,
} from "@/lib/services";

// An instruction's phase follows its tasks: to validating when all are in review or completed, to
// correcting when one is sent back, to completed when all are approved; a phase a person set stays.

const t = makeTestDb();
afterAll(() => t.cleanup());
const rex = t.ctx(people.reviewer);
const be = t.ctx(agent("backend-developer"));

function handIn(taskId: string) {
  const leaseToken = claimTask(be, { taskId })!.lease!.token;
  for (const s of getTask(be, taskId).steps) updateStep(be, { taskId, position: s.position, status: "done", leaseToken });
  const out = submitOutput(be, { taskId, format: "markdown", content: "# done", leaseToken });
  completeTask(be, { taskId, leaseToken });
  return out;
}
const phase = (id: string) => getInstruction(rex, id).phase;

test("review, a revision and approval move the phase; cancelled tasks do not count", () => {
  const inst = createInstruction(rex, { title: "Orders API", tier: 1 });
  const t1 = createTask(rex, { instructionId: inst.id, title: "Schema", assignedAgent: "backend-developer" });
  const t2 = createTask(rex, { instructionId: inst.id, title: "Endpoint", assignedAgent: "backend-developer" });
  const t3 = createTask(rex, { instructionId: inst.id, title: "Dropped", assignedAgent: "backend-developer" });
  expect(phase(inst.id)).toBe("executing"); // tasks were created for it (createTask)
  const v1 = handIn(t1.id);
  expect(phase(inst.id)).toBe("executing"); // work has started; t2 and t3 have not: nothing to validate yet
  cancelTask(rex, { taskId: t3.id, reason: "Out of scope" });
  const w1 = handIn(t2.id);
  expect(phase(inst.id)).toBe("validating");
  const moves = listEvents(rex, { instructionId: inst.id })
    .filter((e) => e.verb === "instruction.phase_changed")
    .map((e) => (e.after as { phase: string }).phase)
    .reverse(); // newest first
  expect(moves).toEqual(["executing", "validating"]); // executing by createTask, validating by the tasks

  requestOutputChanges(rex, { outputId: v1.id, comment: "Add an index" });
  expect(phase(inst.id)).toBe("correcting");
  approveOutput(rex, { outputId: w1.id });
  expect(phase(inst.id)).toBe("correcting");
  const v2 = handIn(t1.id);
  expect(phase(inst.id)).toBe("validating");
  approveOutput(rex, { outputId: v2.id });
  expect(phase(inst.id)).toBe("completed");

  // A follow-up task reopens it; the phase follows the new work again.
  const t4 = createTask(rex, { instructionId: inst.id, title: "Follow-up", assignedAgent: "backend-developer" });
  expect(phase(inst.id)).toBe("executing");
  approveOutput(rex, { outputId: handIn(t4.id).id });
  expect(phase(inst.id)).toBe("completed");
});

test("a failed instruction takes no new task", () => {
  const inst = createInstruction(rex, { title: "Abandoned", tier: 1 });
  changeInstructionPhase(rex, { id: inst.id, phase: "failed" });
  expect(() => createTask(rex, { instructionId: inst.id, title: "More", assignedAgent: "backend-developer" })).toThrow(/failed: no new tasks/);
});

test("a phase a person set (blocked) is left alone", () => {
  const inst = createInstruction(rex, { title: "Held", tier: 1 });
  const t1 = createTask(rex, { instructionId: inst.id, title: "Only", assignedAgent: "backend-developer" });
  changeInstructionPhase(rex, { id: inst.id, phase: "blocked" });
  handIn(t1.id);
  expect(phase(inst.id)).toBe("blocked");
});
