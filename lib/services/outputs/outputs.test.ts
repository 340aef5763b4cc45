import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { one } from "@/test/sql";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const backend = () => t.ctx(agent("backend-developer"));

function readyForReview() {
  const inst = s.createInstruction(rex(), { title: "Orders" });
  const task = s.createTask(rex(), { instructionId: inst.id, title: "Orders API", assignedAgent: "backend-developer" });
  s.claimTask(backend(), { taskId: task.id });
  s.updateStep(backend(), { taskId: task.id, position: 5, status: "in_progress" });
  const v1 = s.submitOutput(backend(), { taskId: task.id, format: "code", language: "ts", content: "export const a = 1;\n", files: ["lib/a.ts"] });
  for (let p = 1; p <= 10; p++) if (p !== 5) s.updateStep(backend(), { taskId: task.id, position: p, status: "done" });
  s.updateStep(backend(), { taskId: task.id, position: 5, status: "done" });
  s.completeTask(backend(), { taskId: task.id });
  return { task, v1 };
}

it("versions outputs, links them to the current step, and supersedes a waiting version", () => {
  const { task, v1 } = readyForReview();
  expect(v1.version).toBe(1);
  expect(v1.stepPosition).toBe(5);
  expect(v1.files).toEqual([{ path: "lib/a.ts" }]);
  const v2 = s.submitOutput(backend(), { taskId: task.id, format: "code", language: "ts", content: "export const a = 2;\n" });
  expect(v2.version).toBe(2);
  const detail = s.getOutput(rex(), v2.id);
  expect(detail.versions.map((v) => [v.version, v.status])).toEqual([
    [1, "superseded"],
    [2, "pending_review"],
  ]);
  expect(s.listReviewQueue(rex()).items.map((i) => i.id)).toEqual([v2.id]);
  expect(() => s.approveOutput(rex(), { outputId: v1.id })).toThrowError(/superseded/);
});

it("approving completes a task in review", () => {
  const { task, v1 } = readyForReview();
  const r = s.approveOutput(rex(), { outputId: v1.id });
  expect(r.task.status).toBe("completed");
  expect(r.output.status).toBe("approved");
  expect(() => s.approveOutput(rex(), { outputId: v1.id })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  expect(s.getTask(rex(), task.id).completedAt).not.toBeNull();
});

it("requesting changes puts the comment in the agent's inbox and sends the task back to pending in its next round", () => {
  const { task, v1 } = readyForReview();
  expect(() => s.requestOutputChanges(rex(), { outputId: v1.id, comment: "  " })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  const r = s.requestOutputChanges(rex(), { outputId: v1.id, comment: "Handle the empty cart" });
  expect(r.task).toMatchObject({ status: "pending", round: 2, lease: null });
  expect(r.output.status).toBe("changes_requested");
  const inbox = s.listInbox(backend(), { inbox: "backend-developer" });
  expect(inbox.items[0]).toMatchObject({ type: "review_response", body: "Handle the empty cart", taskId: task.id, from: { kind: "person", name: "rex@example.com" } });
  expect(inbox.unreadCount).toBe(1);
  // Round 1's steps are kept; the steps start again.
  expect(s.getTask(rex(), task.id).steps.every((st) => st.status === "pending")).toBe(true);
  expect(one(t.db, "SELECT count(*) AS n FROM task_step_rounds WHERE task_id = ? AND round = 1 AND status = 'done'", task.id)).toEqual({ n: 10 });
});

/** The agent claims the task again and reports every step, leaving it in progress. */
function workRoundAgain(taskId: string) {
  s.claimTask(backend(), { taskId });
  for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId, position: p, status: "done" });
}

it("after changes are requested, completing needs a new version: the one sent back is not something to review", () => {
  const { task, v1 } = readyForReview();
  s.requestOutputChanges(rex(), { outputId: v1.id, comment: "Handle the empty cart" });
  workRoundAgain(task.id);
  const before = s.getTask(rex(), task.id);
  expect(() => s.completeTask(backend(), { taskId: task.id })).toThrowError(
    expect.objectContaining({ code: "output_required", message: expect.stringMatching(/round 2: changes were requested on v1, so submit a new version/) }),
  );
  expect(s.getTask(rex(), task.id)).toMatchObject({ status: "in_progress", version: before.version });
  const v2 = s.submitOutput(backend(), { taskId: task.id, format: "code", language: "ts", content: "export const a = 2;\n" });
  expect(s.completeTask(backend(), { taskId: task.id }).status).toBe("in_review");
  const r = s.approveOutput(rex(), { outputId: v2.id });
  expect(r.task).toMatchObject({ status: "completed", round: 2 });
});

it("a version cannot be reviewed before its task is handed in: no decision leaves a task in review with nothing to review", () => {
  const inst = s.createInstruction(rex(), { title: "Early" });
  const task = s.createTask(rex(), { instructionId: inst.id, title: "Early review", assignedAgent: "backend-developer" });
  s.claimTask(backend(), { taskId: task.id });
  const v1 = s.submitOutput(backend(), { taskId: task.id, format: "text", content: "draft" });
  const events = () => s.listEvents(rex(), { taskId: task.id }).length;
  const before = events();
  expect(() => s.approveOutput(rex(), { outputId: v1.id })).toThrowError(
    expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/in progress: v1 can be approved once its agent completes/) }),
  );
  expect(() => s.requestOutputChanges(rex(), { outputId: v1.id, comment: "No" })).toThrowError(
    expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/in progress: v1 can be sent back/) }),
  );
  expect(events()).toBe(before);
  expect(s.getOutput(rex(), v1.id).output.status).toBe("pending_review");
  // Handed in, it is reviewable, and approving completes it.
  for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId: task.id, position: p, status: "done" });
  s.completeTask(backend(), { taskId: task.id });
  expect(s.approveOutput(rex(), { outputId: v1.id }).task.status).toBe("completed");
});

it("a new version handed in during review supersedes the waiting one; the task stays in review at its latest", () => {
  const { task, v1 } = readyForReview();
  const v2 = s.submitOutput(backend(), { taskId: task.id, format: "code", language: "ts", content: "export const a = 3;\n" });
  expect(s.getTask(rex(), task.id).status).toBe("in_review");
  expect(() => s.requestOutputChanges(rex(), { outputId: v1.id, comment: "Old" })).toThrowError(expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/superseded/) }));
  expect(s.approveOutput(rex(), { outputId: v2.id }).task.status).toBe("completed");
});

it("a cancelled task's waiting version can no longer be reviewed", () => {
  const { task, v1 } = readyForReview();
  s.cancelTask(rex(), { taskId: task.id });
  expect(() => s.approveOutput(rex(), { outputId: v1.id })).toThrowError(
    expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/cancelled: its outputs can no longer be reviewed/) }),
  );
});

it("viewers and agents cannot review; people cannot hand in outputs", () => {
  const { task, v1 } = readyForReview();
  for (const actor of [people.viewer, agent("backend-developer")]) {
    expect(() => s.approveOutput(t.ctx(actor), { outputId: v1.id })).toThrowError(expect.objectContaining({ code: "forbidden" }));
  }
  expect(() => s.submitOutput(rex(), { taskId: task.id, format: "text", content: "x" })).toThrowError(expect.objectContaining({ code: "forbidden" }));
  expect(() => s.submitOutput(backend(), { taskId: task.id, format: "code", content: "x" })).toThrowError(/language/);
});

it("the review queue and its counts hold only what a person can decide now: the latest version of a task in review", () => {
  const queue = (ctx = rex()) => s.listReviewQueue(ctx);
  const ids = (ctx = rex()) => queue(ctx).items.map((i) => i.id);
  const counts = () => [queue().total, s.getOverview(t.ctx(people.admin)).awaitingReview, s.getShellCounts(rex()).awaitingReview];
  const inst = s.createInstruction(rex(), { title: "Queue" });
  const newTask = (title: string, authority: "review_required" | "autonomous" = "review_required") =>
    s.createTask(rex(), { instructionId: inst.id, title, assignedAgent: "backend-developer", authority });

  // Handed in while the task is in progress, blocked, or cancelled: nothing to decide yet, or ever.
  const working = newTask("Still working");
  s.claimTask(backend(), { taskId: working.id });
  const draft = s.submitOutput(backend(), { taskId: working.id, format: "text", content: "draft" });
  const blocked = newTask("Blocked");
  s.claimTask(backend(), { taskId: blocked.id });
  s.submitOutput(backend(), { taskId: blocked.id, format: "text", content: "draft" });
  s.blockTask(backend(), { taskId: blocked.id, reason: "Waiting for the schema" });
  const dropped = newTask("Dropped");
  s.claimTask(backend(), { taskId: dropped.id });
  s.submitOutput(backend(), { taskId: dropped.id, format: "text", content: "draft" });
  s.cancelTask(rex(), { taskId: dropped.id });
  // An autonomous task completes without a review: its version waits for nobody.
  const auto = newTask("On its own", "autonomous");
  s.claimTask(backend(), { taskId: auto.id });
  for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId: auto.id, position: p, status: "done" });
  s.submitOutput(backend(), { taskId: auto.id, format: "text", content: "done" });
  expect(s.completeTask(backend(), { taskId: auto.id }).status).toBe("completed");
  expect(ids()).toEqual([]);
  expect(counts()).toEqual([0, 0, 0]);

  // Completed into review: listed and counted, for people and for its own agent only.
  const { task, v1 } = readyForReview();
  expect(ids()).toEqual([v1.id]);
  expect(queue().items[0].task).toMatchObject({ id: task.id, status: "in_review" });
  expect(counts()).toEqual([1, 1, 1]);
  expect(ids(backend())).toEqual([v1.id]);
  expect(queue(t.ctx(agent("frontend-developer")))).toMatchObject({ items: [], total: 0 });

  // The draft of the task in progress joins once its agent completes the task.
  for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId: working.id, position: p, status: "done" });
  s.completeTask(backend(), { taskId: working.id });
  expect(ids()).toEqual([draft.id, v1.id]);
  expect(counts()).toEqual([2, 2, 2]);
  s.approveOutput(rex(), { outputId: draft.id });

  // Sent back: round 2 is pending, then in progress with v2 handed in: out of the queue until completed.
  s.requestOutputChanges(rex(), { outputId: v1.id, comment: "Handle the empty cart" });
  expect(ids()).toEqual([]);
  workRoundAgain(task.id);
  const v2 = s.submitOutput(backend(), { taskId: task.id, format: "text", content: "v2" });
  expect(ids()).toEqual([]);
  expect(counts()).toEqual([0, 0, 0]);
  s.completeTask(backend(), { taskId: task.id });
  expect(ids()).toEqual([v2.id]);
  expect(counts()).toEqual([1, 1, 1]);
  // The decided versions keep their own lists.
  expect(s.listReviewQueue(rex(), { status: "changes_requested" }).items.map((i) => i.id)).toEqual([v1.id]);
  expect(s.listReviewQueue(rex(), { status: "approved" }).items.map((i) => i.id)).toEqual([draft.id]);
});
