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
import { MAX_LOG_LINE_CHARS, runPromptContext } from "@/lib/services/runs";
import type { ResolvedRunner } from "./config";
import { LineSplitter, type OutputLine } from "./output";
import { buildLaunch, childEnvironment, mcpConfigJson, type LaunchSpec } from "./presets";
import { buildSystemPrompt, buildTaskPrompt } from "./prompt";

export interface PreparedRun {
  /** The run's private folder (removed when the run ends). */
  dir: string;
  promptFile: string;
  mcpConfigFile: string;
  prompt: string;
  spec: LaunchSpec;
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
  const context = runPromptContext(ctx, run.taskId);
  const prompt = buildTaskPrompt(context, { runId: run.id });
  const spec = buildLaunch(runner, {
    runId: run.id,
    taskId: run.taskId,
    agent: run.agentName,
    url,
    prompt,
    systemPrompt: runner.preset === "claude-code" ? buildSystemPrompt(context) : "",
    promptFile,
    mcpConfigFile,
  });
  return { dir, promptFile, mcpConfigFile, prompt, spec };
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
