// Starting the API (test/crash/server-entry.ts) as a child process on a database: an SQLite file or
// a PostgreSQL database (a postgres:// URL).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

const cacheDir = path.join(process.cwd(), "node_modules", ".cache", "agentdesk");

/**
 * A test entry (a .ts file under test/crash) bundled with esbuild (tsx's own dependency) into
 * node_modules/.cache/agentdesk: starting it then costs one module load instead of tsx compiling
 * the whole import graph again, which matters when the API restarts 15 times. Returns the node
 * arguments to run it; falls back to tsx when esbuild is not there.
 */
export async function bundleEntry(name: string): Promise<string[]> {
  const source = path.join(process.cwd(), "test", "crash", `${name}.ts`);
  const bundled = path.join(cacheDir, `crash-${name}.mjs`);
  try {
    const esbuild = (await import("esbuild")) as typeof import("esbuild");
    // Several test files may build at once: each writes its own file, then renames it into place.
    const tmp = `${bundled}.${process.pid}.${Date.now()}.tmp.mjs`;
    await esbuild.build({
      entryPoints: [source],
      outfile: tmp,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      alias: { "@": process.cwd() },
      logLevel: "error",
    });
    fs.renameSync(tmp, bundled);
    return [bundled];
  } catch {
    return ["--import", "tsx", source];
  }
}

/** The API entry (test/crash/server-entry.ts), bundled. */
export const prepareEntry = () => bundleEntry("server-entry");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ApiChild {
  proc: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything it printed (capped), for failure reports. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Whether a database location is a PostgreSQL URL (else it is an SQLite file). */
export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export interface StartOptions {
  /** The SQLite file (DATABASE_PATH), or a postgres:// URL (DATABASE_URL). */
  file: string;
  port?: number;
  args: string[];
  env?: Record<string, string>;
  /** Resolve as soon as the process is spawned, without waiting for it to listen. */
  noWait?: boolean;
  timeoutMs?: number;
}

export function startApi(o: StartOptions): Promise<ApiChild> {
  const proc = spawn(process.execPath, o.args, {
    cwd: process.cwd(),
    env: {
      ...process.env,
      // Never both: a DATABASE_URL left in the caller's environment would take the child to PostgreSQL.
      ...(isPostgresUrl(o.file) ? { DATABASE_URL: o.file, DATABASE_PATH: "" } : { DATABASE_PATH: o.file, DATABASE_URL: "" }),
      PORT: String(o.port ?? 0),
      LOG_LEVEL: "warn",
      AGENTDESK_AGENT_RATE_LIMIT: "1000000",
      NODE_ENV: "production",
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 20_000) out = out.slice(-20_000);
  };
  proc.stderr!.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  const child = (port: number): ApiChild => ({ proc, port, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited });
  if (o.noWait) {
    proc.stdout!.on("data", keep);
    return Promise.resolve(child(o.port ?? 0));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`API did not start within ${o.timeoutMs ?? 30_000} ms:\n${out}`));
    }, o.timeoutMs ?? 30_000);
    let buf = "";
    proc.stdout!.on("data", (d: Buffer) => {
      keep(d);
      buf += d.toString();
      const m = /\{"listening":(\d+)\}/.exec(buf);
      if (m) {
        clearTimeout(timer);
        buf = "";
        resolve(child(Number(m[1])));
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`API exited before listening (code ${code}, signal ${signal}):\n${out}`));
    });
  });
}

export function removeDb(file: string): void {
  for (const s of ["", "-wal", "-shm", "-journal", ".server.pid"]) fs.rmSync(file + s, { force: true });
}
