import { afterAll, expect, test } from "vitest";
import { makeTestDb, people } from "@/test/db";
import { NARROW_AGENTS, syncWithAgents } from "@/test/memory-agents";
import { createInstruction, createTask, getTask, reassignTask } from "@/lib/services";
import { ServiceError } from "../errors";
import { one } from "@/test/sql";

// Nobody assigns work its agent's Memory Ownership would refuse (docs/permissions.md): creating or
// reassigning a task for an agent that does not work on tasks is a field error on the agent, and
// nothing is written.

const t = makeTestDb();
afterAll(() => t.cleanup());
syncWithAgents(t.db, { "reviewer-only": NARROW_AGENTS["reviewer-only"], "quiet-worker": NARROW_AGENTS["quiet-worker"], "no-section": null });
const rex = t.ctx(people.reviewer);
const inst = createInstruction(rex, { title: "Assigning" });
const count = () => (one(t.db, "SELECT count(*) AS n FROM tasks") as { n: number }).n;

function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error("not refused");
}

test("creating a task for an agent that does not work on tasks is refused on the agent field; agents that do, or declare nothing, take it", () => {
  const before = count();
  const err = refusal(() => createTask(rex, { instructionId: inst.id, title: "Review this", assignedAgent: "reviewer-only" }));
  expect(err.code).toBe("validation_failed");
  expect(err.message).toMatch(/reviewer-only cannot take this task: Memory Ownership of reviewer-only/);
  expect(err.fields?.assignedAgent?.[0]).toMatch(/does not include Agent_Memory\/.*\/tasks\//);
  expect(count()).toBe(before);
  expect(createTask(rex, { instructionId: inst.id, title: "Work", assignedAgent: "quiet-worker" }).assignedAgent).toBe("quiet-worker");
  expect(createTask(rex, { instructionId: inst.id, title: "Work", assignedAgent: "no-section" }).assignedAgent).toBe("no-section");
});

test("reassigning to such an agent is refused the same way, and the task stays with its agent", () => {
  const task = createTask(rex, { instructionId: inst.id, title: "Stays", assignedAgent: "quiet-worker" });
  const err = refusal(() => reassignTask(rex, { taskId: task.id, agent: "reviewer-only" }));
  expect(err.code).toBe("validation_failed");
  expect(err.fields?.agent?.[0]).toMatch(/Memory Ownership of reviewer-only/);
  expect(getTask(rex, task.id).assignedAgent).toBe("quiet-worker");
});
