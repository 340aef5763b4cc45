import "server-only";
// The steps of launching one run, each small enough to read on its own: a private folder, the prompt
// and command line, the files the program reads (prompt, MCP config with the run's token), the
// process in its own group, and its output cut into lines. The supervisor strings them together and
// owns what happens when a step fails (supervisor.ts, launch()).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RunRow } from "@/db/schema";
import type { ServiceContext } from "@/lib/services";
import { lastSessionOf, MAX_LOG_LINE_CHARS, previousRunOf, runAgent, runPromptContext, wakeMessages } from "@/lib/services/runs";
import { wakesOfRun } from "@/lib/services/wakes";
import type { ResolvedRunner } from "./config";
import { LineSplitter, type OutputLine } from "./output";
import { buildLaunch, childEnvironment, mcpConfigJson, type LaunchInput, type LaunchSpec } from "./presets";
import { buildMessagesPrompt, buildTaskPrompt, definitionPrompt } from "./prompt";

export interface PreparedRun {
  /** The run's private folder (removed when the run ends). */
  dir: string;
  promptFile: string;
  mcpConfigFile: string;
  prompt: string;
  spec: LaunchSpec;
  /** The same launch without --resume (when the session to continue cannot be resumed). */
  fresh: LaunchSpec | null;
  resumeSessionId: string | null;
}

/** A private folder for the run's prompt and MCP config, under `tmpDir` (default the OS temp dir). */
export function makeRunFolder(tmpDir: string | undefined, runId: string): string {
  const root = tmpDir ?? os.tmpdir();
  fs.mkdirSync(root, { recursive: true });
  return fs.mkdtempSync(path.join(root, `agentdesk-${runId}-`));
}

export function removeRunFolder(dir: string) {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** The prompt and the command line of a run, from the task as it is now. Writes nothing, starts nothing; throws when the task cannot be read. */
export function prepareLaunch(ctx: ServiceContext, run: RunRow, runner: ResolvedRunner, url: string, dir: string): PreparedRun {
  const promptFile = path.join(dir, "prompt.md");
  const mcpConfigFile = path.join(dir, "mcp.json");
  const wakes = wakesOfRun(ctx, run.id);
  const agent = runAgent(ctx, run.agentName);
  let prompt: string;
  let resume: { runId: string; sessionId: string } | null = null;
  if (run.taskId) {
    const context = runPromptContext(ctx, run.taskId);
    prompt = buildTaskPrompt(context, { runId: run.id, wakes });
    // The same task's earlier session goes on, so the agent keeps its context (claude-code only).
    if (runner.preset === "claude-code") resume = lastSessionOf(ctx, run.taskId, run.agentName, runner.preset);
  } else {
    prompt = buildMessagesPrompt({ agent: run.agentName, runId: run.id, wakes, messages: wakeMessages(ctx, wakes) });
  }
  const input: LaunchInput = {
    runId: run.id,
    taskId: run.taskId ?? "",
    agent: run.agentName,
    url,
    prompt,
    systemPrompt: runner.preset === "claude-code" ? definitionPrompt(agent?.body) : "",
    promptFile,
    mcpConfigFile,
    resumeSessionId: resume?.sessionId ?? null,
    previousRunId: previousRunOf(ctx, run),
    wakeReason: run.wakeReason,
    model: agent?.model && agent.model !== "inherit" ? agent.model : null,
  };
  const spec = buildLaunch(runner, input);
  // Should the session turn out not to be resumable, the run starts fresh with this instead.
  const fresh = resume ? buildLaunch(runner, { ...input, resumeSessionId: null }) : null;
  return { dir, promptFile, mcpConfigFile, prompt, spec, fresh, resumeSessionId: resume?.sessionId ?? null };
}

/** The prompt and the MCP config (which carries the run's token), readable by this user only. */
export function writeRunFiles(p: PreparedRun, url: string, token: string) {
  fs.writeFileSync(p.promptFile, p.prompt, { mode: 0o600 });
  fs.writeFileSync(p.mcpConfigFile, mcpConfigJson(url, token), { mode: 0o600 });
}

/** Starts the program in a process group of its own (so it can be stopped with everything it started). Throws when spawn does. */
export function spawnRunner(spec: LaunchSpec, token: string): ChildProcess {
  return spawn(spec.argv[0], spec.argv.slice(1), {
    cwd: spec.cwd,
    env: childEnvironment(process.env, spec, token) as NodeJS.ProcessEnv,
    detached: true,
    stdio: [spec.stdin !== null ? "pipe" : "ignore", "pipe", "pipe"],
    windowsHide: true,
  });
}

/** Cuts stdout and stderr into lines for `push`; the splitters are ended when the run is finalised. */
export function captureOutput(proc: ChildProcess, push: (line: OutputLine) => void): LineSplitter[] {
  const out = new LineSplitter("stdout", push, MAX_LOG_LINE_CHARS);
  const err = new LineSplitter("stderr", push, MAX_LOG_LINE_CHARS);
  proc.stdout?.on("data", (d: Buffer) => out.write(d));
  proc.stderr?.on("data", (d: Buffer) => err.write(d));
  return [out, err];
}

/** Hands the program its stdin (the prompt, for presets that read it) and closes it. */
export function feedStdin(proc: ChildProcess, stdin: string | null) {
  if (!proc.stdin) return;
  proc.stdin.on("error", () => {}); // the program may not read stdin at all
  proc.stdin.end(stdin ?? "");
}

/** Resolves once both output streams closed (everything the program wrote has been read). */
export function streamsClosed(proc: ChildProcess): Promise<unknown> {
  return Promise.all([proc.stdout, proc.stderr].map((s) => (s ? new Promise<void>((r) => (s.readableEnded || s.destroyed ? r() : s.once("close", () => r()))) : Promise.resolve())));
}
