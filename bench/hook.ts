// `npx tsx bench/hook.ts [--runs N]`: how long Claude Code waits for `agentdesk hook` (bin/agentdesk-hook.mjs),
// against a bare `node -e ""` on the same machine at the same moment. Each case is a fresh process,
// as Claude Code starts one per hook; the cases take turns (round-robin), so a burst of load on the
// machine falls on all of them alike. The server is the real API on a real SQLite file (test/server.ts),
// in this process. Prints a table: median, p90, and the median over bare Node. Target: median < 150 ms.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInstruction, createTask } from "@/lib/services";
import { startTestServer } from "@/test/server";

const root = path.resolve(import.meta.dirname, "..");
const HOOK = path.join(root, "bin", "agentdesk-hook.mjs");

function time(args: string[], env: Record<string, string>, input: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env: { NODE_ENV: "production", PATH: process.env.PATH ?? "", HOME: os.tmpdir(), ...env }, stdio: ["pipe", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${args.join(" ")} exited ${code}`))));
    child.stdin.end(input);
  });
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export interface HookCase {
  name: string;
  medianMs: number;
  p90Ms: number;
  /** The median minus bare Node's: what the hook itself costs. */
  overBareMs: number | null;
}
export interface HookResults {
  runs: number;
  cpus: number;
  load: number[];
  targetMedianMs: number;
  cases: HookCase[];
}

/** The hook's cases against bare Node, `runs` rounds (the `hook` section of `npm run bench`). */
export async function runHookBench(opts: { runs: number; log?: (s: string) => void }): Promise<HookResults> {
  const RUNS = opts.runs;
  const s = await startTestServer();
  try {
    const admin = s.person("admin");
    const inst = createInstruction(s.ctx(admin.actor), { title: "Bench", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Hook bench", assignedAgent: "backend-developer" });
    const token = s.agentToken("backend-developer").token;
    await s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } });
    await s.request(`/api/v1/tasks/${task.id}/steps/1`, { token, body: { status: "in_progress" } });
    await s.request("/api/v1/messages", { token: admin.token, body: { to: "backend-developer", type: "consultation", body: "A question" } });

    const project = (heartbeatSeconds: number) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-hook-bench-"));
      fs.mkdirSync(path.join(dir, ".claude"));
      const record = { version: 1, url: s.baseUrl, agent: "backend-developer", token, tokenId: null, stop: "block", heartbeatSeconds };
      fs.writeFileSync(path.join(dir, ".claude", "agentdesk.json"), JSON.stringify(record));
      const state = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-hook-bench-state-"));
      return { CLAUDE_PROJECT_DIR: dir, AGENTDESK_HOOK_STATE_DIR: state };
    };
    const limited = project(3600);
    const beating = project(0);
    const event = (name: string) => JSON.stringify({ session_id: "bench", cwd: os.tmpdir(), hook_event_name: name, tool_name: "Edit" });
    // Prime the rate limit: from now on PostToolUse in `limited` answers without a request.
    await time([HOOK, "PostToolUse"], limited, event("PostToolUse"));

    const cases: { name: string; args: string[]; env: Record<string, string>; input: string }[] = [
      { name: 'node -e ""', args: ["-e", ""], env: {}, input: "" },
      { name: "PostToolUse, rate-limited (no request)", args: [HOOK, "PostToolUse"], env: limited, input: event("PostToolUse") },
      { name: "PostToolUse, heartbeat (2 requests)", args: [HOOK, "PostToolUse"], env: beating, input: event("PostToolUse") },
      { name: "UserPromptSubmit (1 request)", args: [HOOK, "UserPromptSubmit"], env: beating, input: event("UserPromptSubmit") },
      { name: "SessionStart (4 requests)", args: [HOOK, "SessionStart"], env: beating, input: event("SessionStart") },
      { name: "Stop (1 request)", args: [HOOK, "Stop"], env: beating, input: event("Stop") },
      { name: "bin/agentdesk.mjs hook PostToolUse, rate-limited", args: [path.join(root, "bin", "agentdesk.mjs"), "hook", "PostToolUse"], env: limited, input: event("PostToolUse") },
    ];
    const samples = cases.map(() => [] as number[]);
    for (let i = 0; i < RUNS; i++) {
      for (const [k, c] of cases.entries()) samples[k].push(await time(c.args, c.env, c.input));
    }
    const bare = quantile(samples[0], 0.5);
    const results: HookResults = {
      runs: RUNS,
      cpus: os.cpus().length,
      load: os.loadavg().map((l) => Math.round(l * 100) / 100),
      targetMedianMs: 150,
      cases: cases.map((c, k) => {
        const med = quantile(samples[k], 0.5);
        return { name: c.name, medianMs: Math.round(med), p90Ms: Math.round(quantile(samples[k], 0.9)), overBareMs: k === 0 ? null : Math.round(med - bare) };
      }),
    };
    const log = opts.log ?? console.log;
    log(`hook: ${RUNS} runs each, ${results.cpus} CPUs, load ${results.load.join(" ")}, node ${process.version}`);
    log(`${"case".padEnd(52)} ${"median".padStart(8)} ${"p90".padStart(8)} ${"- bare".padStart(8)}`);
    for (const c of results.cases) log(`${c.name.padEnd(52)} ${`${c.medianMs} ms`.padStart(8)} ${`${c.p90Ms} ms`.padStart(8)} ${c.overBareMs === null ? "" : `${c.overBareMs} ms`.padStart(8)}`);
    return results;
  } finally {
    await s.close();
  }
}

// Run directly: `npx tsx bench/hook.ts [--runs N]`.
if (process.argv[1] && path.resolve(process.argv[1]) === path.join(root, "bench", "hook.ts")) {
  const runsArg = process.argv.indexOf("--runs");
  await runHookBench({ runs: runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30 });
}
