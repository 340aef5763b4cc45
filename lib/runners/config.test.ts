import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { makeTestDb, people } from "@/test/db";
import { claimTask, completeTask, createInstruction, createTask, submitOutput, updateStep } from "@/lib/services";
import { runPromptContext } from "@/lib/services/runs";
import { MCP_TOOL_NAMES } from "@/lib/http/mcp/tools";
import { globalSettings, loadRunnerConfig, resolveRunner, runnerConfigFrom } from "./config";
import { buildLaunch, childEnvironment, mcpConfigJson, previewCommand } from "./presets";
import { buildTaskPrompt, MAX_PROMPT_CHARS } from "./prompt";
import { cleanLine, LineSplitter, type OutputLine } from "./output";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-runner-config-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("runner config", () => {
  test("the config file wins over the definition's runner; defaults apply under both", () => {
    const cfg = runnerConfigFrom(
      { defaults: { timeoutMs: 60_000, env: { A: "1" } }, agents: { be: { preset: "claude-code", args: ["--model", "sonnet"], autoStart: true } } },
      { file: path.join(tmp, "agentdesk.config.json") },
    );
    const fromFile = resolveRunner(cfg, "be", { command: ["ignored"] });
    expect(fromFile).toMatchObject({ ok: true, runner: { source: "config", preset: "claude-code", command: ["claude"], timeoutMs: 60_000, autoStart: true, concurrency: 1, cwd: tmp } });
    const fromDef = resolveRunner(cfg, "fe", { command: ["node", "agent.js"], auto_start: true, timeout_ms: 5000, cwd: "work" });
    expect(fromDef).toMatchObject({ ok: true, runner: { source: "definition", preset: "command", command: ["node", "agent.js"], autoStart: true, timeoutMs: 5000, env: { A: "1" } } });
    if (fromDef.ok) expect(fromDef.runner.cwd).toBe(path.resolve(process.cwd(), "work"));
  });

  test("nothing is launched that nobody configured, and every refusal says why", () => {
    const empty = runnerConfigFrom({});
    expect(resolveRunner(empty, "be", undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/No runner is configured for be/) });
    const off = runnerConfigFrom({ definitionRunners: false, agents: { fe: { enabled: false } } });
    expect(resolveRunner(off, "be", { command: ["x"] })).toMatchObject({ ok: false, reason: expect.stringMatching(/turns definition runners off/) });
    expect(resolveRunner(off, "fe", { command: ["x"] })).toMatchObject({ ok: false, reason: expect.stringMatching(/switched off/) });
    expect(resolveRunner(empty, "be", { command: "node agent.js" })).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid: command/) });
    expect(resolveRunner(empty, "be", { preset: "command" })).toMatchObject({ ok: false, reason: expect.stringMatching(/names no command/) });
    const bad = runnerConfigFrom({ agents: { be: { command: ["x"], concurrency: 0 } } });
    expect(resolveRunner(bad, "be", undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid: agents\.be\.concurrency/) });
  });

  test("agentdesk.config.example.json is a valid config", () => {
    const cfg = loadRunnerConfig(path.join(process.cwd(), "agentdesk.config.example.json"));
    expect(cfg.error).toBeNull();
    expect(resolveRunner(cfg, "backend-developer", undefined)).toMatchObject({ ok: true, runner: { preset: "claude-code", autoStart: true } });
  });

  test("the file is read again when it changes; a missing file is an empty config", () => {
    const file = path.join(tmp, "c.json");
    expect(loadRunnerConfig(file)).toMatchObject({ error: null, value: {} });
    fs.writeFileSync(file, JSON.stringify({ maxConcurrentRuns: 3 }));
    expect(loadRunnerConfig(file).value.maxConcurrentRuns).toBe(3);
    fs.writeFileSync(file, "{ not json");
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(loadRunnerConfig(file).error).toMatch(/could not be read/);
  });
});

describe("presets", () => {
  const input = { runId: "run_1", taskId: "tsk_1", agent: "be", url: "http://localhost:3000", prompt: "Do it", systemPrompt: "You are be", promptFile: "/tmp/p.md", mcpConfigFile: "/tmp/m.json" };

  test("claude-code: -p <prompt>, the definition as system prompt, our MCP server only, the token never in argv", () => {
    const cfg = runnerConfigFrom({ agents: { be: { preset: "claude-code", args: ["--model", "sonnet"] } } });
    const r = resolveRunner(cfg, "be", undefined);
    if (!r.ok) throw new Error(r.reason);
    const spec = buildLaunch(r.runner, input);
    expect(spec.argv).toEqual([
      "claude",
      "-p",
      "Do it",
      "--append-system-prompt",
      "You are be",
      "--output-format",
      "stream-json",
      "--verbose",
      "--mcp-config",
      "/tmp/m.json",
      "--allowedTools",
      "mcp__agentdesk__*",
      "--model",
      "sonnet",
    ]);
    expect(spec.display).toContain("<prompt: 5 chars>");
    expect(spec.env).toMatchObject({ AGENTDESK_URL: input.url, AGENTDESK_TASK_ID: "tsk_1", AGENTDESK_RUN_ID: "run_1", AGENTDESK_PROMPT_FILE: "/tmp/p.md" });
    const env = childEnvironment({ PATH: "/bin", DATABASE_PATH: "/secret.db", AGENTDESK_TOKEN: "old" }, spec, "adk_new");
    expect(env).toMatchObject({ PATH: "/bin", AGENTDESK_TOKEN: "adk_new" });
    expect(env.DATABASE_PATH).toBeUndefined();
    expect(JSON.parse(mcpConfigJson(input.url, "adk_new"))).toEqual({
      mcpServers: { agentdesk: { type: "http", url: "http://localhost:3000/api/mcp", headers: { Authorization: "Bearer adk_new" } } },
    });
    expect(previewCommand(r.runner)).toEqual([
      "claude",
      "-p",
      "<prompt>",
      "--append-system-prompt",
      "<definition body>",
      "--output-format",
      "stream-json",
      "--verbose",
      "--mcp-config",
      "{mcpConfig}",
      "--allowedTools",
      "mcp__agentdesk__*",
      "--model",
      "sonnet",
    ]);
  });

  test("claude-code: a session to continue is resumed, the definition's model is passed unless the args name one, stream-json unless the args choose a format", () => {
    const plain = resolveRunner(runnerConfigFrom({ agents: { be: { preset: "claude-code" } } }), "be", undefined);
    if (!plain.ok) throw new Error(plain.reason);
    const spec = buildLaunch(plain.runner, { ...input, resumeSessionId: "5f0c9a3e-0000-4000-8000-000000000001", model: "sonnet" });
    const at = (flag: string) => spec.argv[spec.argv.indexOf(flag) + 1];
    expect(at("--resume")).toBe("5f0c9a3e-0000-4000-8000-000000000001");
    expect(at("--model")).toBe("sonnet");
    expect(at("--output-format")).toBe("stream-json");
    expect(spec.argv).toContain("--verbose");
    expect(spec.argv[2]).toBe("Do it"); // the prompt right after -p, never a flag in between

    const own = resolveRunner(runnerConfigFrom({ agents: { be: { preset: "claude-code", args: ["--model=opus", "--output-format", "json"] } } }), "be", undefined);
    if (!own.ok) throw new Error(own.reason);
    const mine = buildLaunch(own.runner, { ...input, model: "sonnet" });
    expect(mine.argv.filter((a) => a.startsWith("--model"))).toEqual(["--model=opus"]);
    expect(mine.argv.filter((a) => a === "--output-format")).toHaveLength(1);
    expect(mine.argv).not.toContain("--resume");
  });

  test("command: the previous run and the wake reach the program's environment", () => {
    const r = resolveRunner(runnerConfigFrom({ agents: { be: { command: ["agent"] } } }), "be", undefined);
    if (!r.ok) throw new Error(r.reason);
    const spec = buildLaunch(r.runner, { ...input, previousRunId: "run_0", wakeReason: "changes requested by rex@example.com on v1" });
    expect(spec.env).toMatchObject({ AGENTDESK_PREVIOUS_RUN_ID: "run_0", AGENTDESK_WAKE_REASON: "changes requested by rex@example.com on v1" });
    expect(buildLaunch(r.runner, input).env.AGENTDESK_PREVIOUS_RUN_ID).toBeUndefined();
  });

  test("autoResume follows autoStart unless set; the wakes' limits have defaults", () => {
    const cfg = runnerConfigFrom({
      wakes: { maxPerPairPerHour: 2 },
      agents: { a: { command: ["x"], autoStart: true }, b: { command: ["x"], autoStart: true, autoResume: false }, c: { command: ["x"], autoResume: true } },
    });
    const res = (n: string) => {
      const r = resolveRunner(cfg, n, undefined);
      if (!r.ok) throw new Error(r.reason);
      return r.runner.autoResume;
    };
    expect([res("a"), res("b"), res("c")]).toEqual([true, false, true]);
    expect(globalSettings(cfg).wakes).toEqual({ delayMs: 2000, perTaskPerHour: 6, perPairPerHour: 2 });
    expect(runnerConfigFrom({ wakes: { delayMs: -1 } }).error).toMatch(/wakes.delayMs/);
  });

  test("command: placeholders, prompt on stdin when asked", () => {
    const cfg = runnerConfigFrom({ agents: { be: { command: ["agent", "--task={taskId}", "--prompt-file", "{promptFile}", "{prompt}"], stdin: true } } });
    const r = resolveRunner(cfg, "be", undefined);
    if (!r.ok) throw new Error(r.reason);
    const spec = buildLaunch(r.runner, input);
    expect(spec.argv).toEqual(["agent", "--task=tsk_1", "--prompt-file", "/tmp/p.md", "Do it"]);
    expect(spec.display[4]).toBe("<prompt: 5 chars>");
    expect(spec.stdin).toBe("Do it");
  });
});

describe("output lines", () => {
  test("split across chunks, UTF-8 safe, ANSI and carriage-return redraws cleaned, long lines cut", () => {
    const got: OutputLine[] = [];
    const s = new LineSplitter("stdout", (l) => got.push(l), 10);
    const euro = Buffer.from("€");
    s.write(Buffer.concat([Buffer.from("a\x1b[31mred\x1b[0m\nhal"), euro.subarray(0, 1)]));
    s.write(Buffer.concat([euro.subarray(1), Buffer.from("f\n10%\r55%\r100%\n0123456789abcdef\ntail")]));
    s.end();
    expect(got.map((l) => l.text)).toEqual(["ared", "hal€f", "100%", "0123456789", "abcdef", "tail"]);
    expect(cleanLine("x\r")).toBe("x");
  });
});

describe("prompt", () => {
  test("carries the task, dependencies' outputs, the steps and the MCP tools to call", () => {
    const t = makeTestDb();
    try {
      const ctx = t.ctx(people.admin);
      const inst = createInstruction(ctx, { title: "Orders API", body: "Add an orders endpoint.", tier: 2 });
      const dep = createTask(ctx, { instructionId: inst.id, title: "Design the schema", assignedAgent: "backend-developer" });
      const be = t.ctx({ kind: "agent", name: "backend-developer" });
      claimTask(be, { taskId: dep.id });
      for (let i = 1; i <= 10; i++) updateStep(be, { taskId: dep.id, position: i, status: "done" });
      submitOutput(be, { taskId: dep.id, format: "markdown", content: "# Schema\n```sql\nCREATE TABLE orders (id)\n```\n" + "x".repeat(9000) });
      completeTask(be, { taskId: dep.id });
      const task = createTask(ctx, {
        instructionId: inst.id,
        title: "Build POST /orders",
        description: "Create the endpoint.",
        assignedAgent: "frontend-developer",
        dependsOn: [dep.id],
        acceptanceCriteria: ["Returns 201"],
        filesToCreate: ["src/orders.ts"],
      });
      const prompt = buildTaskPrompt(runPromptContext({ db: t.db }, task.id), { runId: "run_1" });
      for (const want of ["Build POST /orders", "Create the endpoint.", "1. Returns 201", "create `src/orders.ts`", "Add an orders endpoint.", "CREATE TABLE orders", "truncated", task.id]) {
        expect(prompt).toContain(want);
      }
      for (const tool of ["claim_task", "get_task", "update_step", "send_message", "submit_output", "complete_task", "block_task", "heartbeat", "read_inbox"]) {
        expect(MCP_TOOL_NAMES).toContain(tool);
        expect(prompt).toContain(`**${tool}**`);
      }
      // the dependency's fenced code cannot close our fence
      expect(prompt).toContain("````\n# Schema");
      expect(prompt.length).toBeLessThan(MAX_PROMPT_CHARS);
    } finally {
      t.cleanup();
    }
  });
});
