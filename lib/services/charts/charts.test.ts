import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, agent, system, refusal } from "@/test/db";
import * as s from "@/lib/services";
import { createRun, finishRun, startRun } from "@/lib/services/runs";
import { agentActivity, agentStepDurations, overviewCharts, REVIEW_LOOKBACK_DAYS, taskTimeline } from "@/lib/services/charts";

// The pictures of the work, computed from data written through the verbs on a real SQLite file,
// with the clock moved by hand: what each chart would draw, day by day and step by step.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.parse("2026-11-02T09:00:00Z");

let t: ReturnType<typeof makeTestDb>;
let clock: number;
const now = () => clock;
beforeEach(() => {
  t = makeTestDb();
  clock = T0;
});
afterEach(() => t.cleanup());

const rex = () => t.ctx(people.reviewer, now);
const viewer = () => t.ctx(people.viewer, now);
const sys = () => t.ctx(system, now);
const as = (name: string) => t.ctx(agent(name), now);
const BE = "backend-developer";

function newTask(title: string, assignedAgent = BE, authority: "autonomous" | "review_required" = "review_required") {
  const inst = s.createInstruction(rex(), { title: `For ${title}`, tier: 2 });
  return s.createTask(rex(), { instructionId: inst.id, title, assignedAgent, authority });
}

/** Steps `from`, `from` + 1... of a claimed task: each started `gap` minutes after the one before ended, and done `minutes[i]` later. */
function work(taskId: string, who: string, minutes: number[], gap = 0, from = 1) {
  minutes.forEach((m, i) => {
    clock += gap * MIN;
    s.updateStep(as(who), { taskId, position: from + i, status: "in_progress" });
    clock += m * MIN;
    s.updateStep(as(who), { taskId, position: from + i, status: "done", note: `step ${from + i}` });
  });
}
const all10 = Array.from({ length: 10 }, () => 1);

/** Claims, works through every step and hands in: the task is in review. */
function handIn(taskId: string, who = BE) {
  s.claimTask(as(who), { taskId });
  work(taskId, who, all10);
  s.submitOutput(as(who), { taskId, format: "markdown", content: "# Done" });
  s.completeTask(as(who), { taskId });
  return s.getTask(rex(), taskId).outputs.at(-1)!;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("overview charts", () => {
  it("counts completed tasks on the UTC day they were completed, over the last 14 days only", () => {
    // 20 days ago: outside the window.
    const old = newTask("Old");
    const oldOut = handIn(old.id);
    s.approveOutput(rex(), { outputId: oldOut.id });
    clock += 10 * DAY;
    const a = newTask("A");
    s.approveOutput(rex(), { outputId: handIn(a.id).id });
    const dayA = dayOf(clock);
    clock += 3 * DAY;
    const b = newTask("B");
    const c = newTask("C");
    s.approveOutput(rex(), { outputId: handIn(b.id).id });
    s.approveOutput(rex(), { outputId: handIn(c.id).id });
    const dayBC = dayOf(clock);
    // Autonomous work completes without a review.
    const d = newTask("D", BE, "autonomous");
    s.claimTask(as(BE), { taskId: d.id });
    work(d.id, BE, all10);
    s.completeTask(as(BE), { taskId: d.id });
    expect(s.getTask(rex(), d.id).status).toBe("completed");
    // In review, not completed: not counted.
    handIn(newTask("E").id);
    clock += 7 * DAY;

    const charts = overviewCharts(viewer());
    expect(charts.days).toBe(14);
    expect(charts.completed).toHaveLength(14);
    expect(charts.completed.at(-1)!.day).toBe(dayOf(clock));
    const by = Object.fromEntries(charts.completed.map((x) => [x.day, x.completed]));
    expect(by[dayA]).toBe(1);
    expect(by[dayBC]).toBe(3);
    expect(charts.completed.reduce((n, x) => n + x.completed, 0)).toBe(4);
    expect(by[dayOf(T0)]).toBeUndefined();
  });

  it("measures hand-in to decision per day of the decision: count, split, median and longest", () => {
    clock += 20 * DAY;
    const waits = [2 * HOUR, 30 * MIN, 5 * HOUR];
    const decisionDay = dayOf(clock + 6 * HOUR);
    const outs = waits.map((_, i) => handIn(newTask(`R${i}`).id));
    // Each decision `wait` after its own hand-in.
    outs.forEach((o, i) => {
      clock = Date.parse(o.createdAt) + waits[i];
      if (i === 1) s.requestOutputChanges(rex(), { outputId: o.id, comment: "Not yet" });
      else s.approveOutput(rex(), { outputId: o.id });
    });
    // Still waiting: no decision, not drawn.
    handIn(newTask("Waiting").id);

    const r = overviewCharts(rex()).reviews;
    expect(r.decisions).toBe(3);
    expect(r.medianMs).toBe(2 * HOUR);
    const day = r.byDay.find((x) => x.day === decisionDay)!;
    expect(day).toMatchObject({ decisions: 3, approved: 2, changesRequested: 1, medianMs: 2 * HOUR, longestMs: 5 * HOUR });
    expect(r.byDay.filter((x) => x.decisions > 0)).toHaveLength(1);
  });

  it("leaves out decisions before the window and outputs handed in before its lookback", () => {
    const early = handIn(newTask("Early").id);
    clock += (14 + REVIEW_LOOKBACK_DAYS + 2) * DAY;
    // Decided inside the window, but handed in too long before it.
    s.approveOutput(rex(), { outputId: early.id });
    expect(overviewCharts(rex()).reviews.decisions).toBe(0);
  });

  it("are the people's: an agent may not read them", () => {
    expect(refusal(() => overviewCharts(as(BE))).code).toBe("forbidden");
    expect(overviewCharts(viewer()).completed).toHaveLength(14);
  });
});

describe("agent charts", () => {
  it("activity: the steps its tasks had done and the tasks it completed, per UTC day over 4 weeks", () => {
    const a = newTask("A");
    s.claimTask(as(BE), { taskId: a.id });
    work(a.id, BE, [5, 5, 5]);
    const day1 = dayOf(clock);
    clock += 2 * DAY;
    work(a.id, BE, [5, 5], 0, 4);
    const other = newTask("Other's", "frontend-developer");
    s.claimTask(as("frontend-developer"), { taskId: other.id });
    work(other.id, "frontend-developer", [1, 1]);
    const auto = newTask("Auto", BE, "autonomous");
    s.claimTask(as(BE), { taskId: auto.id });
    work(auto.id, BE, all10);
    s.completeTask(as(BE), { taskId: auto.id });
    const day2 = dayOf(clock);
    clock += DAY;

    const act = agentActivity(rex(), BE);
    expect(act.days).toBe(28);
    expect(act.byDay).toHaveLength(28);
    const by = Object.fromEntries(act.byDay.map((d) => [d.day, d]));
    expect(by[day1]).toMatchObject({ stepsDone: 3, tasksCompleted: 0 });
    expect(by[day2]).toMatchObject({ stepsDone: 12, tasksCompleted: 1 });
    expect(act.stepsDone).toBe(15);
    expect(act.tasksCompleted).toBe(1);
    expect(agentActivity(rex(), "frontend-developer").stepsDone).toBe(2);
    // Older than the window: gone.
    clock += 40 * DAY;
    expect(agentActivity(rex(), BE).stepsDone).toBe(0);
  });

  it("activity counts the steps of earlier review rounds too", () => {
    const a = newTask("A");
    const out = handIn(a.id);
    s.requestOutputChanges(rex(), { outputId: out.id, comment: "Again" });
    s.claimTask(as(BE), { taskId: a.id });
    work(a.id, BE, [1, 1]);
    expect(agentActivity(rex(), BE).stepsDone).toBe(12);
  });

  it("step durations: the median and 90th percentile per position of its Response Approach, titled by the definition", () => {
    const durations = [
      [4, 10],
      [6, 20],
      [8, 30],
    ];
    for (const [i, [first, second]] of durations.entries()) {
      const task = newTask(`T${i}`);
      s.claimTask(as(BE), { taskId: task.id });
      work(task.id, BE, [first, second]);
    }
    const d = agentStepDurations(viewer(), BE);
    expect(d.tasks).toBe(3);
    expect(d.samples).toBe(6);
    const def = s.getAgent(rex(), BE).steps;
    expect(d.steps.map((x) => x.position)).toEqual(def.map((x) => x.position));
    expect(d.steps[0]).toMatchObject({ position: 1, title: def[0].title, samples: 3, medianMs: 6 * MIN, p90Ms: 8 * MIN });
    expect(d.steps[1]).toMatchObject({ position: 2, samples: 3, medianMs: 20 * MIN, p90Ms: 30 * MIN });
    expect(d.steps[2]).toMatchObject({ position: 3, samples: 0, medianMs: null });
  });

  it("an agent reads its own charts only; an unknown agent is not found", () => {
    expect(agentActivity(as(BE), BE).agent).toBe(BE);
    expect(agentStepDurations(as(BE), BE).samples).toBe(0);
    expect(refusal(() => agentActivity(as("frontend-developer"), BE)).code).toBe("forbidden");
    expect(refusal(() => agentStepDurations(as("frontend-developer"), BE)).code).toBe("forbidden");
    expect(refusal(() => agentActivity(rex(), "nobody")).code).toBe("not_found");
  });
});

describe("task timeline", () => {
  it("has nothing to draw before anything started", () => {
    const task = newTask("Fresh");
    const tl = taskTimeline(rex(), task.id);
    expect(tl.start).toBeNull();
    expect(tl.steps).toHaveLength(10);
    expect(tl.steps.every((x) => x.startedAt == null && x.waitMs == null)).toBe(true);
  });

  it("puts the steps of every round, the waits before them, the runs, outputs and decisions on one axis", () => {
    const task = newTask("Timeline");
    const run = createRun(t.ctx(people.admin, now), { taskId: task.id, preset: "command", command: ["agent"] });
    clock += MIN;
    startRun(sys(), { runId: run.id, command: ["agent"] });
    const claimedAt = (clock += MIN);
    s.claimTask(as(BE), { taskId: task.id });
    // step 1 after 3 minutes, 10 minutes long; step 2 after 7 more, 20 long
    work(task.id, BE, [10], 3);
    clock += 7 * MIN;
    s.updateStep(as(BE), { taskId: task.id, position: 2, status: "in_progress" });
    clock += 20 * MIN;
    s.updateStep(as(BE), { taskId: task.id, position: 2, status: "done" });
    for (let p = 3; p <= 10; p++) s.updateStep(as(BE), { taskId: task.id, position: p, status: "done" });
    s.submitOutput(as(BE), { taskId: task.id, format: "markdown", content: "v1" });
    const handedIn = clock;
    s.completeTask(as(BE), { taskId: task.id });
    clock += MIN;
    finishRun(sys(), { runId: run.id, outcome: "exited", exitCode: 0 });
    clock += HOUR;
    const out1 = s.getTask(rex(), task.id).outputs[0];
    s.requestOutputChanges(rex(), { outputId: out1.id, comment: "Once more" });
    const decided = clock;
    // Round 2: step 1 starts 15 minutes after the decision, still in progress.
    clock += 15 * MIN;
    s.claimTask(as(BE), { taskId: task.id });
    s.updateStep(as(BE), { taskId: task.id, position: 1, status: "in_progress" });
    clock += 5 * MIN;

    const tl = taskTimeline(rex(), task.id);
    expect(tl.round).toBe(2);
    expect(tl.open).toBe(true);
    expect(tl.steps).toHaveLength(20);
    const step = (round: number, position: number) => tl.steps.find((x) => x.round === round && x.position === position)!;
    expect(step(1, 1)).toMatchObject({ status: "done", startedAt: claimedAt + 3 * MIN, endedAt: claimedAt + 13 * MIN, waitMs: null });
    expect(step(1, 2)).toMatchObject({ status: "done", startedAt: claimedAt + 20 * MIN, endedAt: claimedAt + 40 * MIN, waitMs: 7 * MIN });
    expect(step(2, 1)).toMatchObject({ status: "in_progress", startedAt: decided + 15 * MIN, endedAt: null, waitMs: 15 * MIN });
    expect(step(2, 2).startedAt).toBeNull();
    expect(tl.runs).toHaveLength(1);
    expect(tl.runs[0]).toMatchObject({ id: run.id, status: "succeeded", queuedAt: T0, startedAt: T0 + MIN });
    expect(tl.outputs).toEqual([expect.objectContaining({ version: 1, handedInAt: handedIn, decision: "changes_requested", decidedAt: decided })]);
    expect(tl.start).toBe(T0);
    expect(tl.end).toBe(clock);
  });

  it("an agent reads its own task's timeline only", () => {
    const task = newTask("Mine");
    expect(taskTimeline(as(BE), task.id).taskId).toBe(task.id);
    expect(refusal(() => taskTimeline(as("frontend-developer"), task.id)).code).toBe("not_found");
    expect(refusal(() => taskTimeline(rex(), "tsk_nope")).code).toBe("not_found");
  });
});
