import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createInstruction, createTask, getTask, listInbox, reassignTask } from "@/lib/services";
import { getRunLog, listRuns, runRow, type RunDto } from "@/lib/services/runs";
import { json, startTestServer, type TestPerson, type TestServer } from "@/test/server";
import { createLogger } from "@/lib/log";
import { runnerConfigFrom, type RunnerConfigFile } from "./config";
import { startRunSupervisor, type RunSupervisor } from "./supervisor";

// Real server (createApiApp on a real SQLite file), real child processes: test/agents/fake-agent.ts
// speaking MCP with the run's token.

const fakeAgent = path.join(process.cwd(), "test/agents/fake-agent.ts");
const fake = (...args: string[]) => ({ preset: "command" as const, command: [process.execPath, "--import", "tsx", fakeAgent, ...args] });

let s: TestServer;
let sup: RunSupervisor;
let admin: TestPerson;
let tmp: string;
let config: RunnerConfigFile = {};
/** The supervisor's own log lines, as written (raw JSON text: a duplicated key shows here, not after parsing). */
const logLines: string[] = [];

/** Top-level keys of a JSON object line, in order and with repeats (JSON.parse keeps only the last). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      let j = i + 1;
      while (line[j] !== '"') j += line[j] === "\\" ? 2 : 1;
      if (depth === 1 && line[j + 1] === ":") keys.push(JSON.parse(line.slice(i, j + 1)));
      i = j;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  return keys;
}

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-runs-test-"));
  const log = createLogger({ level: "info", destination: { write: (line: string) => void logLines.push(line) } });
  sup = startRunSupervisor({ db: s.db, url: s.baseUrl, config: { load: () => runnerConfigFrom(config) }, flushMs: 50, pollMs: 200, tmpDir: tmp, log });
});
afterAll(async () => {
  await sup?.shutdown("tests are over");
  await s?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  config = {};
});

let instructionId = "";
function newTask(agent: string, title = "Build the orders endpoint") {
  const ctx = s.ctx(admin.actor);
  instructionId ||= createInstruction(ctx, { title: "Runs", body: "Exercise the run supervisor", tier: 1 }).id;
  return createTask(ctx, { instructionId, title, assignedAgent: agent, acceptanceCriteria: ["Works"], filesToCreate: ["src/orders.ts"] });
}

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runsOf = (taskId: string): RunDto[] => listRuns(s.ctx(admin.actor), { taskId }).items;
const ended = (r: RunDto | undefined) => !!r && r.status !== "queued" && r.status !== "running";
const logText = (runId: string) =>
  getRunLog(s.ctx(admin.actor), runId, { limit: 2000 })
    .items.map((l) => l.text)
    .join("\n");

async function runNow(taskId: string): Promise<RunDto> {
  const res = await s.request(`/api/v1/tasks/${taskId}/runs`, { method: "POST", token: admin.token, body: {} });
  expect(res.status, await res.clone().text()).toBe(201);
  return json<RunDto>(res);
}

/** The run's token, read from the MCP config file the supervisor wrote for it (0600, removed at the end). */
function tokenOf(runId: string): string {
  const dir = fs.readdirSync(tmp).find((d) => d.startsWith(`agentdesk-${runId}-`));
  if (!dir) throw new Error(`no run folder for ${runId}`);
  const cfg = JSON.parse(fs.readFileSync(path.join(tmp, dir, "mcp.json"), "utf8"));
  expect(fs.statSync(path.join(tmp, dir, "mcp.json")).mode & 0o077).toBe(0);
  return String(cfg.mcpServers.agentdesk.headers.Authorization).replace(/^Bearer /, "");
}

describe("run supervisor", () => {
  test("assigning a task to an agent with autoStart runs it: steps walked with notes, output in review, token revoked", { timeout: 60_000 }, async () => {
    config = { agents: { "backend-developer": { ...fake(), autoStart: true } } };
    const task = newTask("backend-developer");
    const run = await until("the run to be queued", () => runsOf(task.id)[0]);
    expect(run).toMatchObject({ agent: "backend-developer", trigger: "auto", preset: "command" });
    const done = await until("the run to end", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null));
    expect(done, logText(done.id)).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(done.startedAt && done.endedAt).toBeTruthy();

    const detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.steps.every((st) => st.status === "done" && st.note?.includes("fake agent"))).toBe(true);
    expect(detail.outputs).toHaveLength(1);

    const log = logText(done.id);
    expect(log).toContain("claimed");
    expect(log).toContain("step 1: Understand requirements");
    expect(log).toContain("exit code 0");
    // the prompt file and MCP config (with the token) are gone
    expect(fs.readdirSync(tmp).filter((d) => d.includes(done.id))).toEqual([]);
    const tokenRow = s.db.$client.prepare("SELECT label, revoked_at FROM api_tokens WHERE id = ?").get(runRow({ db: s.db }, done.id)!.tokenId) as {
      label: string;
      revoked_at: number | null;
    };
    expect(tokenRow.label).toBe(`run:${done.id}`);
    expect(tokenRow.revoked_at).not.toBeNull();

    // reassigning to an agent with autoStart queues a run for it too
    config = { agents: { "frontend-developer": { ...fake("--mode=hang"), autoStart: true } } };
    const other = newTask("security-specialist", "Reassigned work");
    reassignTask(s.ctx(admin.actor), { taskId: other.id, agent: "frontend-developer" });
    const r2 = await until("a run after reassignment", () => runsOf(other.id)[0]);
    expect(r2.agent).toBe("frontend-developer");
    await until("it to run", () => runsOf(other.id)[0].status === "running");
    const cancelled = await s.request(`/api/v1/runs/${r2.id}/cancel`, { method: "POST", token: admin.token });
    expect(cancelled.status).toBe(200);
    await until("it to stop", () => ended(runsOf(other.id)[0]));
  });

  test("cancel kills the process group, marks the run cancelled, blocks the task; the run's token then gets 401", { timeout: 60_000 }, async () => {
    config = { agents: { "frontend-developer": fake("--mode=hang") } };
    const task = newTask("frontend-developer", "Hang until cancelled");
    const run = await runNow(task.id);
    expect(run.status).toBe("queued");
    await until("the agent to hang", () => logText(run.id).includes("hanging now"));
    const token = tokenOf(run.id);
    // while the run goes, its token works
    expect((await s.request(`/api/v1/tasks/${task.id}`, { token })).status).toBe(200);

    const res = await s.request(`/api/v1/runs/${run.id}/cancel`, { method: "POST", token: admin.token, body: { reason: "enough" } });
    expect(res.status).toBe(200);
    expect((await json(res)).cancelRequested).toBe(true);
    const done = await until("the run to be cancelled", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null), 15_000);
    expect(done).toMatchObject({ status: "cancelled", exitCode: null, signal: "SIGTERM" });
    // the person's reason is kept, on the run and on the task (#15)
    expect(done.reason).toBe(`Cancelled by ${admin.actor.email}: enough`);

    const after = getTask(s.ctx(admin.actor), task.id);
    expect(after.status).toBe("blocked");
    expect(after.blockedReason).toContain(`Cancelled by ${admin.actor.email}: enough.`);
    expect(after.steps[0].status).toBe("done");
    // a person cancelled it: no escalation for them to read
    expect(listInbox(s.ctx(admin.actor), { inbox: "hitl" }).items.filter((m) => m.taskId === task.id)).toHaveLength(0);

    const refused = await s.request(`/api/v1/tasks/${task.id}`, { token });
    expect(refused.status).toBe(401);
    expect(logText(run.id)).toContain("killed by SIGTERM");
    expect(logText(run.id)).toContain("cancelled (enough): stopped");
  });

  test("a program that ignores SIGTERM is killed after the grace period", { timeout: 60_000 }, async () => {
    config = { killGraceMs: 500, agents: { "frontend-developer": fake("--mode=hang", "--ignore-term") } };
    const task = newTask("frontend-developer", "Ignore SIGTERM");
    const run = await runNow(task.id);
    await until("the agent to hang", () => logText(run.id).includes("hanging now"));
    await s.request(`/api/v1/runs/${run.id}/cancel`, { method: "POST", token: admin.token });
    const done = await until("the run to end", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null), 15_000);
    expect(done).toMatchObject({ status: "cancelled", signal: "SIGKILL" });
    expect(logText(run.id)).toContain("got SIGTERM, ignoring it");
  });

  test("a crashing agent blocks its task with the exit code and its last output, and escalates to the people", { timeout: 60_000 }, async () => {
    config = { agents: { "security-specialist": fake("--mode=crash") } };
    const task = newTask("security-specialist", "Crash on step 2");
    const run = await runNow(task.id);
    const done = await until("the run to end", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null));
    expect(done, logText(run.id)).toMatchObject({ status: "failed", exitCode: 3 });

    const after = getTask(s.ctx(admin.actor), task.id);
    expect(after.status).toBe("blocked");
    expect(after.blockedReason).toContain("Exited with code 3");
    expect(after.blockedReason).toContain("boom");
    expect(after.blockedReason).toContain("step 2 done");
    expect(after.steps.slice(0, 2).map((st) => st.status)).toEqual(["done", "done"]);

    const inbox = listInbox(s.ctx(admin.actor), { inbox: "hitl" }).items.filter((m) => m.taskId === task.id);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ type: "escalation", priority: "high", from: { kind: "system" } });
    expect(inbox[0].body).toContain("boom");

    // Its log lines: one pid (the server's), the child's as childPid; no key twice on any line (#15)
    const mine = logLines.filter((l) => l.includes(run.id));
    const started = mine.map((l) => JSON.parse(l)).find((l) => l.msg === "run started");
    expect(started).toMatchObject({ pid: process.pid, childPid: expect.any(Number), runId: run.id });
    expect(started.childPid).not.toBe(process.pid);
    expect(mine.map((l) => JSON.parse(l).msg)).toEqual(expect.arrayContaining(["run started", "run ended"]));
    for (const line of logLines) {
      const keys = topLevelKeys(line.trim());
      expect(
        keys.filter((k, i) => keys.indexOf(k) !== i),
        line,
      ).toEqual([]);
    }

    // Retry: a new run linked to the failed one; the task goes back to pending for the agent to claim
    config = { agents: { "security-specialist": fake() } };
    const retry = await s.request(`/api/v1/runs/${run.id}/retry`, { method: "POST", token: admin.token });
    expect(retry.status).toBe(201);
    const second = await json<RunDto>(retry);
    expect(second).toMatchObject({ retryOf: run.id, trigger: "retry" });
    const ok = await until("the retry to end", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null));
    expect(ok, logText(second.id)).toMatchObject({ id: second.id, status: "succeeded" });
    expect(logText(second.id)).toContain("(already done)");
    expect(getTask(s.ctx(admin.actor), task.id).status).toBe("in_review");
  });

  test("concurrency 1: three tasks, one runs, two wait with their queue position, all finish in order", { timeout: 90_000 }, async () => {
    config = { maxConcurrentRuns: 4, agents: { "frontend-developer": { ...fake("--step-ms=20"), concurrency: 1 } } };
    const tasks = [newTask("frontend-developer", "First"), newTask("frontend-developer", "Second"), newTask("frontend-developer", "Third")];
    for (const t of tasks) await runNow(t.id);
    const first = await until("the first run to start", () => runsOf(tasks[0].id)[0].status === "running");
    expect(first).toBe(true);
    const [r1, r2, r3] = tasks.map((t) => runsOf(t.id)[0]);
    expect(r1.status).toBe("running");
    expect([r2.status, r3.status]).toEqual(["queued", "queued"]);
    expect([r2.queuePosition, r3.queuePosition]).toEqual([1, 2]);

    const list = await json(await s.request(`/api/v1/tasks/${tasks[2].id}/runs`, { token: admin.token }));
    expect(list.items[0]).toMatchObject({ status: "queued", queuePosition: 2 });
    expect(list.runner).toMatchObject({ configured: true, preset: "command", concurrency: 1 });

    // never more than one running at a time
    let maxRunning = 0;
    await until(
      "all three to end",
      () => {
        const now = tasks.map((t) => runsOf(t.id)[0]);
        maxRunning = Math.max(maxRunning, now.filter((r) => r.status === "running").length);
        return now.every(ended);
      },
      80_000,
    );
    expect(maxRunning).toBe(1);
    const finished = tasks.map((t) => runsOf(t.id)[0]);
    expect(finished.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    for (let i = 1; i < 3; i++) expect(Date.parse(finished[i].startedAt!)).toBeGreaterThanOrEqual(Date.parse(finished[i - 1].endedAt!));
  });

  test("a run past its timeout is killed, marked timed out, and its task blocked", { timeout: 60_000 }, async () => {
    config = { agents: { "backend-developer": { ...fake("--mode=hang"), timeoutMs: 4000 } } };
    const task = newTask("backend-developer", "Too slow");
    const run = await runNow(task.id);
    const done = await until("the timeout", () => (ended(runsOf(task.id)[0]) ? runsOf(task.id)[0] : null), 30_000);
    expect(done, logText(run.id)).toMatchObject({ status: "timed_out", signal: "SIGTERM" });
    expect(done.reason).toContain("Timed out after 4 s");
    const after = getTask(s.ctx(admin.actor), task.id);
    expect(after.status).toBe("blocked");
    expect(after.blockedReason).toContain("Timed out");
    expect(listInbox(s.ctx(admin.actor), { inbox: "hitl" }).items.some((m) => m.taskId === task.id && m.type === "escalation")).toBe(true);
  });

  test("no runner configured: Run now is refused with the reason; the log endpoint pages and searches", { timeout: 30_000 }, async () => {
    const task = newTask("backend-developer", "Nobody to run it");
    const list = await json(await s.request(`/api/v1/tasks/${task.id}/runs`, { token: admin.token }));
    expect(list.runner.configured).toBe(false);
    expect(list.runner.reason).toMatch(/No runner is configured for backend-developer/);
    const res = await s.request(`/api/v1/tasks/${task.id}/runs`, { method: "POST", token: admin.token });
    expect(res.status).toBe(409);
    expect((await json(res)).detail).toMatch(/No runner is configured/);
    const viewer = s.person("viewer");
    expect((await s.request(`/api/v1/tasks/${task.id}/runs`, { method: "POST", token: viewer.token })).status).toBe(403);

    // paging and search over an earlier run's log
    const anyRun = s.db.$client.prepare("SELECT id, log_lines AS n FROM runs WHERE status = 'succeeded' ORDER BY created_at LIMIT 1").get() as { id: string; n: number };
    const tail = await json(await s.request(`/api/v1/runs/${anyRun.id}/log?limit=3`, { token: admin.token }));
    expect(tail.items).toHaveLength(3);
    expect(tail.items[2].seq).toBe(anyRun.n);
    expect(tail.hasEarlier).toBe(true);
    const follow = await json(await s.request(`/api/v1/runs/${anyRun.id}/log?after=${anyRun.n - 2}`, { token: admin.token }));
    expect(follow.items.map((l: { seq: number }) => l.seq)).toEqual([anyRun.n - 1, anyRun.n]);
    const found = await json(await s.request(`/api/v1/runs/${anyRun.id}/log?q=STEP%203`, { token: admin.token }));
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((l: { text: string }) => /step 3/i.test(l.text))).toBe(true);
    const agentTok = s.agentToken("frontend-developer").token;
    expect((await s.request(`/api/v1/runs/${anyRun.id}/log`, { token: agentTok })).status).toBe(404);
  });
});
