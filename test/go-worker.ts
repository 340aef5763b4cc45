import { spawn } from "node:child_process";

/**
 * A child process that opens its own connection, prints "ready", waits for "go" on stdin, does its
 * work and prints its result as JSON (test/claim-worker.ts, test/create-task-worker.ts): many of them
 * are started, all are awaited ready, then all told to go at once, so they contend for real.
 */
export function goWorker<T>(script: string, args: string[], empty: T) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.startsWith("ready\n")) markReady();
  });
  const done = new Promise<T>((resolve, reject) =>
    child.on("exit", (code) => {
      const json = out.slice("ready\n".length);
      if (code === 0) resolve(json ? (JSON.parse(json) as T) : empty);
      else reject(new Error(`${script} exited ${code}`));
    }),
  );
  return { ready, go: () => child.stdin.end("go\n"), done };
}
