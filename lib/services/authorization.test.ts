import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import type { Actor } from "@/lib/auth/actor";
import * as s from "@/lib/services";

/**
 * The authorisation matrix at the service layer, where it is enforced: every role and an agent
 * against every mutating verb. Each cell runs on fresh fixtures so one allowed write cannot
 * change the outcome of the next.
 */
let t: ReturnType<typeof makeTestDb>;
beforeAll(() => (t = makeTestDb()));
afterAll(() => t.cleanup());

const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));

/**
 * A task claimed by backend-developer with v1 handed in. `inReview`: the agent also walks every step
 * and completes the task, so v1 waits in review (a review decision is only taken on the latest
 * version of a task in review, docs/task-rules.md rule 1); otherwise the task stays in progress.
 */
function fixture(inReview = false) {
  const inst = s.createInstruction(rex(), { title: "Matrix" });
  const task = s.createTask(rex(), { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  s.claimTask(be(), { taskId: task.id });
  if (inReview) for (const step of task.steps) s.updateStep(be(), { taskId: task.id, position: step.position, status: "done" });
  const output = s.submitOutput(be(), { taskId: task.id, format: "text", content: "v1" });
  if (inReview) {
    s.completeTask(be(), { taskId: task.id });
    expect(s.getTask(rex(), task.id).status).toBe("in_review");
  }
  const toPeople = s.sendMessage(be(), { to: "hitl", body: "question", taskId: task.id });
  const toBackend = s.sendMessage(t.ctx(agent("frontend-developer")), { to: "backend-developer", body: "hi" });
  return { inst, task, output, toPeople, toBackend };
}
type F = ReturnType<typeof fixture>;

const verbs: Record<string, (ctx: s.ServiceContext, f: F) => unknown> = {
  createInstruction: (c) => s.createInstruction(c, { title: "x" }),
  updateInstruction: (c, f) => s.updateInstruction(c, { id: f.inst.id, title: "renamed" }),
  changeInstructionPhase: (c, f) => s.changeInstructionPhase(c, { id: f.inst.id, phase: "validating" }),
  createTask: (c, f) => s.createTask(c, { instructionId: f.inst.id, title: "y", assignedAgent: "backend-developer" }),
  cancelTask: (c, f) => s.cancelTask(c, { taskId: f.task.id }),
  reassignTask: (c, f) => s.reassignTask(c, { taskId: f.task.id, agent: "frontend-developer" }),
  moveTask: (c, f) => s.moveTask(c, { taskId: f.task.id, to: "blocked", reason: "r" }),
  blockTask: (c, f) => s.blockTask(c, { taskId: f.task.id, reason: "r" }),
  updateStep: (c, f) => s.updateStep(c, { taskId: f.task.id, position: 1, status: "in_progress" }),
  submitOutput: (c, f) => s.submitOutput(c, { taskId: f.task.id, format: "text", content: "v2" }),
  approveOutput: (c, f) => s.approveOutput(c, { outputId: f.output.id }),
  requestOutputChanges: (c, f) => s.requestOutputChanges(c, { outputId: f.output.id, comment: "again" }),
  sendMessage: (c) => s.sendMessage(c, { to: "hitl", body: "hello" }),
  replyToPeopleMessage: (c, f) => s.replyToMessage(c, { messageId: f.toPeople.id, body: "answer" }),
  markPeopleMessage: (c, f) => s.markMessage(c, { messageId: f.toPeople.id, read: true }),
  markBackendMessage: (c, f) => s.markMessage(c, { messageId: f.toBackend.id, read: true }),
  createAgentToken: (c) => s.createToken(c, { agent: "backend-developer" }),
  createUser: (c) => s.createUser(c, { email: `u${Math.random()}@x.dev`, role: "viewer", passwordHash: "scrypt$1$1$1$aaaaaaaaaaaaaaaa$bbbbbbbbbbbbbbbb" }),
  claimTask: (c) => s.claimTask(c),
};
/** The verbs whose fixture is a task in review, the only status they act on. */
const onTaskInReview = new Set(["approveOutput", "requestOutputChanges"]);

type Who = "admin" | "reviewer" | "viewer" | "backend-developer" | "frontend-developer";
const actors: Record<Who, Actor> = {
  admin: people.admin,
  reviewer: people.reviewer,
  viewer: people.viewer,
  "backend-developer": agent("backend-developer"),
  "frontend-developer": agent("frontend-developer"),
};
const allow: Record<string, Who[]> = {
  createInstruction: ["admin", "reviewer"],
  updateInstruction: ["admin", "reviewer"],
  changeInstructionPhase: ["admin", "reviewer"],
  createTask: ["admin", "reviewer"],
  cancelTask: ["admin", "reviewer"],
  reassignTask: ["admin", "reviewer"],
  moveTask: ["admin", "reviewer"],
  blockTask: ["admin", "reviewer", "backend-developer"],
  updateStep: ["backend-developer", "admin", "reviewer"],
  submitOutput: ["backend-developer"],
  approveOutput: ["admin", "reviewer"],
  requestOutputChanges: ["admin", "reviewer"],
  sendMessage: ["admin", "reviewer", "backend-developer", "frontend-developer"],
  // backend-developer sent it: its follow-up goes on to the people.
  replyToPeopleMessage: ["admin", "reviewer", "backend-developer"],
  markPeopleMessage: ["admin", "reviewer"],
  markBackendMessage: ["admin", "reviewer", "backend-developer"],
  createAgentToken: ["admin"],
  createUser: ["admin"],
  claimTask: ["backend-developer", "frontend-developer"],
};

describe("authorisation matrix", () => {
  for (const [verb, run] of Object.entries(verbs)) {
    for (const who of Object.keys(actors) as Who[]) {
      const allowed = allow[verb].includes(who);
      it(`${who} ${allowed ? "may" : "may not"} ${verb}`, () => {
        const f = fixture(onTaskInReview.has(verb));
        const attempt = () => run(t.ctx(actors[who]), f);
        if (allowed) {
          expect(attempt).not.toThrow();
        } else {
          expect(attempt).toThrowError(expect.objectContaining({ code: expect.stringMatching(/^(forbidden|not_found)$/) }));
        }
      });
    }
  }
});
