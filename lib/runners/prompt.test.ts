import { afterAll, describe, expect, test } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import { blockTask, claimTask, completeTask, createInstruction, createTask, getTask, requestOutputChanges, submitOutput, updateStep } from "@/lib/services";
import { createRun, runPromptContext } from "@/lib/services/runs";
import { buildMessagesPrompt, buildTaskPrompt } from "./prompt";

// The prompt a run hands to the agent, built from a real task in a real database.

const t = makeTestDb();
afterAll(() => t.cleanup());
const admin = t.ctx(people.admin);
const be = t.ctx(agent("backend-developer"));
const inst = createInstruction(admin, { title: "Prompts", body: "x", tier: 1 });
const runner = { preset: "command", command: ["agent"] };
const COMMENT = "Validate the quantity: it must be a positive integer.";

/** A reviewed task whose v1 a reviewer sent back: pending again, in round 2 (the agent claims it anew). */
function sentBack(title: string) {
  const task = createTask(admin, { instructionId: inst.id, title, assignedAgent: "backend-developer" });
  const claimed = claimTask(be, { taskId: task.id })!;
  const leaseToken = claimed.lease!.token;
  for (const s of getTask(be, task.id).steps) updateStep(be, { taskId: task.id, position: s.position, status: "done", leaseToken });
  const v1 = submitOutput(be, { taskId: task.id, format: "markdown", content: "# v1", leaseToken });
  completeTask(be, { taskId: task.id, leaseToken });
  requestOutputChanges(t.ctx(people.reviewer), { outputId: v1.id, comment: COMMENT });
  expect(getTask(admin, task.id)).toMatchObject({ status: "pending", round: 2 });
  return { task, v1, claim: () => claimTask(be, { taskId: task.id })!.lease!.token };
}

const prompt = (taskId: string) => buildTaskPrompt(runPromptContext(t.ctx(system), taskId), { runId: "run_test" });

describe("the task prompt", () => {
  test("a task sent back carries the reviewer's comment, the version and its round; the steps start again", () => {
    const { task, v1 } = sentBack("Sent back");
    const p = prompt(task.id);
    expect(p).toContain("## Changes a reviewer requested");
    expect(p).toContain(COMMENT);
    expect(p).toContain(`output v1 (\`${v1.id}\`)`);
    expect(p).toContain("rex@example.com reviewed");
    expect(p).toContain("## Round 2");
    expect(p).not.toContain("currently done");
    // The prompt must never start with "-": claude -p reads such an argument as an option.
    expect(p.startsWith("# Task")).toBe(true);
  });

  test("the wakes that started the run are said first, with the message that woke the agent", () => {
    const { task } = sentBack("Woken");
    const msg = getTask(be, task.id).messages.find((m) => m.type === "review_response")!;
    const p = buildTaskPrompt(runPromptContext(t.ctx(system), task.id), {
      runId: "run_test",
      wakes: [{ kind: "changes_requested", reason: "changes requested by rex@example.com on v1", causedBy: "rex@example.com", messageId: msg.id }],
    });
    expect(p).toMatch(/^- Wake: changes_requested — changes requested by rex@example.com on v1/m);
    expect(p).toContain(`### \`${msg.id}\` from rex`);
    expect(p.indexOf("## Why you are running now")).toBeLessThan(p.indexOf("## Description") === -1 ? p.indexOf("## Acceptance") : p.indexOf("## Description"));
  });

  test("round 3 still shows round 2's request as the one to address, and round 1's comment as earlier", () => {
    const { task } = sentBack("Two rounds");
    const leaseToken = claimTask(be, { taskId: task.id })!.lease!.token;
    for (const s of getTask(be, task.id).steps) updateStep(be, { taskId: task.id, position: s.position, status: "done", leaseToken });
    const v2 = submitOutput(be, { taskId: task.id, format: "markdown", content: "# v2", leaseToken });
    completeTask(be, { taskId: task.id, leaseToken });
    requestOutputChanges(t.ctx(people.reviewer), { outputId: v2.id, comment: "Now add a test for zero." });
    const p = prompt(task.id);
    expect(p).toContain("## Round 3");
    expect(p).toContain(`output v2 (\`${v2.id}\`)`);
    expect(p).toContain("Now add a test for zero.");
    expect(p).toContain("Earlier review comments");
    expect(p.indexOf("Now add a test for zero.")).toBeLessThan(p.indexOf(COMMENT));
  });

  test("blocked after the review, then Run now (back to pending): the requested changes are still in the prompt (#15)", () => {
    const { task, v1, claim } = sentBack("Blocked after review");
    const leaseToken = claim();
    blockTask(be, { taskId: task.id, reason: "The run crashed", leaseToken });
    createRun(admin, { taskId: task.id, ...runner });
    expect(getTask(admin, task.id).status).toBe("pending");
    const p = prompt(task.id);
    expect(p).toContain("## Changes a reviewer requested");
    expect(p).toContain(COMMENT);
    expect(p).toContain(`output v1 (\`${v1.id}\`)`);
  });

  test("once a newer output is handed in, the old request is no longer in the prompt", () => {
    const { task, claim } = sentBack("Answered the review");
    const leaseToken = claim();
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

describe("the messages prompt (a run without a task)", () => {
  test("lists every message to answer, one line each, then in full", () => {
    const p = buildMessagesPrompt({
      agent: "frontend-developer",
      runId: "run_x",
      wakes: [{ kind: "message", reason: "backend-developer sent a consultation: Pagination", causedBy: "backend-developer", messageId: "msg_a" }],
      messages: [
        {
          id: "msg_a",
          from: { kind: "agent", name: "backend-developer" },
          type: "consultation",
          subject: "Pagination",
          body: "Cursor or offset?",
          taskId: "tsk_1",
          threadId: "msg_a",
          createdAt: "2026-12-07T00:00:00.000Z",
        },
        {
          id: "msg_b",
          from: { kind: "agent", name: "security-specialist" },
          type: "review_request",
          subject: "Headers",
          body: "Check CSP",
          taskId: null,
          threadId: "msg_b",
          createdAt: "2026-12-07T00:00:01.000Z",
        },
      ],
    });
    expect(p.startsWith("# Messages for frontend-developer")).toBe(true);
    expect(p).toMatch(/## Answer these messages:\n\n- `msg_a` from backend-developer \(consultation\): Pagination\n- `msg_b` from security-specialist \(review request\): Headers\n\n/);
    expect(p).toContain("Cursor or offset?");
    expect(p).toContain("reply_to_message");
    expect(p).not.toContain("Task id:");
  });
});
