import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { EventDto, TaskDetail } from "@/lib/services";
import type { RunDto } from "@/lib/queries/runs";
import { formatTokenCount, formatUsd } from "@/components/ui/format";
import { RunCost, RunSession, RunTrigger, RunWakeReason } from "@/components/runs/run-row";
import { CostByDay, dayRange } from "@/components/usage/cost-by-day";
import { StepTracker } from "./step-tracker";
import { roundSummary } from "./past-round-steps";
import { TaskCost } from "./task-cost";
import { describeEvent } from "./event-line";

// What the dashboard shows of review rounds, wakes, sessions and cost, rendered to HTML (no browser).

const zero = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0 };
const step = (position: number, status: string, extra: Record<string, unknown> = {}) => ({
  position,
  title: `Step ${position}`,
  status,
  note: null,
  guidance: null,
  startedAt: null,
  endedAt: null,
  durationMs: null,
  version: 1,
  messageIds: [],
  outputIds: [],
  ...extra,
});

function task(over: Partial<Record<keyof TaskDetail, unknown>> = {}): TaskDetail {
  return {
    id: "tsk_1",
    assignedAgent: "backend-developer",
    blockedReason: null,
    messages: [],
    outputs: [],
    round: 2,
    progress: { total: 3, done: 1, skipped: 0, current: 2 },
    steps: [step(1, "done"), step(2, "in_progress", { note: "again" }), step(3, "pending")],
    rounds: [
      {
        round: 1,
        steps: [
          { position: 1, title: "Step 1", status: "done", note: "read it", startedAt: "2026-11-26T10:00:00.000Z", endedAt: "2026-11-26T10:05:00.000Z" },
          { position: 2, title: "Step 2", status: "done", note: null, startedAt: null, endedAt: null },
          { position: 3, title: "Step 3", status: "skipped", note: "not needed", startedAt: null, endedAt: null },
        ],
      },
    ],
    usage: {
      ...zero,
      inputTokens: 12_300,
      outputTokens: 800,
      costUsd: 0.0456,
      byStep: [
        { ...zero, round: 1, position: 1, inputTokens: 5000, costUsd: 0.02 },
        { ...zero, round: 2, position: 2, inputTokens: 7000, outputTokens: 800, costUsd: 0.0123 },
        { ...zero, round: 2, position: 0, inputTokens: 300, costUsd: 0.0133 },
      ],
    },
    ...over,
  } as unknown as TaskDetail;
}

const run = (over: Partial<RunDto> = {}): RunDto =>
  ({
    id: "run_1",
    taskId: "tsk_1",
    agent: "backend-developer",
    status: "succeeded",
    trigger: "manual",
    requestedBy: "ana@example.com",
    round: 1,
    wakeReason: null,
    resumeSessionId: null,
    sessionId: null,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: null },
    ...over,
  }) as RunDto;

const html = (node: React.ReactElement) => renderToStaticMarkup(node);

describe("formatting", () => {
  it("writes tokens short and cost to the hundredth of a cent", () => {
    expect([950, 12_345, 1_234_567, 120_000].map(formatTokenCount)).toEqual(["950", "12.3k", "1.2M", "120k"]);
    expect(formatUsd(0.0123)).toBe("$0.0123");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatUsd(1234.5)).toBe("$1,235");
  });
});

describe("the step tracker in a later round", () => {
  it("shows the current round with its anchored steps and cost chips, and the earlier round folded", () => {
    const out = html(<StepTracker task={task()} events={[] as EventDto[]} />);
    expect(out).toContain('data-testid="step-round-current" data-round="2"');
    expect(out).toContain("Round 2");
    expect(out).toMatch(/id="step-2" data-testid="step-2" data-status="in_progress"/);
    // The chip is the current round's: step 1 cost $0.02 in round 1, nothing in round 2.
    expect(out).toContain('data-testid="step-2-cost"');
    expect(out).toContain("$0.0123");
    expect(out).not.toContain('data-testid="step-1-cost"');
    expect(out).toMatch(/<details[^>]*data-testid="step-round-1"/);
    expect(out).toContain("Round 1");
    expect(out).toContain("· 3 steps · 2 done, 1 skipped");
    expect(out).toContain("not needed");
  });

  it("stays as it was in round 1: no round header", () => {
    const out = html(<StepTracker task={task({ round: 1, rounds: [], usage: { ...zero, byStep: [] } })} events={[]} />);
    expect(out).not.toContain("step-round-current");
    expect(out).toContain('data-testid="step-1"');
  });

  it("a task without steps says why (the server's stepsNote)", () => {
    const note = "No definition of backend-developer is loaded (it is not in AGENTS_DIR): the task gets the agent's steps when its definition is synced, as long as it is pending.";
    const out = html(<StepTracker task={task({ round: 1, rounds: [], steps: [], stepsNote: note, usage: { ...zero, byStep: [] } })} events={[]} />);
    expect(out).toContain('data-testid="steps-note"');
    expect(out).toContain("No definition of backend-developer is loaded");
  });

  it("counts a round's steps by status", () => {
    expect(roundSummary([{ status: "pending" }, { status: "done" }, { status: "done" }, { status: "blocked" }])).toBe("2 done, 1 blocked, 1 pending");
  });
});

describe("the task's cost", () => {
  it("shows the total and each step by round, the time outside any step included", () => {
    const out = html(<TaskCost task={task()} />);
    expect(out).toContain("$0.0456");
    expect(out).toContain("Round 2 (current)");
    expect(out).toContain('href="#step-2"');
    expect(out).toContain("outside any step");
    expect(out.indexOf("Round 2")).toBeLessThan(out.indexOf("Round 1"));
  });

  it("says so when no run reported any", () => {
    expect(html(<TaskCost task={task({ usage: { ...zero, byStep: [] } })} />)).toContain("No runs have reported cost yet.");
  });
});

describe("a run's trigger, session and cost", () => {
  it("marks a woken run and gives its reason", () => {
    const r = run({ trigger: "wake", wakeReason: "Changes requested by rex@example.com on v1\nA thread was answered" });
    expect(html(<RunTrigger run={r} />)).toContain('data-testid="run-wake"');
    expect(html(<RunWakeReason run={r} />)).toContain("Changes requested by rex@example.com");
    expect(html(<RunTrigger run={run()} />)).toContain("by ana@example.com");
  });

  it("tells a continued session from a fresh one that could not resume", () => {
    const a = "5d1c0e6a-2b7f-4a8e-9c3d-1f2e3a4b5c6d";
    const b = "9f8e7d6c-2b7f-4a8e-9c3d-1f2e3a4b5c6d";
    expect(html(<RunSession run={run({ sessionId: a })} />)).toMatch(/data-session-state="new".*session .*5d1c0e6a…/);
    expect(html(<RunSession run={run({ resumeSessionId: a, sessionId: a })} />)).toContain("continued session");
    const fresh = html(<RunSession run={run({ resumeSessionId: a, sessionId: b })} />);
    expect(fresh).toContain("fresh session");
    expect(fresh).toContain("could not resume");
    expect(fresh).toContain(`title="${a}"`);
    expect(html(<RunSession run={run()} />)).toBe("");
  });

  it("shows cost and tokens only when the run reported them", () => {
    const out = html(<RunCost run={run({ usage: { inputTokens: 10_000, outputTokens: 2_300, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0.0123 } })} />);
    expect(out).toContain("$0.0123 · 12.3k tokens");
    expect(html(<RunCost run={run()} />)).toBe("");
  });
});

describe("the timeline's words for rounds and wakes", () => {
  const ev = (verb: string, after: Record<string, unknown>) =>
    ({ id: 1, verb, entityKind: "task", entityId: "tsk_1", taskId: "tsk_1", instructionId: null, actor: { kind: "system", id: "system:runner" }, at: "", before: {}, after }) as unknown as EventDto;
  const text = (e: EventDto) => html(<>{describeEvent(e).text}</>);

  it("reads a round opened, a wake, a wake held by the loop guard and a dropped one", () => {
    expect(text(ev("task.changes_requested", { round: 2, version: 1, reviewer: "rex@example.com" }))).toBe("opened round 2: changes requested on output v1");
    const woken = ev("task.woken", { agent: "backend-developer", kind: "changes_requested", reason: "Rex asked for tests", causedBy: "rex@example.com" });
    expect(text(woken)).toBe("woke backend-developer: changes requested by rex@example.com");
    expect(describeEvent(woken).note).toBe("Rex asked for tests");
    expect(text(ev("task.wake_suppressed", { agent: "backend-developer", guard: "tsk_1 was woken 6 times in the last hour (limit 6)" }))).toBe(
      "held a wake of backend-developer by the loop guard: tsk_1 was woken 6 times in the last hour (limit 6)",
    );
    expect(text(ev("task.wake_dropped", { agent: "backend-developer", why: "the task is completed" }))).toBe("dropped a wake of backend-developer: the task is completed");
    expect(text(ev("run.queued", { agent: "backend-developer", trigger: "wake", round: 2 }))).toBe("queued a run of backend-developer, woken · round 2");
  });
});

describe("cost by day", () => {
  it("draws one titled bar per day, days without runs included, with a label and a table", () => {
    const days = dayRange(14);
    const out = html(<CostByDay days={14} label="Cost of x by day" byDay={[{ ...zero, day: days[13], costUsd: 0.5, inputTokens: 1000 }]} />);
    expect(out.match(/<g data-day=/g)).toHaveLength(14);
    expect(out).toMatch(/role="img" aria-label="Cost of x by day: \$0\.5000 in 14 days, the most \$0\.5000 on /);
    expect(out).toContain("<title>");
    expect(out).toContain('data-testid="cost-by-day-table"');
    expect(out.match(/<tr/g)).toHaveLength(15);
  });
});
