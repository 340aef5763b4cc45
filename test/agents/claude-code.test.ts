import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createInstruction, createTask, getTask, listInbox, requestOutputChanges } from "@/lib/services";
import { runPromptContext } from "@/lib/services/runs";
import { buildTaskPrompt } from "@/lib/runners/prompt";
import { mcpConfigJson } from "@/lib/runners/presets";
import { startTestServer, type TestPerson, type TestServer } from "@/test/server";
import { startAnthropicStub, type AnthropicStub, type MessagesRequest, type Policy } from "./anthropic-stub";
import { createClaudePolicy, latestPromptIndex, readPrompt, toolCallsSince } from "./claude-policy";

// The real Claude Code CLI (node_modules/.bin/claude, a devDependency) against a scripted stand-in of
// the Anthropic Messages API on loopback (anthropic-stub.ts, driven by claude-policy.ts) and the real
// AgentDesk MCP endpoint of an in-process test server. No model, no network beyond 127.0.0.1.

const CLAUDE = path.resolve("node_modules/.bin/claude");

let s: TestServer;
let stub: AnthropicStub;
let admin: TestPerson;
/** The policy the stub asks; each test sets its own. */
let policy: Policy = createClaudePolicy();
let home = "";
let cwd = "";
let tmp = "";
let instructionId = "";

interface ClaudeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout's JSON lines (stream-json); lines that are not JSON are left out. */
  lines: Record<string, unknown>[];
  ms: number;
  /** The Messages API requests made during this run. */
  requests: MessagesRequest[];
}

/** An MCP config file (Claude Code's mcpServers format, as the claude-code preset writes it) for `agent`. */
function mcpConfigFor(agent: string): string {
  const file = path.join(tmp, `mcp-${agent}.json`);
  fs.writeFileSync(file, mcpConfigJson(s.baseUrl, s.agentToken(agent, "claude-code test").token), { mode: 0o600 });
  return file;
}

/** Runs `claude -p <prompt> … --output-format stream-json --verbose` with the throwaway HOME and cwd. */
function runClaude(prompt: string, opts: { agent?: string; extra?: string[]; timeoutMs?: number } = {}): Promise<ClaudeRun> {
  const agent = opts.agent ?? "backend-developer";
  const args = [
    "-p",
    prompt,
    "--append-system-prompt",
    `You are the AgentDesk agent ${agent}.`,
    "--mcp-config",
    mcpConfigFor(agent),
    "--allowedTools",
    "mcp__agentdesk__*",
    "--output-format",
    "stream-json",
    "--verbose",
    ...(opts.extra ?? []),
  ];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    ANTHROPIC_BASE_URL: stub.url,
    ANTHROPIC_API_KEY: "sk-ant-test-dummy",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  };
  const before = stub.requests.length;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(CLAUDE, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const timer = setTimeout(() => p.kill("SIGKILL"), opts.timeoutMs ?? 40_000);
    p.on("error", reject);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      const lines: Record<string, unknown>[] = [];
      for (const l of stdout.split("\n")) {
        if (!l.trim()) continue;
        try {
          lines.push(JSON.parse(l) as Record<string, unknown>);
        } catch {
          /* not a JSON line */
        }
      }
      const requests = stub.requests
        .slice(before)
        .filter((r) => r.method === "POST" && r.path.startsWith("/v1/messages") && !r.path.includes("count_tokens"))
        .map((r) => r.body as MessagesRequest);
      if (process.env.CLAUDE_TEST_KEEP) {
        fs.mkdirSync(process.env.CLAUDE_TEST_KEEP, { recursive: true });
        const n = fs.readdirSync(process.env.CLAUDE_TEST_KEEP).length;
        fs.writeFileSync(path.join(process.env.CLAUDE_TEST_KEEP, `run${n}.json`), JSON.stringify({ args: args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)), code, signal, stdout, stderr }, null, 1));
      }
      resolve({ code, signal, stdout, stderr, lines, ms: Date.now() - started, requests });
    });
  });
}

const ofType = (run: ClaudeRun, type: string, subtype?: string) => run.lines.filter((l) => l.type === type && (subtype === undefined || l.subtype === subtype));
/** The MCP tools the model called in a run, short names, in order. */
const toolsCalled = (run: ClaudeRun) =>
  ofType(run, "assistant").flatMap((l) =>
    ((l.message as { content: { type: string; name?: string }[] }).content ?? []).filter((b) => b.type === "tool_use").map((b) => String(b.name).replace(/^mcp__agentdesk__/, "")),
  );
const explain = (run: ClaudeRun) => `exit ${run.code} in ${run.ms} ms\nstderr: ${run.stderr.slice(0, 2000)}\nstdout tail: ${run.stdout.slice(-3000)}`;

function newTask(agent: string, title: string) {
  const ctx = s.ctx(admin.actor);
  instructionId ||= createInstruction(ctx, { title: "Orders API", body: "Add an orders endpoint to the shop backend.", tier: 2 }).id;
  return createTask(ctx, { instructionId, title, assignedAgent: agent, acceptanceCriteria: ["Validates input", "Returns 201 with the order"], filesToCreate: ["src/orders.ts"] });
}
const taskPrompt = (taskId: string, runId = "run_claude_test") => buildTaskPrompt(runPromptContext({ db: s.db }, taskId), { runId });

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  stub = await startAnthropicStub((body) => policy(body));
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-claude-test-"));
  home = path.join(tmp, "home");
  cwd = path.join(tmp, "work");
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
});
afterAll(async () => {
  await stub?.close();
  await s?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the policy reads the prompt markers", () => {
  test("task id, wake, round, messages to answer, steps and files", () => {
    const p = readPrompt(
      [
        "Wake: changes_requested",
        "Round: 3",
        "- Task id: `tsk_01abc` (pass it as taskId to every tool)",
        "",
        "## Files",
        "",
        "- create `src/orders.ts`",
        "- modify `src/app.ts`",
        "",
        "## Your steps (Response Approach)",
        "",
        "1. **Understand requirements**",
        "2. **Implement** — currently done: “ok”",
        "",
        "Answer these messages:",
        "- `msg_01aaa` from frontend-developer: Which shape?",
        "- msg_01bbb (consultation)",
        "",
        "msg_01ccc is not in the list",
      ].join("\n"),
    );
    expect(p).toMatchObject({ taskId: "tsk_01abc", wake: "changes_requested", round: 3, revision: true, inboxOnly: false, stepCount: 2, messageIds: ["msg_01aaa", "msg_01bbb"] });
    expect(p.files).toEqual([
      { path: "src/orders.ts", action: "created" },
      { path: "src/app.ts", action: "modified" },
    ]);
    expect(readPrompt("Answer these messages:\nmsg_01x\n").inboxOnly).toBe(true);
    expect(readPrompt("Wake: messages\n- Task id: `tsk_1`").inboxOnly).toBe(true);
  });
});

describe("the policy is stateless: it decides from the conversation only", () => {
  const tools = ["claim_task", "get_task", "update_step", "submit_output", "complete_task", "block_task", "send_message", "reply_to_message", "mark_read", "read_inbox"].map((n) => ({
    name: `mcp__agentdesk__${n}`,
    input_schema: { type: "object" },
  }));
  const turn = (name: string, input: unknown, result: unknown, id: string): MessagesRequest["messages"] => [
    { role: "assistant", content: [{ type: "tool_use", id, name: `mcp__agentdesk__${name}`, input }] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: JSON.stringify(result) }] },
  ];
  test("woken after its consultation was answered, it walks on from step 4 instead of asking again", async () => {
    const p = createClaudePolicy({ consult: { to: "frontend-developer", atStep: 4 } });
    const steps = [1, 2, 3, 4, 5].map((position) => ({ position, title: `S${position}`, status: position < 4 ? "done" : "pending" }));
    const messages: MessagesRequest["messages"] = [
      { role: "user", content: "# Task T1\nWake: consultation_answered\n- Task id: `tsk_1`\n" },
      ...turn("claim_task", { taskId: "tsk_1" }, { id: "tsk_1", lease: { token: 7 } }, "t1"),
      ...turn("get_task", { taskId: "tsk_1" }, { id: "tsk_1", lease: { token: 7 }, steps, messages: [{ id: "msg_1", type: "consultation", from: { kind: "agent", name: "backend-developer" }, stepPosition: 4 }] }, "t2"),
    ];
    const next = await p({ messages, tools });
    expect(next.content.at(-1)).toMatchObject({ type: "tool_use", name: "mcp__agentdesk__update_step", input: { taskId: "tsk_1", position: 4, status: "in_progress", leaseToken: 7 } });
    const after = await p({ messages: [...messages, ...turn("update_step", { position: 4, status: "in_progress" }, {}, "t3")], tools });
    expect(after.content.at(-1)).toMatchObject({ name: "mcp__agentdesk__update_step", input: { position: 4, status: "done" } });
  });
});

describe("the real Claude Code CLI against the Anthropic stub and the AgentDesk MCP endpoint", () => {
  let taskId = "";
  let sessionId = "";
  let firstRun: ClaudeRun;

  test("a task prompt: ToolSearch, claim, every step in progress then done, an output, complete: the task is in review", { timeout: 60_000 }, async () => {
    policy = createClaudePolicy();
    const task = newTask("backend-developer", "Build POST /orders");
    taskId = task.id;
    const run = await runClaude(taskPrompt(task.id));
    firstRun = run;
    expect(run.code, explain(run)).toBe(0);

    const init = ofType(run, "system", "init")[0] as { session_id: string; mcp_servers: { name: string; status: string }[]; claude_code_version: string };
    expect(init, explain(run)).toBeTruthy();
    expect(init.claude_code_version).toBe("2.1.332");
    expect(init.mcp_servers).toContainEqual(expect.objectContaining({ name: "agentdesk", status: "connected" }));
    sessionId = init.session_id;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // The model's moves, as Claude Code reports them on stdout.
    const steps = getTask(s.ctx(admin.actor), task.id).steps;
    const calls = toolsCalled(run);
    expect(calls.slice(0, 3)).toEqual(["ToolSearch", "claim_task", "get_task"]);
    expect(calls.filter((c) => c === "update_step")).toHaveLength(steps.length * 2);
    expect(calls.slice(-2)).toEqual(["submit_output", "complete_task"]);
    // Every tool result came back without an error.
    const results = ofType(run, "user").flatMap((l) => ((l.message as { content: { type: string; is_error?: boolean; content?: unknown }[] }).content ?? []).filter((b) => b.type === "tool_result"));
    expect(results.filter((r) => r.is_error).map((r) => JSON.stringify(r.content).slice(0, 300))).toEqual([]);

    const result = ofType(run, "result")[0] as { subtype: string; is_error: boolean; session_id: string; num_turns: number; total_cost_usd: number; usage: { input_tokens: number; output_tokens: number }; result: string };
    expect(result).toMatchObject({ subtype: "success", is_error: false, session_id: sessionId });
    expect(result.result).toContain(`task ${task.id} walked its ${steps.length} steps`);
    expect(result.usage.input_tokens).toBeGreaterThan(0);
    expect(result.usage.output_tokens).toBeGreaterThan(0);
    expect(result.total_cost_usd).toBeGreaterThan(0);
    expect(result.num_turns).toBe(calls.length + 1);

    // What AgentDesk holds now.
    const detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("in_review");
    expect(detail.steps.length).toBeGreaterThan(0);
    for (const st of detail.steps) expect(st, `step ${st.position}`).toMatchObject({ status: "done", note: expect.stringContaining("backend-developer finished") });
    expect(detail.outputs).toHaveLength(1);
    expect(detail.outputs[0]).toMatchObject({ version: 1, format: "markdown", files: [{ path: "src/orders.ts", action: "created" }] });

    // The stub's side: only streamed POST /v1/messages?beta=true; the first offers the AgentDesk tools by name only.
    expect(run.requests.length).toBe(calls.length + 1);
    expect(run.requests.every((b) => b.stream === true)).toBe(true);
    expect(stub.requests.filter((r) => r.path !== "/v1/messages?beta=true").map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const first = run.requests[0];
    expect((first.tools ?? []).some((t) => t.name.startsWith("mcp__agentdesk__"))).toBe(false);
    expect(JSON.stringify(first.messages)).toContain("mcp__agentdesk__claim_task");
    const later = run.requests[1].tools?.find((t) => t.name === "mcp__agentdesk__claim_task");
    expect(later).toMatchObject({ defer_loading: true, input_schema: { type: "object" } });

    // The session is kept under HOME, by project (the cwd with every / and . as -).
    const project = path.join(home, ".claude", "projects", fs.realpathSync(cwd).replace(/[^A-Za-z0-9]/g, "-"));
    expect(fs.readdirSync(project)).toContain(`${sessionId}.jsonl`);
  });

  test("--resume <session id> with a new prompt (changes requested): the same session goes on, with the earlier conversation resent, and walks the new round", { timeout: 60_000 }, async () => {
    expect(sessionId, "needs the first test").not.toBe("");
    const ctx = s.ctx(admin.actor);
    const v1 = getTask(ctx, taskId).outputs[0];
    requestOutputChanges(ctx, { outputId: v1.id, comment: "Validate the quantity too, and skip the security review: not needed here." });
    const reopened = getTask(ctx, taskId) as ReturnType<typeof getTask> & { round?: number };
    const round = reopened.round ?? 2;
    policy = createClaudePolicy({ revision: { skip: [8] } });
    const prompt = [`Wake: changes_requested`, `Round: ${round}`, "", taskPrompt(taskId, "run_claude_test_2")].join("\n");
    const run = await runClaude(prompt, { extra: ["--resume", sessionId] });
    expect(run.code, explain(run)).toBe(0);

    const init = ofType(run, "system", "init")[0] as { session_id: string };
    expect(init.session_id, "the resumed stream's session id").toBe(sessionId);
    const result = ofType(run, "result")[0] as { session_id: string; total_cost_usd: number; usage: { input_tokens: number }; model_usage_since_last_result: Record<string, { costUSD: number; inputTokens: number }> };
    expect(result.session_id).toBe(sessionId);
    // Measured: on a resumed session total_cost_usd (and modelUsage) add up the whole session, this
    // run and the earlier ones; usage and model_usage_since_last_result are this run's only.
    const earlierCost = (ofType(firstRun, "result")[0] as { total_cost_usd: number }).total_cost_usd;
    const thisRun = Object.values(result.model_usage_since_last_result);
    expect(result.total_cost_usd).toBeCloseTo(earlierCost + thisRun.reduce((n, m) => n + m.costUSD, 0), 6);
    expect(thisRun.reduce((n, m) => n + m.inputTokens, 0)).toBe(result.usage.input_tokens);

    // The first request carries the whole first conversation, then the new prompt.
    const firstBody = run.requests[0];
    const at = latestPromptIndex(firstBody.messages);
    const earlier = toolCallsSince(firstBody.messages.slice(0, at), 0);
    expect(earlier.map((c) => c.name)).toEqual(toolsCalled(firstRun));
    expect(JSON.stringify(firstBody.messages[at])).toContain("Wake: changes_requested");

    const detail = getTask(ctx, taskId);
    expect(detail.status).toBe("in_review");
    expect(detail.outputs.map((o) => o.version).sort()).toEqual([1, 2]);
    const calls = toolsCalled(run);
    expect(calls[0], `tools called after resume: ${calls.join(", ")}`).toBe("claim_task"); // the schemas loaded before the resume stay loaded
    // Steps: with rounds (steps start again from pending) they are walked again, step 8 skipped;
    // without, they stay done from round 1.
    const skipped = detail.steps.filter((st) => st.status === "skipped").map((st) => st.position);
    if (calls.filter((c) => c === "update_step").length) expect(skipped).toEqual([8]);
    expect(detail.steps.every((st) => st.status === "done" || st.status === "skipped")).toBe(true);
  });

  test("--resume with a session id that does not exist: exit 1, the error on stderr and as an error result on stdout, no request to the API", { timeout: 30_000 }, async () => {
    const unknown = randomUUID();
    const run = await runClaude("Hello again", { extra: ["--resume", unknown] });
    expect(run.requests).toEqual([]);
    expect(run.code, explain(run)).toBe(1);
    const message = `No conversation found with session ID: ${unknown}`;
    expect(run.stderr).toBe(`${message}\n`);
    // stdout: no init line, only one result line, an error carrying the unknown id as its session id.
    expect(run.lines.map((l) => `${l.type}:${l.subtype}`)).toEqual(["result:error_during_execution"]);
    expect(run.lines[0]).toMatchObject({ is_error: true, num_turns: 0, session_id: unknown, total_cost_usd: 0, errors: [message] });
  });

  test("a consultation at step 4 blocks the task; an inbox round of the other agent answers it", { timeout: 60_000 }, async () => {
    policy = createClaudePolicy({ consult: { to: "frontend-developer", atStep: 4, subject: "Order payload shape" } });
    const task = newTask("backend-developer", "Build GET /orders");
    const run = await runClaude(taskPrompt(task.id));
    expect(run.code, explain(run)).toBe(0);
    let detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.status).toBe("blocked");
    expect(detail.steps.slice(0, 3).every((st) => st.status === "done")).toBe(true);
    // Step 4 was reported in progress; blocking the task may release it (back to pending).
    expect(["in_progress", "pending"]).toContain(detail.steps[3].status);
    expect(toolsCalled(run).slice(-4)).toEqual(["update_step", "update_step", "send_message", "block_task"]);
    const question = detail.messages.find((m) => m.type === "consultation");
    expect(question).toMatchObject({ from: { name: "backend-developer" }, to: "frontend-developer", subject: "Order payload shape", stepPosition: 4 });

    // followUp: after answering, ask back (two agents scripted so answer each other forever: the loop-guard building block).
    policy = createClaudePolicy({ agent: "frontend-developer", inbox: { followUp: { to: "backend-developer", subject: "And the response shape?" } } });
    const inboxPrompt = ["You are the AgentDesk agent `frontend-developer`.", "Wake: messages", "", "Answer these messages:", `- \`${question!.id}\` from backend-developer: Order payload shape`, ""].join("\n");
    const answer = await runClaude(inboxPrompt, { agent: "frontend-developer" });
    expect(answer.code, explain(answer)).toBe(0);
    expect(toolsCalled(answer)).toEqual(["ToolSearch", "reply_to_message", "send_message", "mark_read"]);
    const inbox = listInbox(s.ctx(admin.actor), { inbox: "backend-developer" });
    expect(inbox.items.find((m) => m.inReplyTo === question!.id)).toMatchObject({ from: { name: "frontend-developer" }, type: "consultation_response" });
    expect(inbox.items.find((m) => m.type === "consultation")).toMatchObject({ from: { name: "frontend-developer" }, subject: "And the response shape?", body: expect.stringContaining(question!.id) });
    detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail.messages.find((m) => m.id === question!.id)?.answeredAt).toBeTruthy();
  });

  test("an escalation: the agent tells the people and blocks the task", { timeout: 60_000 }, async () => {
    policy = createClaudePolicy({ escalate: { atStep: 2, reason: "The orders table has no owner column: which user does an order belong to?" } });
    const task = newTask("backend-developer", "Build DELETE /orders/:id");
    const run = await runClaude(taskPrompt(task.id));
    expect(run.code, explain(run)).toBe(0);
    const detail = getTask(s.ctx(admin.actor), task.id);
    expect(detail).toMatchObject({ status: "blocked", blockerType: "unclear_requirement", blockedReason: expect.stringContaining("no owner column") });
    expect(detail.messages.find((m) => m.type === "escalation")).toMatchObject({ to: "hitl", stepPosition: 2 });
  });
});
