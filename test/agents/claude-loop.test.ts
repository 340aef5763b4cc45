import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { approveOutput, createInstruction, createTask, getTask, listInbox, replyToMessage, requestOutputChanges, sendMessage } from "@/lib/services";
import { getRunLog, listAgentRuns, listRuns, runLogLines, type RunDto } from "@/lib/services/runs";
import { runnerConfigFrom, type RunnerConfigFile } from "@/lib/runners/config";
import { startRunSupervisor, type RunSupervisor } from "@/lib/runners/supervisor";
import { createLogger } from "@/lib/log";
import { startTestServer, type TestPerson, type TestServer } from "@/test/server";
import { startAnthropicStub, type AnthropicStub, type Policy } from "./anthropic-stub";
import { createClaudePolicy, latestPromptIndex, promptText, readPrompt, type ClaudePolicyOptions, type PromptInfo } from "./claude-policy";

// The loop around runs, end to end: the run supervisor launches the REAL Claude Code CLI
// (node_modules/.bin/claude, preset claude-code) against the scripted Anthropic stub and the real
// AgentDesk MCP endpoint of an in-process test server, and wakes agents again when a reviewer asks
// for changes, when somebody answers them, when a message asks them to act, and when a dependency
// completes; the loop guard stops two agents answering each other forever. No model, loopback only.
//
// One stub serves every agent: the dispatcher below reads "You are the AgentDesk agent `name`" in
// the latest prompt and asks the scripted policy (claude-policy.ts) for that agent, with options
// each case chooses (`choose`). All runs share one HOME (so sessions resume) and one cwd.

const CLAUDE = path.resolve("node_modules/.bin/claude");

let s: TestServer;
let sup: RunSupervisor;
let stub: AnthropicStub;
let admin: TestPerson;
let reviewer: TestPerson;
let tmp = "";
let instructionId = "";
let config: RunnerConfigFile = {};
const supervisorLog: string[] = [];

/** What the scripted model does, per agent and prompt: each case sets its own. */
let choose: (agent: string, prompt: PromptInfo) => ClaudePolicyOptions = () => ({});

const agentOf = (text: string) => /You are the AgentDesk agent `([^`]+)`/.exec(text)?.[1] ?? null;

/** The stub's policy: the agent named in the latest prompt, with the options the case chose. */
const dispatch: Policy = (body) => {
  const messages = body.messages ?? [];
  const at = latestPromptIndex(messages);
  const text = at >= 0 ? promptText(messages[at]) : "";
  const agent = agentOf(text) ?? "backend-developer";
  return createClaudePolicy({ agent, ...choose(agent, readPrompt(text)) })(body);
};

function runner(home: string, cwd: string) {
  return {
    preset: "claude-code" as const,
    command: [CLAUDE],
    cwd,
    env: {
      HOME: home,
      ANTHROPIC_BASE_URL: stub.url,
      ANTHROPIC_API_KEY: "sk-ant-test-dummy",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    },
    autoStart: true,
    timeoutMs: 120_000,
  };
}

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  reviewer = s.person("reviewer");
  stub = await startAnthropicStub((body) => dispatch(body));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-claude-loop-"));
  const home = path.join(tmp, "home");
  const cwd = path.join(tmp, "work");
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
  const r = runner(home, cwd);
  config = {
    maxConcurrentRuns: 2,
    killGraceMs: 2000,
    wakes: { delayMs: 200 },
    agents: { "backend-developer": r, "frontend-developer": r, "security-specialist": r },
  };
  const log = createLogger({ level: "info", destination: { write: (line: string) => void supervisorLog.push(line) } });
  sup = startRunSupervisor({ db: s.db, url: s.baseUrl, config: { load: () => runnerConfigFrom(config) }, flushMs: 50, pollMs: 200, tmpDir: path.join(tmp, "runs"), log });
});
afterAll(async () => {
  await sup?.shutdown("tests are over");
  await stub?.close();
  await s?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------- helpers

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sql = <T>(q: string, ...args: unknown[]) => s.db.$client.prepare(q).all(...args) as T[];

/** The state of runs and wakes, for a failure message. */
function diagnostics(): string {
  const runs = sql<Record<string, unknown>>("SELECT id, task_id, agent_name, status, trigger, reason, wake_reason FROM runs ORDER BY created_at");
  const wakes = sql<Record<string, unknown>>("SELECT agent_name, task_id, kind, status, reason FROM wakes ORDER BY created_at");
  return `runs: ${JSON.stringify(runs, null, 1)}\nwakes: ${JSON.stringify(wakes, null, 1)}\nsupervisor errors: ${supervisorLog.filter((l) => /"level":"(warn|error|fatal)"/.test(l)).join("\n")}`;
}

const runsOf = (taskId: string): RunDto[] => listRuns(s.ctx(admin.actor), { taskId }).items.slice().reverse(); // oldest first
const agentRuns = (agent: string): RunDto[] => listAgentRuns(s.ctx(admin.actor), { agent, limit: 100 }).items.slice().reverse();
const ended = (r: RunDto | undefined) => !!r && r.status !== "queued" && r.status !== "running";
const logText = (runId: string) =>
  getRunLog(s.ctx(admin.actor), runId, { limit: 5000 })
    .items.map((l) => `[${l.stream}] ${l.text}`)
    .join("\n");
const explain = (r: RunDto) => `${r.id} ${r.status}: ${r.reason}\n${logText(r.id).slice(-4000)}\n${diagnostics()}`;

/** The n-th run (1-based) of a task, once it has ended. */
async function endedRun(taskId: string, n: number, timeoutMs = 90_000): Promise<RunDto> {
  return until(`run ${n} of ${taskId} to end`, () => {
    const r = runsOf(taskId)[n - 1];
    return ended(r) ? r : null;
  }, timeoutMs);
}

/** Nothing queued or running, no wake waiting. */
async function quiet(timeoutMs = 90_000) {
  await until("no run and no wake pending", () => sql<{ n: number }>("SELECT (SELECT count(*) FROM runs WHERE status IN ('queued','running')) + (SELECT count(*) FROM wakes WHERE status = 'pending') AS n")[0].n === 0, timeoutMs);
}

/** stdout's JSON lines of a run (lines split at 4000 characters joined again). */
function streamJson(runId: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let buf = "";
  for (const l of runLogLines({ db: s.db }, runId)) {
    buf += l.text;
    try {
      out.push(JSON.parse(buf) as Record<string, unknown>);
      buf = "";
    } catch {
      if (l.text.length < 4000) buf = "";
    }
  }
  return out;
}

/** The prompt the run handed to claude (the latest prompt of the stub's requests that names the run). */
function promptOf(runId: string): string | null {
  for (const body of stub.messages()) {
    const at = latestPromptIndex(body.messages);
    if (at < 0) continue;
    const text = promptText(body.messages[at]);
    if (text.includes(`Run: \`${runId}\``)) return text;
  }
  return null;
}

function newTask(agent: string, title: string, extra: { authority?: "review_required" | "autonomous"; dependsOn?: string[] } = {}) {
  const ctx = s.ctx(admin.actor);
  instructionId ||= createInstruction(ctx, { title: "Orders service", body: "Add orders to the shop backend.", tier: 2 }).id;
  return createTask(ctx, { instructionId, title, assignedAgent: agent, acceptanceCriteria: ["Validates input", "Returns 201 with the order"], filesToCreate: ["src/orders.ts"], ...extra });
}

const taskRound = (taskId: string) => sql<{ round: number }>("SELECT round FROM tasks WHERE id = ?", taskId)[0].round;
type WakeRow = { id: string; agent_name: string; task_id: string | null; kind: string; status: string; reason: string; caused_by: string; from_agent: string | null; message_id: string | null; run_id: string | null; created_at: number };
const wakesOf = (taskId: string) => sql<WakeRow>("SELECT * FROM wakes WHERE task_id = ? ORDER BY created_at, id", taskId);
const sessionRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------- cases

describe("wakes with the real Claude Code CLI", () => {
  test("a. changes requested: the wake run resumes the same session, walks round 2, v2 is approved; tokens and cost per run and per step", { timeout: 180_000 }, async () => {
    choose = () => ({ revision: { skip: [8] } });
    const task = newTask("backend-developer", "Build POST /orders");
    const run1 = await endedRun(task.id, 1);
    expect(run1, explain(run1)).toMatchObject({ status: "succeeded", trigger: "auto", round: 1, resumeSessionId: null });
    expect(run1.sessionId).toMatch(sessionRe);
    let detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.steps).toHaveLength(10);
    expect(detail.steps.every((st) => st.status === "done")).toBe(true);

    // Tokens and cost of run 1, and their share per step.
    expect(run1.usage.inputTokens).toBeGreaterThan(0);
    expect(run1.usage.outputTokens).toBeGreaterThan(0);
    expect(run1.usage.costUsd ?? 0).toBeGreaterThan(0);
    const usage1 = sql<{ position: number; round: number; input_tokens: number; cost_usd: number }>("SELECT position, round, input_tokens, cost_usd FROM run_usage WHERE run_id = ?", run1.id);
    expect(usage1.filter((u) => u.position > 0).length, JSON.stringify(usage1)).toBeGreaterThanOrEqual(5);
    expect(usage1.every((u) => u.round === 1)).toBe(true);
    expect(usage1.reduce((a, u) => a + u.cost_usd, 0)).toBeCloseTo(run1.usage.costUsd!, 9);

    // The reviewer sends v1 back: round 2 opens and the agent is woken.
    const v1 = detail.outputs[0];
    requestOutputChanges(s.ctx(reviewer.actor), { outputId: v1.id, comment: "Validate the quantity too; the security review is not needed here." });
    expect(taskRound(task.id)).toBe(2);
    const archived = sql<{ position: number; status: string; note: string | null }>("SELECT position, status, note FROM task_step_rounds WHERE task_id = ? AND round = 1 ORDER BY position", task.id);
    expect(archived).toHaveLength(10);
    expect(archived.every((a) => a.status === "done" && a.note?.includes("backend-developer finished"))).toBe(true);

    const run2 = await endedRun(task.id, 2);
    expect(run2, explain(run2)).toMatchObject({ status: "succeeded", trigger: "wake", round: 2 });
    expect(run2.wakeReason).toContain(`changes requested by ${reviewer.actor.email}`);
    expect(run2.resumeSessionId).toBe(run1.sessionId);
    expect(run2.sessionId).toBe(run1.sessionId);
    expect(logText(run2.id)).not.toContain("could not be resumed");
    expect(runsOf(task.id)).toHaveLength(2);
    const wakes = wakesOf(task.id);
    expect(wakes).toEqual([expect.objectContaining({ agent_name: "backend-developer", kind: "changes_requested", status: "consumed", run_id: run2.id, caused_by: reviewer.actor.email })]);

    // The prompt said why, and the resumed conversation carried round 1 (the stub saw it).
    const prompt2 = promptOf(run2.id);
    expect(prompt2).toContain("- Wake: changes_requested");
    expect(prompt2).toContain("## Changes a reviewer requested");
    expect(prompt2).toContain("Validate the quantity too");
    const resumedBody = stub.messages().find((b) => promptText(b.messages[latestPromptIndex(b.messages)] ?? { role: "user", content: "" }).includes(`Run: \`${run2.id}\``));
    expect(JSON.stringify(resumedBody!.messages.slice(0, latestPromptIndex(resumedBody!.messages)))).toContain(`Run: \`${run1.id}\``);

    detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.outputs.map((o) => o.version).sort()).toEqual([1, 2]);
    expect(detail.steps.map((st) => st.status)).toEqual(["done", "done", "done", "done", "done", "done", "done", "skipped", "done", "done"]);
    expect(detail.steps[0].note).toContain("(revision)");

    // Cost: the run's own, not the session's running total.
    expect(run2.usage.inputTokens).toBeGreaterThan(0);
    expect(run2.usage.costUsd ?? 0).toBeGreaterThan(0);
    const result2 = streamJson(run2.id).find((l) => l.type === "result") as { total_cost_usd: number } | undefined;
    expect(result2, logText(run2.id).slice(-3000)).toBeTruthy();
    expect(result2!.total_cost_usd).toBeCloseTo(run1.usage.costUsd! + run2.usage.costUsd!, 6);
    expect(run2.usage.costUsd!).toBeLessThan(result2!.total_cost_usd);
    const usage2 = sql<{ position: number; round: number; cost_usd: number }>("SELECT position, round, cost_usd FROM run_usage WHERE run_id = ?", run2.id);
    expect(usage2.filter((u) => u.position > 0).length, JSON.stringify(usage2)).toBeGreaterThanOrEqual(5);
    expect(usage2.every((u) => u.round === 2)).toBe(true);
    expect(usage2.reduce((a, u) => a + u.cost_usd, 0)).toBeCloseTo(run2.usage.costUsd!, 9);

    // Approved: completed, and nobody is woken for it.
    approveOutput(s.ctx(reviewer.actor), { outputId: detail.outputs.find((o) => o.version === 2)!.id });
    expect(getTask(s.ctx(admin.actor), task.id).status).toBe("completed");
    await quiet();
    expect(runsOf(task.id)).toHaveLength(2);
  });

  test("b. an escalation answered in the inbox wakes the agent on its blocked task, which it finishes", { timeout: 180_000 }, async () => {
    const reason = "The orders table has no owner column: which user does an order belong to?";
    let taskId = "";
    choose = (agent, p) => (agent === "backend-developer" && p.taskId === taskId && p.wake !== "answer" ? { escalate: { atStep: 2, reason } } : {});
    const task = newTask("backend-developer", "Build DELETE /orders/:id");
    taskId = task.id;
    const run1 = await endedRun(task.id, 1);
    expect(run1, explain(run1)).toMatchObject({ status: "succeeded", trigger: "auto" });
    let detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail).toMatchObject({ status: "blocked", blockedReason: expect.stringContaining("no owner column") });
    const escalation = detail.messages.find((m) => m.type === "escalation" && m.from.name === "backend-developer");
    expect(escalation).toMatchObject({ to: "hitl", stepPosition: 2 });
    // Blocking by itself wakes nobody.
    await quiet();
    expect(runsOf(task.id)).toHaveLength(1);

    const answer = replyToMessage(s.ctx(reviewer.actor), { messageId: escalation!.id, body: "Orders belong to the user who placed them: add an owner_id column." });
    expect(answer).toMatchObject({ to: "backend-developer", inReplyTo: escalation!.id });
    const run2 = await endedRun(task.id, 2);
    expect(run2, explain(run2)).toMatchObject({ status: "succeeded", trigger: "wake", resumeSessionId: run1.sessionId, sessionId: run1.sessionId });
    expect(run2.wakeReason).toContain(`${reviewer.actor.email} answered`);
    expect(wakesOf(task.id)).toEqual([expect.objectContaining({ kind: "answer", status: "consumed", message_id: answer.id, run_id: run2.id, from_agent: null })]);
    const prompt2 = promptOf(run2.id)!;
    expect(prompt2).toContain("- Wake: answer");
    expect(prompt2).toContain(answer.id);
    expect(prompt2).toContain("add an owner_id column");

    detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.steps.every((st) => st.status === "done")).toBe(true);
    expect(detail.messages.filter((m) => m.type === "escalation" && m.from.name === "backend-developer")).toHaveLength(1);
    await quiet();
    expect(runsOf(task.id)).toHaveLength(2);
  });

  const consultation = { frontendRunId: "", backendRunId: "" };
  test("c. a consultation wakes the other agent without a task; its answer wakes the asker on its task, which it finishes", { timeout: 180_000 }, async () => {
    choose = (agent) => (agent === "backend-developer" ? { consult: { to: "frontend-developer", atStep: 4, subject: "Order payload shape" } } : {});
    const frontBefore = agentRuns("frontend-developer").length;
    const task = newTask("backend-developer", "Build GET /orders");
    const run1 = await endedRun(task.id, 1);
    expect(run1, explain(run1)).toMatchObject({ status: "succeeded", trigger: "auto" });
    consultation.backendRunId = run1.id;
    const question = await until("the consultation", () => getTask(s.ctx(admin.actor), task.id).messages.find((m) => m.type === "consultation"));
    expect(question).toMatchObject({ from: { name: "backend-developer" }, to: "frontend-developer", stepPosition: 4 });
    expect(getTask(s.ctx(admin.actor), task.id).status).toBe("blocked");

    // frontend-developer answers in a run without a task.
    const front = await until("frontend-developer's run to end", () => {
      const r = agentRuns("frontend-developer")[frontBefore];
      return ended(r) ? r : null;
    });
    consultation.frontendRunId = front.id;
    expect(front, explain(front)).toMatchObject({ status: "succeeded", trigger: "wake", taskId: null, resumeSessionId: null });
    expect(front.wakeReason).toContain("backend-developer sent a consultation: Order payload shape");
    const frontPrompt = promptOf(front.id)!;
    expect(frontPrompt).toContain("# Messages for frontend-developer");
    const list = frontPrompt.slice(frontPrompt.indexOf("## Answer these messages:"));
    expect(frontPrompt).toContain("## Answer these messages:");
    expect(list.split("\n\n")[1]).toContain(question!.id);
    const messageWake = sql<WakeRow>("SELECT * FROM wakes WHERE message_id = ?", question!.id);
    expect(messageWake).toEqual([expect.objectContaining({ agent_name: "frontend-developer", task_id: null, kind: "message", status: "consumed", from_agent: "backend-developer", run_id: front.id })]);

    const reply = listInbox(s.ctx(admin.actor), { inbox: "backend-developer" }).items.find((m) => m.inReplyTo === question!.id);
    expect(reply).toMatchObject({ from: { name: "frontend-developer" }, type: "consultation_response", body: expect.stringContaining("Answer from frontend-developer") });

    // The answer wakes backend-developer on its task: it walks on from step 4 and hands in.
    const run2 = await endedRun(task.id, 2);
    expect(run2, explain(run2)).toMatchObject({ status: "succeeded", trigger: "wake", resumeSessionId: run1.sessionId });
    expect(run2.wakeReason).toContain("frontend-developer answered");
    expect(wakesOf(task.id)).toEqual([expect.objectContaining({ kind: "answer", status: "consumed", from_agent: "frontend-developer", message_id: reply!.id, run_id: run2.id })]);
    const detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.steps.every((st) => st.status === "done")).toBe(true);
    expect(detail.messages.filter((m) => m.type === "consultation")).toHaveLength(1);
    await quiet();
    expect(runsOf(task.id)).toHaveLength(2);
    expect(agentRuns("frontend-developer")).toHaveLength(frontBefore + 1);
  });

  // PRODUCT BUG (fails on purpose): lib/services/runs/finish-run.ts returns early for a run without
  // a task (`if (!task) { emit(...); return ... }`) before the `if (run.tokenId)` block that revokes
  // the run's token, so the bearer token of every message-answering run stays valid after the run
  // ends (docs/runners.md: "the token is revoked (any later call gets 401)").
  test("c'. the token of a run without a task is revoked when the run ends (like a task run's)", () => {
    expect(consultation.frontendRunId, "needs case c").not.toBe("");
    const taskRun = sql<{ revoked_at: number | null }>("SELECT t.revoked_at FROM runs r JOIN api_tokens t ON t.id = r.token_id WHERE r.id = ?", consultation.backendRunId)[0];
    expect(taskRun.revoked_at).not.toBeNull();
    const row = sql<{ label: string; revoked_at: number | null }>("SELECT t.label, t.revoked_at FROM runs r JOIN api_tokens t ON t.id = r.token_id WHERE r.id = ?", consultation.frontendRunId)[0];
    expect(row.label).toBe(`run:${consultation.frontendRunId}`);
    expect(row.revoked_at, "finishRun returns before revoking the token of a run without a task").not.toBeNull();
  });

  test("d. a task waiting for another starts by itself when that one completes", { timeout: 180_000 }, async () => {
    choose = () => ({});
    const t1 = newTask("backend-developer", "Orders schema", { authority: "autonomous" });
    const t2 = newTask("backend-developer", "Orders API on the schema", { authority: "autonomous", dependsOn: [t1.id] });
    const run1 = await endedRun(t1.id, 1);
    expect(run1, explain(run1)).toMatchObject({ status: "succeeded", trigger: "auto" });
    expect(getTask(s.ctx(admin.actor), t1.id).status).toBe("completed");

    const run2 = await endedRun(t2.id, 1);
    expect(run2, explain(run2)).toMatchObject({ status: "succeeded", trigger: "wake", resumeSessionId: null });
    expect(run2.wakeReason).toContain(`its last unfinished dependency ${t1.ref} completed`);
    // It was not queued before its dependency was done.
    const t1Completed = sql<{ completed_at: number }>("SELECT completed_at FROM tasks WHERE id = ?", t1.id)[0].completed_at;
    expect(Date.parse(run2.createdAt)).toBeGreaterThanOrEqual(t1Completed);
    expect(sql<{ n: number }>("SELECT count(*) AS n FROM events WHERE verb = 'run.queued' AND task_id = ? AND id < (SELECT min(id) FROM events WHERE verb = 'task.completed' AND task_id = ?)", t2.id, t1.id)[0].n).toBe(0);
    expect(wakesOf(t2.id)).toEqual([expect.objectContaining({ kind: "dependency", status: "consumed", run_id: run2.id })]);
    expect(getTask(s.ctx(admin.actor), t2.id).status).toBe("completed");
    await quiet();
    expect(runsOf(t1.id)).toHaveLength(1);
    expect(runsOf(t2.id)).toHaveLength(1);
  });

  test("e. the loop guard: two agents that keep asking each other are stopped, the people are told, no run starts after", { timeout: 180_000 }, async () => {
    // frontend-developer and security-specialist: a pair no earlier case woke (the guard counts the last hour).
    config = { ...config, wakes: { delayMs: 200, maxPerPairPerHour: 2, maxPerTaskPerHour: 50 } };
    const other = (a: string) => (a === "frontend-developer" ? "security-specialist" : "frontend-developer");
    choose = (agent) => ({ inbox: { followUp: { to: other(agent), subject: `Another question from ${agent}` } } });
    const runsBefore = sql<{ n: number }>("SELECT count(*) AS n FROM runs")[0].n;
    const hitlBefore = listInbox(s.ctx(admin.actor), { inbox: "hitl" }).items.filter((m) => m.subject.startsWith("Loop guard:")).length;
    expect(hitlBefore).toBe(0);
    sendMessage(s.ctx(admin.actor), { to: "frontend-developer", type: "consultation", subject: "Which date format in the orders list?", body: "Tell security-specialist too." });

    const suppressed = await until(
      "a suppressed wake",
      () => sql<WakeRow>("SELECT * FROM wakes WHERE status = 'suppressed'")[0],
      150_000,
    );
    expect(suppressed).toMatchObject({ agent_name: "security-specialist", from_agent: "frontend-developer", task_id: null, kind: "message" });
    await quiet();
    const guard = listInbox(s.ctx(admin.actor), { inbox: "hitl" }).items.filter((m) => m.subject.startsWith("Loop guard:"));
    expect(guard).toHaveLength(1);
    expect(guard[0]).toMatchObject({ type: "escalation", subject: "Loop guard: security-specialist woken too often", body: expect.stringContaining("frontend-developer woke security-specialist 2 times in the last hour (limit 2)") });

    // Runs: frontend 3 (the person's question, then two of security's), security 2; all succeeded, none after the guard.
    const runs = sql<{ id: string; agent_name: string; status: string; task_id: string | null; created_at: number }>("SELECT id, agent_name, status, task_id, created_at FROM runs ORDER BY created_at").slice(runsBefore);
    expect(runs.map((r) => r.agent_name)).toEqual(["frontend-developer", "security-specialist", "frontend-developer", "security-specialist", "frontend-developer"]);
    expect(runs.every((r) => r.status === "succeeded" && r.task_id === null), JSON.stringify(runs)).toBe(true);
    expect(runs.every((r) => r.created_at < suppressed.created_at)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect(sql<{ n: number }>("SELECT count(*) AS n FROM runs")[0].n).toBe(runsBefore + 5);
    expect(sql<{ n: number }>("SELECT count(*) AS n FROM events WHERE verb = 'task.wake_suppressed'")[0].n).toBe(1);
    config = { ...config, wakes: { delayMs: 200 } };
  });

  test("f. a session that cannot be resumed: the wake run starts fresh, says so, and succeeds", { timeout: 180_000 }, async () => {
    choose = () => ({});
    const task = newTask("backend-developer", "Build PATCH /orders/:id");
    const run1 = await endedRun(task.id, 1);
    expect(run1, explain(run1)).toMatchObject({ status: "succeeded" });
    const bogus = randomUUID();
    s.db.$client.prepare("UPDATE runs SET session_id = ? WHERE id = ?").run(bogus, run1.id);

    const v1 = getTask(s.ctx(admin.actor), task.id).outputs[0];
    requestOutputChanges(s.ctx(reviewer.actor), { outputId: v1.id, comment: "Return 404 for an unknown order." });
    const run2 = await endedRun(task.id, 2);
    const log = logText(run2.id);
    expect(run2, explain(run2)).toMatchObject({ status: "succeeded", trigger: "wake", resumeSessionId: bogus, exitCode: 0 });
    expect(log).toContain(`session ${bogus} could not be resumed (exit code 1): starting a fresh session`);
    expect(log).toContain(`No conversation found with session ID: ${bogus}`);
    expect(run2.sessionId).toMatch(sessionRe);
    expect(run2.sessionId).not.toBe(bogus);
    expect(run2.sessionId).not.toBe(run1.sessionId);
    expect(run2.usage.costUsd ?? 0).toBeGreaterThan(0);
    const detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.outputs.map((o) => o.version).sort()).toEqual([1, 2]);
    expect(detail.steps.every((st) => st.status === "done")).toBe(true);
    await quiet();
    expect(runsOf(task.id)).toHaveLength(2);
  });

  test("the supervisor logged no error along the way", () => {
    const errors = supervisorLog.filter((l) => /"level":"(error|fatal)"/.test(l));
    expect(errors).toEqual([]);
    expect(supervisorLog.some((l) => l.includes('"msg":"agent woken"'))).toBe(true);
  });
});
