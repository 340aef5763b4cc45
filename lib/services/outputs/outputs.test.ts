import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";

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

it("requesting changes puts the comment in the agent's inbox and sends the task back to in progress", () => {
  const { task, v1 } = readyForReview();
  expect(() => s.requestOutputChanges(rex(), { outputId: v1.id, comment: "  " })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  const r = s.requestOutputChanges(rex(), { outputId: v1.id, comment: "Handle the empty cart" });
  expect(r.task.status).toBe("in_progress");
  const inbox = s.listInbox(backend(), { inbox: "backend-developer" });
  expect(inbox.items[0]).toMatchObject({ type: "review_response", body: "Handle the empty cart", taskId: task.id, from: { kind: "person", name: "rex@example.com" } });
  expect(inbox.unreadCount).toBe(1);
});

it("viewers and agents cannot review; people cannot hand in outputs", () => {
  const { task, v1 } = readyForReview();
  for (const actor of [people.viewer, agent("backend-developer")]) {
    expect(() => s.approveOutput(t.ctx(actor), { outputId: v1.id })).toThrowError(expect.objectContaining({ code: "forbidden" }));
  }
  expect(() => s.submitOutput(rex(), { taskId: task.id, format: "text", content: "x" })).toThrowError(expect.objectContaining({ code: "forbidden" }));
  expect(() => s.submitOutput(backend(), { taskId: task.id, format: "code", content: "x" })).toThrowError(/language/);
});
