import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { makeTestDb, people, agent, system } from "@/test/db";
import * as s from "@/lib/services";
import { createRun, finishRun, startRun } from "@/lib/services/runs";
import { taskTimeline, type AgentActivity, type AgentStepDurations, type CompletedDay, type ReviewDay, type TaskTimeline } from "@/lib/services/charts";
import { chartEventMatches, refreshPacer } from "@/lib/queries/charts";
import { DayBars } from "./day-bars";
import { CompletedChart } from "./completed-chart";
import { ReviewChart } from "./review-chart";
import { ActivityChart } from "./activity-chart";
import { StepDurationsChart } from "./step-durations-chart";
import { StackedBar } from "./stacked-bar";
import { TaskTimelineChart } from "./task-timeline";
import { timeTicks } from "./time";

// What the charts draw, rendered to HTML (no browser): one mark per datum, titles carrying the
// numbers, accessible names, tables, and the empty states.

const html = (node: React.ReactElement) => renderToStaticMarkup(node);
const count = (out: string, re: RegExp) => out.match(re)?.length ?? 0;
const titles = (out: string) => [...out.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1].replace(/&#x27;/g, "'"));
const days = (n: number, from = "2026-11-10") => Array.from({ length: n }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10));
const MIN = 60_000;
const HOUR = 60 * MIN;

describe("DayBars", () => {
  it("draws one titled bar per day, the highest at full height, and names the chart", () => {
    const out = html(<DayBars summary="Things per day" bars={days(5).map((day, i) => ({ day, value: i === 3 ? 8 : i, title: `${day}: ${i === 3 ? 8 : i}` }))} />);
    expect(count(out, /<g data-day=/g)).toBe(5);
    expect(out).toContain('role="img" aria-label="Things per day"');
    expect(titles(out)).toEqual(["Things per day", "2026-11-10: 0", "2026-11-11: 1", "2026-11-12: 2", "2026-11-13: 8", "2026-11-14: 4"]);
    // The bar of 8 is the full 52 units high, the bar of 4 half of it, the bar of 0 none.
    const bar = (day: string) => new RegExp(`data-day="${day}" data-value="\\d+"><title>[^<]*</title><rect[^>]*></rect><rect ([^>]*)>`).exec(out)?.[1];
    expect(bar("2026-11-13")).toMatch(/y="4" width="9" height="52"/);
    expect(bar("2026-11-14")).toMatch(/y="30" width="9" height="26"/);
    expect(bar("2026-11-10")).toMatch(/height="0"/);
  });
});

describe("overview charts", () => {
  it("tasks completed: a bar per day with its count, the total, a table; an empty state without any", () => {
    const data: CompletedDay[] = days(14).map((day, i) => ({ day, completed: i === 13 ? 3 : i === 2 ? 1 : 0 }));
    const out = html(<CompletedChart days={data} />);
    expect(count(out, /<g data-day=/g)).toBe(14);
    expect(out).toContain('data-testid="completed-total">4<');
    expect(titles(out)).toContain("Nov 23: 3 tasks completed");
    expect(titles(out)).toContain("Nov 12: 1 task completed");
    expect(titles(out)).toContain("Nov 10: 0 tasks completed");
    expect(out).toMatch(/aria-label="Tasks completed per day: 4 tasks in 14 days, the most 3 on Nov 23"/);
    expect(count(out.slice(out.indexOf('data-testid="completed-table"')), /<tr/g)).toBe(15);
    const empty = html(<CompletedChart days={data.map((d) => ({ ...d, completed: 0 }))} />);
    expect(empty).toContain("No task completed in 14 days");
    expect(empty).not.toContain("<svg");
  });

  it("review turnaround: each bar the day's median wait, its title the decisions and the longest", () => {
    const byDay: ReviewDay[] = days(14).map((day) => ({ day, decisions: 0, approved: 0, changesRequested: 0, medianMs: null, longestMs: null }));
    byDay[12] = { ...byDay[12], decisions: 3, approved: 2, changesRequested: 1, medianMs: 2 * HOUR, longestMs: 5 * HOUR };
    byDay[13] = { ...byDay[13], decisions: 1, approved: 1, changesRequested: 0, medianMs: 30 * MIN, longestMs: 30 * MIN };
    const out = html(<ReviewChart data={{ byDay, decisions: 4, medianMs: 90 * MIN }} lookbackDays={14} />);
    expect(count(out, /<g data-day=/g)).toBe(14);
    expect(out).toContain(`data-day="2026-11-22" data-value="${2 * HOUR}"`);
    expect(titles(out)).toContain("Nov 22: 3 decisions (2 approved, 1 changes requested), median 2h 00m from hand-in, longest 5h 00m");
    expect(titles(out)).toContain("Nov 10: no review decision");
    expect(out).toContain('data-testid="review-median">1h 30m<');
    expect(out).toMatch(/aria-label="Time from hand-in to review decision per day: 4 decisions in 14 days, median 1h 30m; the slowest day Nov 22, median 2h 00m"/);
    expect(html(<ReviewChart data={{ byDay: byDay.map((d) => ({ ...d, decisions: 0 })), decisions: 0, medianMs: null }} lookbackDays={14} />)).toContain("No review decision in 14 days");
  });

  it("open work per agent: a part per status with work, scaled to the busiest agent", () => {
    const out = html(
      <StackedBar
        label="backend-developer"
        max={20}
        parts={[
          { status: "pending", count: 5 },
          { status: "in_progress", count: 3 },
          { status: "blocked", count: 0 },
          { status: "in_review", count: 2 },
        ]}
      />,
    );
    expect(out).toContain('aria-label="backend-developer: 10 open (5 pending, 3 in progress, 2 in review)"');
    expect([...out.matchAll(/data-status="(\w+)" data-count="(\d+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual([
      ["pending", 5],
      ["in_progress", 3],
      ["in_review", 2],
    ]);
    // 10 of 20: the parts end half way along the track.
    expect(out).toMatch(/x="40" y="0" width="10"/);
    expect(titles(out)).toEqual(["backend-developer: 10 open (5 pending, 3 in progress, 2 in review)"]);
  });
});

describe("agent charts", () => {
  it("activity: a bar per day of steps done, titles with the tasks completed, an empty state", () => {
    const byDay = days(28).map((day, i) => ({ day, stepsDone: i === 27 ? 12 : 0, tasksCompleted: i === 27 ? 1 : 0 }));
    const data: AgentActivity = { drawnAt: 0, agent: "backend-developer", days: 28, byDay, stepsDone: 12, tasksCompleted: 1 };
    const out = html(<ActivityChart data={data} />);
    expect(count(out, /<g data-day=/g)).toBe(28);
    expect(titles(out)).toContain("Dec 7: 12 steps done, 1 task completed");
    expect(out).toContain("12 steps done and 1 task completed in 4 weeks");
    expect(html(<ActivityChart data={{ ...data, byDay: byDay.map((d) => ({ ...d, stepsDone: 0, tasksCompleted: 0 })), stepsDone: 0, tasksCompleted: 0 }} />)).toContain(
      "Nothing finished in the last 4 weeks",
    );
  });

  it("step durations: a row per step with its median beside it, bars scaled to the slowest 90th percentile", () => {
    const data: AgentStepDurations = {
      agent: "backend-developer",
      tasks: 3,
      samples: 6,
      steps: [
        { position: 1, title: "Understand requirements", samples: 3, medianMs: 6 * MIN, p90Ms: 8 * MIN },
        { position: 2, title: "Implement", samples: 3, medianMs: 20 * MIN, p90Ms: 40 * MIN },
        { position: 3, title: "Document", samples: 0, medianMs: null, p90Ms: null },
      ],
    };
    const out = html(<StepDurationsChart data={data} />);
    expect([...out.matchAll(/data-position="(\d+)" data-median="(\d*)" data-samples="(\d+)"/g)].map((m) => m.slice(1))).toEqual([
      ["1", String(6 * MIN), "3"],
      ["2", String(20 * MIN), "3"],
      ["3", "", "0"],
    ]);
    expect(titles(out)).toContain("Step 2 · Implement: median 20m, 90% within 40m, over 3 steps");
    expect(titles(out)).toContain("Step 3 · Document: not finished in these tasks");
    // Median of step 2 is half the slowest 90th percentile (40m): a bar of 50.
    expect(out).toMatch(/<rect x="0" y="0" width="50" height="8" class="fill-status-progress"/);
    expect(out).toContain("the slowest is step 2 (20m)");
    expect(html(<StepDurationsChart data={{ ...data, samples: 0, steps: data.steps.map((x) => ({ ...x, samples: 0, medianMs: null, p90Ms: null })) }} />)).toContain("No finished steps yet");
  });
});

describe("task timeline", () => {
  let t: ReturnType<typeof makeTestDb> | undefined;
  afterEach(() => {
    t?.cleanup();
    t = undefined;
  });

  /** A task worked through a round, sent back, and started again, with one run: drawn from what the service reads. */
  function workedTask(): TaskTimeline {
    t = makeTestDb();
    let clock = Date.parse("2026-11-20T09:00:00Z");
    const now = () => clock;
    const rex = t.ctx(people.reviewer, now);
    const be = t.ctx(agent("backend-developer"), now);
    const sys = t.ctx(system, now);
    const inst = s.createInstruction(rex, { title: "Orders", tier: 2 });
    const task = s.createTask(rex, { instructionId: inst.id, title: "Orders API", assignedAgent: "backend-developer" });
    const run = createRun(t.ctx(people.admin, now), { taskId: task.id, preset: "command", command: ["agent"] });
    startRun(sys, { runId: run.id, command: ["agent"] });
    s.claimTask(be, { taskId: task.id });
    for (let p = 1; p <= 10; p++) {
      clock += 2 * MIN; // a wait before each step
      s.updateStep(be, { taskId: task.id, position: p, status: "in_progress" });
      clock += 5 * MIN;
      s.updateStep(be, { taskId: task.id, position: p, status: "done" });
    }
    s.submitOutput(be, { taskId: task.id, format: "markdown", content: "v1" });
    s.completeTask(be, { taskId: task.id });
    finishRun(sys, { runId: run.id, outcome: "exited", exitCode: 1 });
    clock += HOUR;
    s.requestOutputChanges(rex, { outputId: s.getTask(rex, task.id).outputs[0].id, comment: "Again" });
    clock += 10 * MIN;
    s.claimTask(be, { taskId: task.id });
    s.updateStep(be, { taskId: task.id, position: 1, status: "in_progress" });
    clock += 5 * MIN;
    return taskTimeline(rex, task.id);
  }

  it("draws a bar per started step of every round, a wait before each, the runs and the marks", () => {
    const data = workedTask();
    const out = html(<TaskTimelineChart data={data} />);
    const started = data.steps.filter((x) => x.startedAt != null);
    expect(started).toHaveLength(11);
    expect(count(out, /<g data-step=/g)).toBe(11);
    expect(out).toContain('data-step="2:1" data-status="in_progress"');
    expect(out).toContain('data-step="1:10" data-status="done"');
    // Round 1: a wait of 2 minutes before steps 2..10 (step 1's is from the claim, not known after a new round); round 2's first step waited 10 minutes.
    expect([...out.matchAll(/data-wait="(\d+)"/g)].map((m) => Number(m[1])).sort((a, b) => a - b)).toEqual([...Array(9).fill(2 * MIN), 10 * MIN]);
    expect(out).toMatch(/data-run="[^"]+" data-run-status="failed"/);
    expect([...out.matchAll(/data-mark="([\w-]+)"/g)].map((m) => m[1])).toEqual(["handed-in", "changes_requested", "now"]);
    const second = data.steps.find((x) => x.round === 1 && x.position === 2)!;
    expect(titles(out)).toContain(`Step 2 · ${second.title} · round 1: done 09:09–09:14 UTC (5m), after a wait of 2m`);
    expect(titles(out)).toContain("v1 sent back: changes requested at 11:10 UTC, 1h 00m after the hand-in");
    expect(titles(out)).toContain("Step 1 · Understand requirements · round 2: in progress since 11:20 UTC, after a wait of 10m");
    expect(titles(out)).toContain("Run 1 (round 1): failed · queued 09:00, ran 09:00–10:10 UTC (1h 10m)");
    expect(out).toMatch(
      /role="img" aria-label="Step timeline: 11 steps started over 2 rounds between 09:00 and \d\d:\d\d UTC \(\d+h \d\dm\); 28m of waits before steps; 1 run \(1 failed\); 1 output handed in"/,
    );
    // The tables: 20 step rows (10 per round) and 1 run, plus their heads.
    expect(count(out.slice(out.indexOf('data-testid="task-timeline-steps"'), out.indexOf('data-testid="task-timeline-runs"')), /<tr/g)).toBe(21);
    expect(count(out.slice(out.indexOf('data-testid="task-timeline-runs"')), /<tr/g)).toBe(2);
  });

  it("says there is nothing to draw before anything started", () => {
    t = makeTestDb();
    const rex = t.ctx(people.reviewer);
    const inst = s.createInstruction(rex, { title: "Orders", tier: 2 });
    const task = s.createTask(rex, { instructionId: inst.id, title: "Later", assignedAgent: "backend-developer" });
    const out = html(<TaskTimelineChart data={taskTimeline(rex, task.id)} />);
    expect(out).toContain('data-testid="task-timeline-empty"');
    expect(out).not.toContain("<svg");
  });

  it("labels its axis with round UTC times", () => {
    const start = Date.parse("2026-11-20T09:07:00Z");
    expect(timeTicks(start, start + 50 * MIN, 5).map((x) => x.label)).toEqual(["09:10", "09:20", "09:30", "09:40", "09:50"]);
    expect(timeTicks(start, start + 3 * 86_400_000, 5).map((x) => x.label)).toEqual(["Nov 21", "Nov 22", "Nov 23"]);
  });
});

describe("which events redraw which charts", () => {
  const ev = (verb: string, extra: Partial<Parameters<typeof chartEventMatches>[1]> = {}) => ({
    id: 1,
    verb,
    entityKind: verb.split(".")[0],
    entityId: "x",
    taskId: "tsk_1",
    instructionId: null,
    actor: { kind: "agent", id: "backend-developer" },
    ...extra,
  });
  it("the overview on completions and review decisions only", () => {
    expect(chartEventMatches({ kind: "overview" }, ev("task.completed"))).toBe(true);
    expect(chartEventMatches({ kind: "overview" }, ev("output.changes_requested"))).toBe(true);
    expect(chartEventMatches({ kind: "overview" }, ev("step.done"))).toBe(false);
  });
  it("an agent's page on its own step reports and on decisions", () => {
    expect(chartEventMatches({ kind: "agent", agent: "backend-developer" }, ev("step.done"))).toBe(true);
    expect(chartEventMatches({ kind: "agent", agent: "frontend-developer" }, ev("step.done"))).toBe(false);
    expect(chartEventMatches({ kind: "agent", agent: "frontend-developer" }, ev("task.completed", { actor: { kind: "person", id: "rex" } }))).toBe(true);
    expect(chartEventMatches({ kind: "agent", agent: "backend-developer" }, ev("step.activity"))).toBe(false);
  });
  it("a task page on its own steps, runs and outputs, never on log flushes or messages", () => {
    const task = { kind: "task", taskId: "tsk_1" } as const;
    expect(chartEventMatches(task, ev("step.in_progress"))).toBe(true);
    expect(chartEventMatches(task, ev("run.finished"))).toBe(true);
    expect(chartEventMatches(task, ev("output.submitted"))).toBe(true);
    expect(chartEventMatches(task, ev("run.output"))).toBe(false);
    expect(chartEventMatches(task, ev("message.sent"))).toBe(false);
    expect(chartEventMatches(task, ev("step.done", { taskId: "tsk_2" }))).toBe(false);
  });
});

describe("the pace of chart refreshes", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  it("one refresh a second after a burst, then at most one per interval, none while hidden", () => {
    let hidden = false;
    let refreshed = 0;
    const pacer = refreshPacer(
      () => refreshed++,
      () => hidden,
      10_000,
    );
    for (let i = 0; i < 5; i++) pacer.request();
    vi.advanceTimersByTime(999);
    expect(refreshed).toBe(0);
    vi.advanceTimersByTime(1);
    expect(refreshed).toBe(1);
    // A new burst right after: waits out the 10 s since the last refresh, then one refresh.
    pacer.request();
    pacer.request();
    vi.advanceTimersByTime(9_999);
    expect(refreshed).toBe(1);
    vi.advanceTimersByTime(1);
    expect(refreshed).toBe(2);
    // Hidden: nothing, until the tab shows again.
    hidden = true;
    vi.advanceTimersByTime(20_000);
    pacer.request();
    vi.advanceTimersByTime(5_000);
    expect(refreshed).toBe(2);
    pacer.shown();
    vi.advanceTimersByTime(5_000);
    expect(refreshed).toBe(2);
    hidden = false;
    pacer.shown();
    vi.advanceTimersByTime(1_000);
    expect(refreshed).toBe(3);
    // Stopped: a pending refresh never runs.
    vi.advanceTimersByTime(20_000);
    pacer.request();
    pacer.stop();
    vi.advanceTimersByTime(20_000);
    expect(refreshed).toBe(3);
  });
});
