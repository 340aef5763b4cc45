import { afterAll, describe, expect, test } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import { blockTask, claimTask, completeTask, createInstruction, createTask, getTask, requestOutputChanges, submitOutput, updateStep } from "@/lib/services";
import { createRun, runPromptContext } from "@/lib/services/runs";
import { buildTaskPrompt } from "./prompt";

// The prompt a run hands to the agent, built from a real task in a real database.

const t = makeTestDb();
afterAll(() => t.cleanup());
const admin = t.ctx(people.admin);
const be = t.ctx(agent("backend-developer"));
const inst = createInstruction(admin, { title: "Prompts", body: "x", tier: 1 });
const runner = { preset: "command", command: ["agent"] };
const COMMENT = "Validate the quantity: it must be a positive integer.";

/** A reviewed task whose v1 a reviewer sent back; the task is in progress again. */
function sentBack(title: string) {
  const task = createTask(admin, { instructionId: inst.id, title, assignedAgent: "backend-developer" });
  const claimed = claimTask(be, { taskId: task.id })!;
  const leaseToken = claimed.lease!.token;
  for (const s of getTask(be, task.id).steps) updateStep(be, { taskId: task.id, position: s.position, status: "done", leaseToken });
  const v1 = submitOutput(be, { taskId: task.id, format: "markdown", content: "# v1", leaseToken });
  completeTask(be, { taskId: task.id, leaseToken });
  requestOutputChanges(t.ctx(people.reviewer), { outputId: v1.id, comment: COMMENT });
  expect(getTask(admin, task.id).status).toBe("in_progress");
  return { task, v1, leaseToken: getTask(be, task.id).lease!.token };
}

const prompt = (taskId: string) => buildTaskPrompt(runPromptContext(t.ctx(system), taskId), { runId: "run_test" });

describe("the task prompt", () => {
  test("a task sent back and still in progress carries the reviewer's comment and the version", () => {
    const { task, v1 } = sentBack("In progress after review");
    const p = prompt(task.id);
    expect(p).toContain("## Changes a reviewer requested");
    expect(p).toContain(COMMENT);
    expect(p).toContain(`output v1 (\`${v1.id}\`)`);
    expect(p).toContain("rex@example.com reviewed");
  });

  test("blocked after the review, then Run now (back to pending): the requested changes are still in the prompt (#15)", () => {
    const { task, v1, leaseToken } = sentBack("Blocked after review");
    blockTask(be, { taskId: task.id, reason: "The run crashed", leaseToken });
    createRun(admin, { taskId: task.id, ...runner });
    expect(getTask(admin, task.id).status).toBe("pending");
    const p = prompt(task.id);
    expect(p).toContain("## Changes a reviewer requested");
    expect(p).toContain(COMMENT);
    expect(p).toContain(`output v1 (\`${v1.id}\`)`);
  });

  test("once a newer output is handed in, the old request is no longer in the prompt", () => {
    const { task, leaseToken } = sentBack("Answered the review");
    submitOutput(be, { taskId: task.id, format: "markdown", content: "# v2, quantity validated", leaseToken });
    const p = prompt(task.id);
    expect(p).not.toContain("## Changes a reviewer requested");
    expect(p).not.toContain(COMMENT);
  });

  test("a task never reviewed has no such section", () => {
    const task = createTask(admin, { instructionId: inst.id, title: "Fresh", assignedAgent: "backend-developer" });
    expect(prompt(task.id)).not.toContain("## Changes a reviewer requested");
  });
});
