import { spawn } from "node:child_process";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "..");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI as a child process (node --import tsx cli/main.ts, or bin/agentdesk.mjs with
 * `viaBin`), with a bare environment plus `env`, `input` on its stdin (closed at once without).
 */
export function runCli(args: string[], env: Record<string, string>, opts: { input?: string; viaBin?: boolean } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const entry = opts.viaBin ? [path.join(repoRoot, "bin", "agentdesk.mjs")] : ["--import", "tsx", path.join(repoRoot, "cli", "main.ts")];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: repoRoot,
      env: { NODE_ENV: "test", LOG_LEVEL: "warn", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => (stdout += d));
    child.stderr?.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin?.end(opts.input);
  });
}
