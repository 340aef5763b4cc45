import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { createInstruction, createTask } from "@/lib/services";
import { json, type TestServer } from "@/test/server";
import { repoRoot } from "@/test/cli";
import { withTestServer } from "@/test/suite";
import { bundleHook } from "@/scripts/build-hook.mjs";

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
withTestServer((server) => {
  s = server;
  admin = s.person("admin");
});

const HOOK = path.join(repoRoot, "bin", "agentdesk-hook.mjs");
const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The built hook as Claude Code runs it: a child process, the event's JSON on stdin. */
function hook(event: string, input: unknown, env: Record<string, string>, entry: string[] = [HOOK]): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...entry, event], { env: { NODE_ENV: "test", PATH: process.env.PATH ?? "", HOME: env.HOME ?? os.tmpdir(), ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 }));
    child.stdin.end(typeof input === "string" ? input : JSON.stringify(input));
  });
}

/** A project folder as `agentdesk connect` leaves it (the record is all the hook reads), and the hook's environment for it. */
function connected(token: string, opts: { url?: string; stop?: "block" | "remind"; heartbeatSeconds?: number } = {}) {
  const dir = tmp("agentdesk-hook-project-");
  const state = tmp("agentdesk-hook-state-");
  fs.mkdirSync(path.join(dir, ".claude"));
  const record = { version: 1, url: opts.url ?? s.baseUrl, agent: "backend-developer", token, tokenId: null, stop: opts.stop ?? "block", heartbeatSeconds: opts.heartbeatSeconds ?? 30 };
  fs.writeFileSync(path.join(dir, ".claude", "agentdesk.json"), JSON.stringify(record));
  const log = path.join(state, "hook.log");
  // A deadline far above the real 1 s: these tests share a loaded machine with the server; the deadline has a test of its own.
  return { dir, log, env: { CLAUDE_PROJECT_DIR: dir, AGENTDESK_HOOK_STATE_DIR: state, AGENTDESK_HOOK_LOG: log, AGENTDESK_HOOK_TIMEOUT_MS: "10000" } };
}
const input = (event: string, extra: object = {}) => ({ session_id: "s1", transcript_path: "/tmp/t.jsonl", cwd: "/tmp", hook_event_name: event, ...extra });
const readLog = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");

/** A claimed task of backend-developer at step 2 (step 1 done), and an unread message for it. */
async function working() {
  const inst = createInstruction(s.ctx(admin.actor), { title: "Hook work", body: "", tier: 1, priority: "normal" });
  const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Build the orders endpoint", assignedAgent: "backend-developer" });
  const token = s.agentToken("backend-developer").token;
  expect((await s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } })).status).toBe(200);
  expect((await s.request(`/api/v1/tasks/${task.id}/steps/1`, { token, body: { status: "done", note: "read" } })).status).toBe(200);
  expect((await s.request(`/api/v1/tasks/${task.id}/steps/2`, { token, body: { status: "in_progress", note: "Looking at the schema" } })).status).toBe(200);
  const msg = await json(
    await s.request("/api/v1/messages", { token: admin.token, body: { to: "backend-developer", type: "consultation", subject: "Which fields?", body: "Do orders need a currency?" } }),
  );
  return { task, token, msg: msg as { id: string } };
}

const slow = { timeout: 60_000 };

describe("agentdesk hook", () => {
  test("the committed bundle is built from cli/hook/*.ts as it is now (node scripts/build-hook.mjs)", slow, async () => {
    expect(fs.readFileSync(HOOK, "utf8")).toBe(await bundleHook());
  });

  test("SessionStart tells the agent its task, the step under way and its unread messages; UserPromptSubmit notices new messages once", slow, async () => {
    const { task, token, msg } = await working();
    const c = connected(token);
    const start = await hook("SessionStart", input("SessionStart", { source: "startup" }), c.env);
    expect(start.code).toBe(0);
    const out = JSON.parse(start.stdout);
    expect(out.hookSpecificOutput.hookEventName).toBe("SessionStart");
    const ctx: string = out.hookSpecificOutput.additionalContext;
    expect(ctx).toContain(`Current task: ${task.ref} "Build the orders endpoint" (${task.id}), 1/10 steps finished.`);
    expect(ctx).toMatch(/Step in progress \(in progress\): 2\. /);
    expect(ctx).toContain("Its last note: Looking at the schema");
    expect(ctx).toContain(`Unread messages (1):\n- ${msg.id} from admin`);
    expect(ctx).toContain("Which fields? — Do orders need a currency?");

    const first = await hook("UserPromptSubmit", input("UserPromptSubmit", { prompt: "go on" }), c.env);
    expect(JSON.parse(first.stdout).hookSpecificOutput).toEqual({
      hookEventName: "UserPromptSubmit",
      additionalContext: expect.stringContaining(`1 new unread message in your inbox (1 unread in all):\n- ${msg.id}`),
    });
    const second = await hook("UserPromptSubmit", input("UserPromptSubmit", { prompt: "and?" }), c.env);
    expect(second).toMatchObject({ code: 0, stdout: "" });
    expect(readLog(c.log)).toBe("");
  });

  test("PostToolUse on a task with no step under way starts the next step itself (the agent forgot), then records the activity there", slow, async () => {
    const inst = createInstruction(s.ctx(admin.actor), { title: "Forgetful", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Forgot to report", assignedAgent: "backend-developer" });
    const token = s.agentToken("backend-developer").token;
    expect((await s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } })).status).toBe(200);
    const c = connected(token, { heartbeatSeconds: 0 });
    const r = await hook("PostToolUse", input("PostToolUse", { tool_name: "Bash", tool_input: { command: "npm test" }, tool_response: {} }), c.env);
    expect(r).toMatchObject({ code: 0, stdout: "" });
    const detail = (await json(await s.request(`/api/v1/tasks/${task.id}`, { token }))) as { steps: { position: number; status: string; note: string | null }[] };
    expect(detail.steps[0]).toMatchObject({ position: 1, status: "in_progress", note: expect.stringContaining("Started by the Claude Code hook") });
    expect(detail.steps.slice(1).every((x) => x.status === "pending")).toBe(true);
    const activity = s.db.$client.prepare("SELECT entity_id AS entityId, after FROM events WHERE verb = 'step.activity' AND task_id = ?").all(task.id) as { entityId: string; after: string }[];
    expect(activity.map((e) => ({ entityId: e.entityId, after: JSON.parse(e.after) }))).toMatchObject([{ entityId: `${task.id}#1`, after: { tool: "Bash", summary: "npm test" } }]);
    expect(readLog(c.log)).toBe("");
  });

  test("PostToolUse beats the lease at most once per interval; Stop blocks (once) while steps are open, or reminds", slow, async () => {
    const { task, token } = await working();
    const c = connected(token);
    const lease = async () => ((await json(await s.request(`/api/v1/tasks/${task.id}`, { token }))) as { lease: { lastHeartbeatAt: string } }).lease.lastHeartbeatAt;
    const before = await lease();
    await new Promise((r) => setTimeout(r, 5));
    const beat = await hook("PostToolUse", input("PostToolUse", { tool_name: "Edit", tool_input: { file_path: "/x.ts" }, tool_response: {} }), c.env);
    expect(beat).toMatchObject({ code: 0, stdout: "" });
    const after = await lease();
    expect(after > before).toBe(true);
    // The tool call is a line of activity on the step under way (step 2), shown on the task page.
    const activity = s.db.$client.prepare("SELECT entity_id AS entityId, after FROM events WHERE verb = 'step.activity' AND task_id = ?").all(task.id) as { entityId: string; after: string }[];
    expect(activity.map((e) => ({ entityId: e.entityId, after: JSON.parse(e.after) }))).toMatchObject([{ entityId: `${task.id}#2`, after: { tool: "Edit", summary: "/x.ts" } }]);
    const again = await hook("PostToolUse", input("PostToolUse", { tool_name: "Read" }), c.env);
    expect(again).toMatchObject({ code: 0, stdout: "" });
    expect(await lease()).toBe(after);

    const stop = await hook("Stop", input("Stop", { stop_hook_active: false }), c.env);
    const decision = JSON.parse(stop.stdout);
    expect(decision).toEqual({ decision: "block", reason: expect.stringContaining(`${task.ref} "Build the orders endpoint" (${task.id}) has 9 open steps (step 2 under way)`) });
    expect((await hook("Stop", input("Stop", { stop_hook_active: true }), c.env)).stdout).toBe("");
    const remind = await hook("Stop", input("Stop"), connected(token, { stop: "remind" }).env);
    expect(JSON.parse(remind.stdout)).toEqual({ systemMessage: decision.reason });
    expect(readLog(c.log)).toBe("");
  });

  test("never fails the session: down server, bad input, no answer, not connected, unknown event: exit 0, no output, a line in the log", slow, async () => {
    const token = s.agentToken("backend-developer").token;
    // A port nobody listens on, and a server that accepts and never answers.
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const sockets: net.Socket[] = [];
    const silent = net.createServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const down = connected(token, { url: `http://127.0.0.1:${closedPort}` });
      const hung = connected(token, { url: silentUrl });
      const good = connected(token);
      const nowhere = { ...good.env, CLAUDE_PROJECT_DIR: tmp("agentdesk-hook-none-") };
      const runs = await Promise.all([
        hook("SessionStart", input("SessionStart"), down.env),
        hook("Stop", input("Stop"), { ...hung.env, AGENTDESK_HOOK_TIMEOUT_MS: "1000" }),
        hook("SessionStart", "{not json", good.env),
        hook("SessionStart", "[1,2]", good.env),
        hook("UserPromptSubmit", input("UserPromptSubmit"), nowhere),
        hook("Notification", input("Notification"), good.env),
      ]);
      for (const r of runs) expect(r).toMatchObject({ code: 0, stdout: "", stderr: "" });
      expect(runs[1].ms).toBeLessThan(5000);
      expect(readLog(down.log)).toMatch(/^\S+Z SessionStart connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
      // The request's own timeout or the hook's deadline, whichever fires first: both at 1 s.
      expect(readLog(hung.log)).toMatch(/^\S+Z Stop no answer (within 1000 ms|from 127\.0\.0\.1:\d+)\n$/);
      // The four runs wrote to one log, in whatever order they finished.
      const lines = readLog(good.log)
        .trimEnd()
        .split("\n")
        .map((l) => l.replace(/^\S+Z /, ""))
        .sort();
      expect(lines).toEqual([
        'Notification unknown event "Notification" (one of SessionStart, PostToolUse, UserPromptSubmit, Stop)',
        "SessionStart stdin is not JSON: Expected property name or '}' in JSON at position 1",
        "SessionStart stdin is not a JSON object",
        "UserPromptSubmit not connected: no .claude/agentdesk.json in the project and no AGENTDESK_TOKEN",
      ]);
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  test("`agentdesk hook` through bin/agentdesk.mjs runs the same bundle, without tsx", slow, async () => {
    const { task, token } = await working();
    const c = connected(token);
    const r = await hook("SessionStart", input("SessionStart"), c.env, [path.join(repoRoot, "bin", "agentdesk.mjs"), "hook"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hookSpecificOutput.additionalContext).toContain("AgentDesk (");
    expect(r.stdout).toContain(task.id);
  });
});
