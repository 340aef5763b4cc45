import { beforeAll, describe, expect, it } from "vitest";
import { withTestServer } from "@/test/suite";
import { json, type TestPerson, type TestServer } from "@/test/server";
import { agent, system } from "@/test/db";
import { claimTask, createInstruction, createTask, updateStep } from "@/lib/services";
import { createAgentRun, createRun, finishRun, startRun } from "@/lib/services/runs";

/**
 * GET /usage, /agents/{name}/usage and /agents/{name}/runs over HTTP: run_usage rows written the way
 * the supervisor writes them (finishRun with the program's usage), summed by day and by agent, and
 * who may read them. Every answer is also checked against its OpenAPI schema (test/contract.ts).
 */
let srv: TestServer;
let viewer: TestPerson;
let backendToken: string;
let frontendToken: string;
withTestServer((s) => (srv = s));

const DAY = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const tokens = (n: number) => ({ inputTokens: n, outputTokens: n / 10, cacheReadTokens: n * 2, cacheCreationTokens: 0 });

/** One finished run: queued, started and ended `daysAgo` days back, reporting `costUsd` and tokens. */
function finishedRun(opts: { agentName: string; daysAgo: number; costUsd: number; tokens: number; task?: boolean; onStart?: (taskId: string) => number }) {
  const at = Date.now() - opts.daysAgo * DAY;
  const sys = srv.ctx(system);
  const then = { ...sys, now: () => at };
  let run;
  let taskId: string | null = null;
  if (opts.task === false) {
    run = createAgentRun(then, { agent: opts.agentName, preset: "claude-code", command: ["claude"], wakeReason: "A message from frontend-developer asks you to act" });
  } else {
    const inst = createInstruction(sys, { title: `Usage ${opts.agentName} ${opts.daysAgo}` });
    taskId = createTask(sys, { instructionId: inst.id, title: "Costs", assignedAgent: opts.agentName }).id;
    run = createRun(then, { taskId, preset: "claude-code", command: ["claude"] });
  }
  startRun(then, { runId: run.id, command: ["claude"], preset: "claude-code" });
  const messageAt = taskId && opts.onStart ? opts.onStart(taskId) : null;
  const u = tokens(opts.tokens);
  finishRun(then, {
    runId: run.id,
    outcome: "exited",
    exitCode: 0,
    notify: false,
    sessionId: `ses-${run.id}`,
    usage: { ...u, costUsd: opts.costUsd, messages: messageAt ? [{ at: messageAt, ...u }] : [] },
  });
  return { runId: run.id, taskId };
}

let stepTask: string;
let wakeRun: string;

beforeAll(() => {
  viewer = srv.person("viewer");
  backendToken = srv.agentToken("backend-developer").token;
  frontendToken = srv.agentToken("frontend-developer").token;
  // backend-developer: today on a task (its step 1 in progress: the tokens go to step 1), and 3 days ago without a task.
  stepTask = finishedRun({
    agentName: "backend-developer",
    daysAgo: 0,
    costUsd: 0.5,
    tokens: 1000,
    onStart: (taskId) => {
      const be = srv.ctx(agent("backend-developer"));
      claimTask(be, { taskId });
      updateStep(be, { taskId, position: 1, status: "in_progress", note: "reading" });
      return Date.now();
    },
  }).taskId!;
  wakeRun = finishedRun({ agentName: "backend-developer", daysAgo: 3, costUsd: 0.25, tokens: 500, task: false }).runId;
  // frontend-developer: 20 days ago (outside the default 14 days) and today.
  finishedRun({ agentName: "frontend-developer", daysAgo: 20, costUsd: 1, tokens: 4000 });
  finishedRun({ agentName: "frontend-developer", daysAgo: 0, costUsd: 0.125, tokens: 200 });
});

describe("GET /usage", () => {
  it("sums the last 14 days by day and by agent, most expensive first", async () => {
    const res = await srv.request("/api/v1/usage", { cookie: viewer.cookie });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.days).toBe(14);
    expect(body.since).toBe(day(Date.now() - 13 * DAY));
    expect(body.costUsd).toBeCloseTo(0.875, 9);
    expect(body.inputTokens).toBe(1000 + 500 + 200);
    expect(body.cacheReadTokens).toBe(2 * (1000 + 500 + 200));
    expect(body.byDay.map((d: { day: string }) => d.day)).toEqual([day(Date.now() - 3 * DAY), day(Date.now())]);
    expect(body.byDay[1].costUsd).toBeCloseTo(0.625, 9);
    expect(body.byAgent.map((a: { agent: string }) => a.agent)).toEqual(["backend-developer", "frontend-developer"]);
    expect(body.byAgent[0].costUsd).toBeCloseTo(0.75, 9);
  });

  it("reaches further back with days, and refuses a days it cannot take", async () => {
    const body = await json(await srv.request("/api/v1/usage?days=30", { token: viewer.token }));
    expect(body.costUsd).toBeCloseTo(1.875, 9);
    expect(body.byDay).toHaveLength(3);
    expect(body.byAgent[0]).toMatchObject({ agent: "frontend-developer" });
    expect(body.byAgent[0].costUsd).toBeCloseTo(1.125, 9);
    for (const bad of ["0", "-1", "abc", "1000"]) expect((await srv.request(`/api/v1/usage?days=${bad}`, { token: viewer.token })).status, bad).toBe(422);
  });

  it("is for people: an agent gets 403", async () => {
    const res = await srv.request("/api/v1/usage", { token: backendToken });
    expect(res.status).toBe(403);
    expect(await json(res)).toMatchObject({ code: "forbidden" });
  });
});

describe("GET /agents/{name}/usage", () => {
  it("gives the totals since the first run and the last days day by day", async () => {
    const fe = await json(await srv.request("/api/v1/agents/frontend-developer/usage", { token: viewer.token }));
    expect(fe).toMatchObject({ agent: "frontend-developer", days: 14, inputTokens: 4200 });
    expect(fe.costUsd).toBeCloseTo(1.125, 9);
    expect(fe.byDay).toHaveLength(1);
    expect(fe.byDay[0].day).toBe(day(Date.now()));
    expect(fe.byDay[0].costUsd).toBeCloseTo(0.125, 9);
    const longer = await json(await srv.request("/api/v1/agents/frontend-developer/usage?days=21", { token: viewer.token }));
    expect(longer.byDay).toHaveLength(2);
  });

  it("lets an agent read its own usage only, and says 404 for an unknown agent", async () => {
    const own = await srv.request("/api/v1/agents/backend-developer/usage", { token: backendToken });
    expect(own.status).toBe(200);
    const body = await json(own);
    expect(body.costUsd).toBeCloseTo(0.75, 9);
    expect(body.byDay.map((d: { day: string }) => d.day)).toEqual([day(Date.now() - 3 * DAY), day(Date.now())]);
    expect((await srv.request("/api/v1/agents/backend-developer/usage", { token: frontendToken })).status).toBe(403);
    expect((await srv.request("/api/v1/agents/no-such-agent/usage", { token: viewer.token })).status).toBe(404);
  });
});

describe("GET /agents/{name}/runs", () => {
  it("lists the agent's runs newest first, with the runs without a task", async () => {
    const res = await srv.request("/api/v1/agents/backend-developer/runs", { token: viewer.token });
    expect(res.status).toBe(200);
    const { items } = await json(res);
    expect(items).toHaveLength(2);
    const wake = items.find((r: { id: string }) => r.id === wakeRun);
    expect(wake).toMatchObject({ taskId: null, trigger: "wake", agent: "backend-developer", status: "succeeded" });
    expect(wake.usage.costUsd).toBeCloseTo(0.25, 9);
    expect(wake.sessionId).toBe(`ses-${wakeRun}`);
    expect(items[0].taskId).toBe(stepTask);
  });

  it("lets an agent list its own runs only", async () => {
    expect((await srv.request("/api/v1/agents/backend-developer/runs?limit=1", { token: backendToken })).status).toBe(200);
    expect((await srv.request("/api/v1/agents/backend-developer/runs", { token: frontendToken })).status).toBe(403);
    expect((await srv.request("/api/v1/agents/no-such-agent/runs", { cookie: viewer.cookie })).status).toBe(404);
  });
});

describe("the task's usage", () => {
  it("puts the tokens of the messages sent during a step on that step, in the task's round", async () => {
    const task = await json(await srv.request(`/api/v1/tasks/${stepTask}`, { token: viewer.token }));
    expect(task.usage.costUsd).toBeCloseTo(0.5, 9);
    const step1 = task.usage.byStep.find((s: { position: number }) => s.position === 1);
    expect(step1).toMatchObject({ round: 1, position: 1, inputTokens: 1000 });
    expect(step1.costUsd).toBeCloseTo(0.5, 9);
  });
});
