import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { execSync } from "node:child_process";

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Everything the process printed (last 64 kB), for error messages. */
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a TypeScript entry point under tsx (or, with plainNode, a JavaScript one) in its own process and resolves once a line matching
 * `ready` appears on stdout or stderr (or rejects after timeoutMs, with what it printed).
 */
export function startTs(
  entry: string,
  args: string[],
  opts: { env?: Record<string, string>; ready: RegExp; timeoutMs?: number; nodeArgs?: string[]; stdoutFile?: string; cwd?: string; plainNode?: boolean },
): Promise<Child> {
  // A server's stdout (a JSON log line per request) goes to a file when asked: through a pipe that
  // this busy process drains late, the server's synchronous log writes would block and the figures
  // would measure the pipe.
  const out = opts.stdoutFile ? fs.openSync(opts.stdoutFile, "w") : "pipe";
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), ...(opts.plainNode ? [] : ["--import", "tsx"]), entry, ...args], {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ["ignore", out, "pipe"],
  });
  if (typeof out === "number") fs.closeSync(out);
  let printed = "";
  const keep = (d: Buffer) => {
    printed += d.toString();
    if (printed.length > 65_536) printed = printed.slice(-65_536);
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      proc.kill("SIGKILL");
      reject(new Error(`${entry} did not start in time:\n${printed.slice(-4000)}`));
    }, opts.timeoutMs ?? 120_000);
    const check = (d: Buffer) => {
      keep(d);
      if (!done && opts.ready.test(printed)) {
        done = true;
        clearTimeout(timer);
        resolve({
          proc,
          pid: proc.pid!,
          output: () => printed,
          stop: () => stopChild(proc),
        });
      }
    };
    proc.stdout?.on("data", check);
    proc.stderr!.on("data", check);
    proc.on("exit", (code) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready:\n${printed.slice(-4000)}`));
    });
  });
}

export function stopChild(proc: ChildProcess, graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill("SIGKILL"), graceMs);
    proc.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill("SIGTERM");
  });
}

/** Resident set size of a process, in MiB (from /proc; null where there is no /proc). */
export function rssMiB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a process has used so far, in ms (from /proc; null where there is none). */
export function cpuMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces, hence the last ')'): utime is the 14th, stime the 15th.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return null;
  }
}

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond =
        Number(
          execSync("getconf CLK_TCK", { stdio: ["ignore", "pipe", "ignore"] })
            .toString()
            .trim(),
        ) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function machine() {
  const load = os.loadavg();
  let chromium: string | null = null;
  try {
    chromium = execSync("/usr/bin/chromium --version", { stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    chromium = null;
  }
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
    loadAtStart: load.map((x) => Math.round(x * 100) / 100),
    chromium,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time of a process and all its descendants (a node:cluster primary and its workers), in ms. */
export function cpuMsTree(pid: number): number | null {
  const own = cpuMs(pid);
  if (own === null) return null;
  let total = own;
  for (const child of childPids(pid)) total += cpuMsTree(child) ?? 0;
  return total;
}

/** Resident set size of a process and its descendants, in MiB. */
export function rssMiBTree(pid: number): number | null {
  const own = rssMiB(pid);
  if (own === null) return null;
  return childPids(pid).reduce((sum, c) => sum + (rssMiBTree(c) ?? 0), own);
}

function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
