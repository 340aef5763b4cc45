import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { taskStatuses, type TaskStatus } from "@/db/schema";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const rex = () => t.ctx(people.reviewer);
const backend = (now?: () => number) => t.ctx(agent("backend-developer"), now);
const eventCount = () => t.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM events`)!.n;

function newTask(extra: Partial<s.CreateTaskInput> = {}) {
  const inst = s.createInstruction(rex(), { title: "Orders", tier: 2 });
  return s.createTask(rex(), { instructionId: inst.id, title: "Implement orders", assignedAgent: "backend-developer", ...extra });
}

/** Walks a task through all its steps and hands in an output, leaving it in progress. */
function workThrough(taskId: string) {
  const a = backend();
  for (let p = 1; p <= 10; p++) s.updateStep(a, { taskId, position: p, status: "done", note: `step ${p}` });
  s.submitOutput(a, { taskId, format: "markdown", content: "# Done" });
}

/** Brings a fresh task to each status through legal moves only. */
function taskIn(status: TaskStatus, authority: "autonomous" | "review_required" = "review_required") {
  const task = newTask({ authority });
  if (status === "pending") return task;
  if (status === "cancelled") {
    s.cancelTask(rex(), { taskId: task.id });
    return task;
  }
  s.claimTask(backend(), { taskId: task.id });
  if (status === "in_progress") return task;
  if (status === "blocked") {
    s.blockTask(backend(), { taskId: task.id, reason: "Waiting for the schema" });
    return task;
  }
  workThrough(task.id);
  s.completeTask(backend(), { taskId: task.id });
  if (status === "in_review") return task;
  const out = s.getTask(rex(), task.id).outputs.at(-1)!;
  s.approveOutput(rex(), { outputId: out.id });
  return task;
}

describe("creating and assigning", () => {
  it("copies the agent's ten steps onto the task and names the instruction's id by day", () => {
    const task = newTask();
    expect(task.instructionId).toMatch(/^inst_\d{8}_001$/);
    expect(task.steps.map((x) => x.title)).toHaveLength(10);
    expect(task.steps[0].title).toBe("Understand requirements");
    expect(task.steps[9].title).toBe("Document");
    expect(task.steps.every((x) => x.status === "pending")).toBe(true);
    const second = s.createInstruction(rex(), { title: "Another" });
    expect(second.id).toMatch(/_002$/);
  });

  it("refuses an unknown agent, a missing instruction and unknown dependencies without writing", () => {
    const inst = s.createInstruction(rex(), { title: "Orders" });
    const before = eventCount();
    expect(() => s.createTask(rex(), { instructionId: inst.id, title: "x", assignedAgent: "nobody" })).toThrowError(/No agent named nobody/);
    expect(() => s.createTask(rex(), { instructionId: "inst_20000101_001", title: "x", assignedAgent: "backend-developer" })).toThrowError(/inst_20000101_001 not found/);
    expect(() => s.createTask(rex(), { instructionId: inst.id, title: "x", assignedAgent: "backend-developer", dependsOn: ["T9"] })).toThrowError(/Dependencies not found/);
    expect(eventCount()).toBe(before);
  });

  it("a viewer and an agent may not assign work", () => {
    const inst = s.createInstruction(rex(), { title: "Orders" });
    for (const actor of [people.viewer, agent("backend-developer")]) {
      expect(() => s.createTask(t.ctx(actor), { instructionId: inst.id, title: "x", assignedAgent: "backend-developer" })).toThrowError(expect.objectContaining({ code: "forbidden" }));
    }
  });
});

describe("task transitions", () => {
  // Every (from, verb) pair: which succeed and which are refused with illegal_transition.
  const verbs: Record<string, { to: TaskStatus; run: (id: string) => unknown }> = {
    claim: { to: "in_progress", run: (id) => s.claimTask(backend(), { taskId: id }) },
    block: { to: "blocked", run: (id) => s.blockTask(backend(), { taskId: id, reason: "stuck" }) },
    unblock: { to: "in_progress", run: (id) => s.unblockTask(rex(), { taskId: id }) },
    cancel: { to: "cancelled", run: (id) => s.cancelTask(rex(), { taskId: id }) },
  };
  const legal: Record<string, TaskStatus[]> = {
    claim: ["pending"],
    block: ["in_progress"],
    unblock: ["blocked"],
    cancel: ["pending", "in_progress", "blocked", "in_review"],
  };
  for (const from of taskStatuses) {
    for (const [verb, { to, run }] of Object.entries(verbs)) {
      const ok = legal[verb].includes(from);
      it(`${verb} from ${from} is ${ok ? "allowed" : "refused"}`, () => {
        const task = taskIn(from);
        const before = eventCount();
        if (ok) {
          run(task.id);
          expect(s.getTask(rex(), task.id).status).toBe(to);
          expect(eventCount()).toBeGreaterThan(before);
        } else {
          expect(() => run(task.id)).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
          expect(s.getTask(rex(), task.id).status).toBe(from);
          expect(eventCount()).toBe(before);
        }
      });
    }
  }

  it("complete: review-required goes to in_review, autonomous to completed; open steps and a missing output are refused", () => {
    const review = taskIn("in_progress");
    expect(() => s.completeTask(backend(), { taskId: review.id })).toThrowError(/open steps/);
    for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId: review.id, position: p, status: "done" });
    expect(() => s.completeTask(backend(), { taskId: review.id })).toThrowError(expect.objectContaining({ code: "output_required" }));
    s.submitOutput(backend(), { taskId: review.id, format: "text", content: "ok" });
    expect(s.completeTask(backend(), { taskId: review.id }).status).toBe("in_review");

    const auto = taskIn("in_progress", "autonomous");
    for (let p = 1; p <= 10; p++) s.updateStep(backend(), { taskId: auto.id, position: p, status: p === 9 ? "skipped" : "done", note: "n/a" });
    expect(s.completeTask(backend(), { taskId: auto.id }).status).toBe("completed");
    expect(() => s.completeTask(backend(), { taskId: auto.id })).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
  });

  it("a task whose dependencies are not completed cannot be claimed", () => {
    const first = newTask();
    const second = s.createTask(rex(), { instructionId: first.instructionId, title: "After", assignedAgent: "backend-developer", dependsOn: [first.ref] });
    expect(() => s.claimTask(backend(), { taskId: second.id })).toThrowError(expect.objectContaining({ code: "dependencies_not_done" }));
    // The next-in-line claim skips it and takes the ready one.
    expect(s.claimTask(backend())!.id).toBe(first.id);
    expect(s.claimTask(backend())).toBeNull();
  });

  it("claims the highest priority first, then the oldest", () => {
    const inst = s.createInstruction(rex(), { title: "P" });
    const low = s.createTask(rex(), { instructionId: inst.id, title: "low", assignedAgent: "backend-developer", priority: "low" });
    const crit = s.createTask(rex(), { instructionId: inst.id, title: "crit", assignedAgent: "backend-developer", priority: "critical" });
    const normal = s.createTask(rex(), { instructionId: inst.id, title: "normal", assignedAgent: "backend-developer", priority: "medium" });
    expect([s.claimTask(backend())!.id, s.claimTask(backend())!.id, s.claimTask(backend())!.id]).toEqual([crit.id, normal.id, low.id]);
  });

  it("an agent cannot see or touch another agent's task", () => {
    const task = taskIn("in_progress");
    const fe = t.ctx(agent("frontend-developer"));
    expect(() => s.getTask(fe, task.id)).toThrowError(expect.objectContaining({ code: "not_found" }));
    expect(() => s.updateStep(fe, { taskId: task.id, position: 1, status: "done" })).toThrowError(expect.objectContaining({ code: "not_found" }));
    expect(() => s.claimTask(fe, { taskId: task.id })).toThrowError(expect.objectContaining({ code: "not_found" }));
    expect(s.listTasks(fe).items).toHaveLength(0);
  });

  it("claims set a lease that heartbeats extend and a stale token is refused", () => {
    let now = 1_000_000;
    const clock = () => now;
    const task = newTask();
    const claimed = s.claimTask(backend(clock), { taskId: task.id })!;
    expect(claimed.lease!.token).toBe(1);
    expect(Date.parse(claimed.lease!.expiresAt)).toBe(now + 30 * 60_000);
    now += 10 * 60_000;
    const hb = s.heartbeatTask(backend(clock), { taskId: task.id, leaseToken: 1 });
    expect(Date.parse(hb.leaseExpiresAt)).toBe(now + 30 * 60_000);
    expect(() => s.heartbeatTask(backend(clock), { taskId: task.id, leaseToken: 0 })).toThrowError(expect.objectContaining({ code: "lease_lost" }));
    expect(() => s.updateStep(backend(clock), { taskId: task.id, position: 1, status: "done", leaseToken: 7 })).toThrowError(expect.objectContaining({ code: "lease_lost" }));
    // A step change counts as a heartbeat too.
    now += 5 * 60_000;
    s.updateStep(backend(clock), { taskId: task.id, position: 1, status: "in_progress", leaseToken: 1 });
    expect(Date.parse(s.getTask(rex(), task.id).lease!.expiresAt)).toBe(now + 30 * 60_000);
  });

  it("the board refuses illegal moves with a reason and carries out legal ones", () => {
    const task = taskIn("pending");
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "completed" })).toThrowError(/Only the agent can finish/);
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "in_progress" })).toThrowError(/claims it/);
    s.claimTask(backend(), { taskId: task.id });
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "blocked" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
    expect(s.moveTask(rex(), { taskId: task.id, to: "blocked", reason: "waiting" }).status).toBe("blocked");
    expect(s.moveTask(rex(), { taskId: task.id, to: "in_progress" }).status).toBe("in_progress");
  });

  it("the board cannot move a task in review except to cancel it: review decisions are the way out", () => {
    const task = taskIn("in_review");
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "in_progress" })).toThrowError(/requests changes on its output/);
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "pending" })).toThrowError(/requests changes on its output/);
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "blocked", reason: "x" })).toThrowError(/Only a task in progress can be blocked/);
    expect(() => s.moveTask(rex(), { taskId: task.id, to: "completed" })).toThrowError(/completes when its output is approved/);
    expect(s.getTask(rex(), task.id).status).toBe("in_review");
    expect(s.moveTask(rex(), { taskId: task.id, to: "cancelled" }).status).toBe("cancelled");
  });

  it("a lease belongs to a task in progress: blocking pauses it, unblocking starts a fresh one, a heartbeat on a blocked task is refused", () => {
    let now = 1_000_000;
    const clock = () => now;
    const task = newTask();
    s.claimTask(backend(clock), { taskId: task.id });
    s.updateStep(backend(clock), { taskId: task.id, position: 1, status: "in_progress" });
    const blocked = s.blockTask(backend(clock), { taskId: task.id, reason: "Which schema?" });
    expect(blocked).toMatchObject({ status: "blocked", lease: null, blockedReason: "Which schema?" });
    // Nobody works on a step of a blocked task: the one under way is released (its note and start time kept).
    expect(s.getTask(rex(), task.id).steps[0]).toMatchObject({ status: "pending" });
    expect(s.listEvents(rex(), { taskId: task.id }).find((e) => e.verb === "task.blocked")!.after).toMatchObject({ releasedSteps: [1] });
    expect(() => s.heartbeatTask(backend(clock), { taskId: task.id })).toThrowError(expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/lease is paused/) }));
    now += 60 * 60_000;
    const resumed = s.unblockTask(rex(), { taskId: task.id });
    expect(resumed).toMatchObject({ status: "in_progress", blockedReason: null });
    expect(s.getTask(t.ctx(people.reviewer, clock), task.id).lease!.expired).toBe(false);
  });

  it("resuming a blocked step resumes the task with a fresh lease; blocking one step releases another under way", () => {
    const task = taskIn("in_progress");
    s.updateStep(backend(), { taskId: task.id, position: 1, status: "in_progress" });
    const r = s.updateStep(backend(), { taskId: task.id, position: 2, status: "blocked", note: "Need the API spec" });
    expect(r.task).toMatchObject({ status: "blocked", lease: null });
    expect(
      s
        .getTask(rex(), task.id)
        .steps.slice(0, 2)
        .map((st) => st.status),
    ).toEqual(["pending", "blocked"]);
    const back = s.updateStep(backend(), { taskId: task.id, position: 2, status: "in_progress" });
    expect(back.task.status).toBe("in_progress");
    expect(back.task.lease).not.toBeNull();
  });

  it("cancelling ends the lease and the blocked reason and releases the steps", () => {
    const task = taskIn("in_progress");
    s.updateStep(backend(), { taskId: task.id, position: 1, status: "in_progress" });
    s.updateStep(backend(), { taskId: task.id, position: 2, status: "blocked", note: "Need the API spec" });
    const cancelled = s.cancelTask(rex(), { taskId: task.id, reason: "Not needed" });
    expect(cancelled).toMatchObject({ status: "cancelled", lease: null, blockedReason: null });
    expect(
      s
        .getTask(rex(), task.id)
        .steps.slice(0, 2)
        .map((st) => st.status),
    ).toEqual(["pending", "pending"]);
  });

  it("a heartbeat extends only a lease that exists", () => {
    for (const status of ["pending", "blocked", "in_review", "completed", "cancelled"] as const) {
      const task = taskIn(status);
      expect(() => s.heartbeatTask(backend(), { taskId: task.id })).toThrowError(expect.objectContaining({ code: "illegal_transition", message: expect.stringMatching(/no lease to extend/) }));
    }
  });

  it("reassigning pending work replaces its steps with the new agent's", () => {
    const task = newTask();
    const moved = s.reassignTask(rex(), { taskId: task.id, agent: "frontend-developer" });
    expect(moved.assignedAgent).toBe("frontend-developer");
    const steps = s.getTask(rex(), task.id).steps;
    expect(steps.length).toBeGreaterThan(0);
    expect(steps[0].title).not.toBe("Understand requirements and plan");
    expect(s.getTask(rex(), task.id).steps.map((x) => x.title)).not.toContain("Consult frontend");
  });
});

describe("step transitions", () => {
  const statuses = ["in_progress", "done", "skipped", "blocked"] as const;
  const legal: Record<string, readonly string[]> = {
    pending: ["in_progress", "done", "skipped", "blocked"],
    in_progress: ["done", "skipped", "blocked"],
    blocked: ["in_progress", "skipped"],
    done: [],
    skipped: [],
  };
  function stepIn(status: keyof typeof legal) {
    const task = taskIn("in_progress");
    const go = (st: (typeof statuses)[number]) => s.updateStep(backend(), { taskId: task.id, position: 1, status: st, note: "why" });
    if (status === "in_progress") go("in_progress");
    if (status === "done") go("done");
    if (status === "skipped") go("skipped");
    if (status === "blocked") go("blocked");
    return task;
  }
  for (const from of Object.keys(legal)) {
    for (const to of statuses) {
      const ok = legal[from].includes(to);
      it(`step ${from} → ${to} is ${ok ? "allowed" : "refused"}`, () => {
        const task = stepIn(from);
        const before = eventCount();
        const run = () => s.updateStep(backend(), { taskId: task.id, position: 1, status: to, note: "because" });
        if (ok) {
          const r = run();
          expect(r.step.status).toBe(to);
          // The step's event, and the task's when the task moves with it (blocked with it, resumed with it).
          const taskMoved = (to === "blocked" && from !== "blocked") || (from === "blocked" && to === "in_progress");
          expect(eventCount()).toBe(before + (taskMoved ? 2 : 1));
        } else {
          expect(run).toThrowError(expect.objectContaining({ code: "illegal_transition" }));
          expect(s.getTask(rex(), task.id).steps[0].status).toBe(from);
          expect(eventCount()).toBe(before);
        }
      });
    }
  }

  it("blocking a step blocks the task and resuming it resumes the task; skip and block need a reason", () => {
    const task = taskIn("in_progress");
    expect(() => s.updateStep(backend(), { taskId: task.id, position: 2, status: "skipped" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
    const r = s.updateStep(backend(), { taskId: task.id, position: 2, status: "blocked", note: "Need the API spec" });
    expect(r.task.status).toBe("blocked");
    expect(r.task.blockedReason).toContain("Need the API spec");
    expect(s.updateStep(backend(), { taskId: task.id, position: 2, status: "in_progress" }).task.status).toBe("in_progress");
  });

  it("steps cannot move before the task is claimed, and progress is derived", () => {
    const task = newTask();
    expect(() => s.updateStep(backend(), { taskId: task.id, position: 1, status: "in_progress" })).toThrowError(/not been claimed/);
    s.claimTask(backend(), { taskId: task.id });
    s.updateStep(backend(), { taskId: task.id, position: 1, status: "done" });
    s.updateStep(backend(), { taskId: task.id, position: 2, status: "skipped", note: "nothing to review" });
    const r = s.updateStep(backend(), { taskId: task.id, position: 3, status: "in_progress" });
    expect(r.progress).toEqual({ total: 10, done: 1, skipped: 1, current: 3 });
    expect(() => s.updateStep(backend(), { taskId: task.id, position: 11, status: "done" })).toThrowError(expect.objectContaining({ code: "not_found" }));
  });

  it("an expectedVersion that is not current is a version conflict", () => {
    const task = taskIn("in_progress");
    const r = s.updateStep(backend(), { taskId: task.id, position: 1, status: "in_progress", expectedVersion: 1 });
    expect(r.step.version).toBe(2);
    expect(() => s.updateStep(backend(), { taskId: task.id, position: 1, status: "done", expectedVersion: 1 })).toThrowError(expect.objectContaining({ code: "version_conflict" }));
  });
});

describe("task titles for links", () => {
  it("a person gets every known task's title and ref; an agent only its own; unknown ids are left out", () => {
    const mine = newTask();
    const other = newTask({ assignedAgent: "frontend-developer" });
    const ids = [mine.id, other.id, "tsk_nope"];
    expect(s.taskTitles(rex(), ids)).toEqual({ [mine.id]: { title: mine.title, ref: mine.ref }, [other.id]: { title: other.title, ref: other.ref } });
    expect(s.taskTitles(backend(), ids)).toEqual({ [mine.id]: { title: mine.title, ref: mine.ref } });
    expect(s.taskTitles(rex(), [])).toEqual({});
  });
});
