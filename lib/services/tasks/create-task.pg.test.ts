import { afterEach, beforeEach, expect, it } from "vitest";
import type { Db } from "@/db/engine";
import { makeTestDb, people } from "@/test/db";
import { exec, one } from "@/test/sql";
import { followInstructionPhase } from "../instructions/follow-phase";
import { giveStepsToWaitingTasks } from "./task-steps";
import * as s from "@/lib/services";

// createTask runs READ COMMITTED (create-task.ts): what it reads, it holds by writing the row. A
// SERIALIZABLE verb on another connection that read the tasks before the create committed, and
// writes the instruction's or the agent's row after, must run again and see the new task.
let t: ReturnType<typeof makeTestDb>;
let other: Db;
beforeEach(() => {
  t = makeTestDb();
  other = t.reopen();
});
afterEach(() => {
  other.$engine.close();
  t.cleanup();
});

it("an instruction's phase that followed its tasks from before a concurrent create is worked out again with the new task", () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Almost there" });
  const first = s.createTask(rex, { instructionId: inst.id, title: "First", assignedAgent: "backend-developer" });
  exec(t.db, "UPDATE tasks SET status = 'in_review' WHERE id = ?", first.id);
  let attempts = 0;
  let created: { id: string } | undefined;
  other.$engine.transaction((tx) => {
    attempts++;
    // The snapshot: the instruction's only task is in review.
    one(tx, "SELECT count(*) AS n FROM tasks WHERE instruction_id = ?", inst.id);
    if (attempts === 1) created = s.createTask(rex, { instructionId: inst.id, title: "Follow-up", assignedAgent: "backend-developer" });
    followInstructionPhase(tx, inst.id, Date.now(), () => 0);
  });
  expect(attempts).toBe(2);
  expect(created).toBeDefined();
  expect(s.getInstruction(rex, inst.id).phase).toBe("executing");
});

it("an agent's first steps given to its waiting tasks from before a concurrent create reach the new task", () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Steps later" });
  const steps = one<{ steps: string }>(t.db, "SELECT steps FROM agents WHERE name = 'backend-developer'")!.steps;
  exec(t.db, "UPDATE agents SET steps = '[]' WHERE name = 'backend-developer'");
  let attempts = 0;
  let given: string[] = [];
  let created: { id: string; steps: unknown[] } | undefined;
  other.$engine.transaction((tx) => {
    attempts++;
    one(tx, "SELECT count(*) AS n FROM tasks WHERE assigned_agent = 'backend-developer'");
    if (attempts === 1) created = s.createTask(rex, { instructionId: inst.id, title: "Waits for steps", assignedAgent: "backend-developer" });
    exec(tx, "UPDATE agents SET steps = ? WHERE name = 'backend-developer'", steps);
    given = giveStepsToWaitingTasks(tx, { name: "backend-developer", steps: JSON.parse(steps) }, () => 0);
  });
  expect(created?.steps).toEqual([]);
  expect(attempts).toBe(2);
  expect(given).toEqual([created!.id]);
  expect(s.getTask(rex, created!.id).steps.length).toBe(JSON.parse(steps).length);
});
