// Helpers for the bridge's tests: real files in a temp folder, real SQLite (test/db.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { vi } from "vitest";
import { count } from "drizzle-orm";
import type { Db } from "@/db/client";
import { events } from "@/db/schema";
import { registerBridgeCommands, type BridgeCommandDeps } from "@/cli/commands/bridge";

/** The protocol's example tree, beside the repository (CI runs with shared/ next to it). */
export const EXAMPLES = path.resolve(process.cwd(), "../shared/protocol/examples/Agent_Memory");

export function tempDir(prefix = "agentdesk-bridge-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A copy of the examples to change freely. */
export function copyExamples(): string {
  const dir = path.join(tempDir(), "Agent_Memory");
  fs.cpSync(EXAMPLES, dir, { recursive: true });
  return dir;
}

export function writeFile(root: string, rel: string, text: string): string {
  const abs = path.join(root, ...rel.split("/"));
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, text);
  return abs;
}

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p).split(path.sep).join("/"));
    }
  };
  walk(root);
  return out.sort();
}

export const eventCount = (db: Db): number => db.select({ n: count() }).from(events).get()!.n;

export async function waitFor<T>(fn: () => T | null | undefined | false, timeoutMs = 2000, what = "condition"): Promise<T> {
  const start = Date.now();
  for (;;) {
    let v: T | null | undefined | false = null;
    try {
      v = fn();
    } catch {
      v = null;
    }
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `agentdesk <argv>` with the bridge commands on these deps: what it wrote to stdout and stderr, and the exit code. */
export async function runBridgeCli(deps: BridgeCommandDeps, argv: string[]) {
  const program = new Command("agentdesk").option("--json").exitOverride();
  registerBridgeCommands(program, deps);
  const stdout: string[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (stdout.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
  try {
    await program.parseAsync(argv, { from: "user" });
  } finally {
    vi.restoreAllMocks();
  }
  return { stdout: stdout.join(""), stderr: stderr.join(""), code: process.exitCode };
}
