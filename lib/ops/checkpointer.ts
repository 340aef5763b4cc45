import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";

// A WAL checkpoint copies committed pages into the database file and fsyncs both files. SQLite's
// automatic checkpoint runs inside the COMMIT of whichever write crosses 1,000 WAL pages, so one
// agent request in a few hundred waited for two fsyncs and every request queued behind it waited
// too: with a message send that was a p99 of 67 ms at 200 requests/s and half the write throughput
// (docs/benchmarks.md). The server hands checkpoints to this worker thread instead, on its own
// connection: a PASSIVE checkpoint never blocks readers or writers, and pages written many times
// between two checkpoints are copied once.

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const restart = db.prepare("PRAGMA wal_checkpoint(RESTART)");
let timer = null;
let stopped = false;
const tick = () => {
  if (stopped) return;
  try {
    let r = passive.get();
    // Under a steady stream of writes a passive checkpoint never catches the last frame, so the
    // WAL never starts over and grows (to 580 MB in ten minutes of load, every read slower for it).
    // Past restartFrames, the rest is copied with writers held off for that short remainder, and
    // the next write starts the WAL from the top.
    if (r && r.log >= workerData.restartFrames) r = restart.get();
    if (r && r.checkpointed > 0) parentPort.postMessage({ type: "checkpointed", frames: r.checkpointed, log: r.log });
  } catch (err) {
    parentPort.postMessage({ type: "error", message: String((err && err.message) || err) });
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
timer = setTimeout(tick, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  stopped = true;
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Frames copied into the database file so far (for tests and /api/ready-style diagnostics). */
  readonly framesCheckpointed: number;
  /** Stops the worker; the connection's automatic checkpoint is switched back on. */
  stop(): Promise<void>;
}

interface Connection {
  name: string;
  pragma(source: string): unknown;
}

/**
 * Takes WAL checkpoints off `client` (the server's one connection): its automatic checkpoint is
 * switched off and a worker thread checkpoints every `intervalMs`. The WAL file is kept under
 * `journalSizeLimit` bytes once checkpointed. If the worker fails, the automatic checkpoint comes
 * back on, so the WAL never grows without bound. Past `restartFrames` frames (16 MB) a checkpoint
 * restarts the WAL, briefly holding writers off.
 */
export function startCheckpointer(
  client: Connection,
  opts: { intervalMs?: number; log?: Logger; journalSizeLimit?: number; /** WAL frames (4 kB pages) past which a checkpoint also restarts the WAL. */ restartFrames?: number } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER, { eval: true, workerData: { file: client.name, driver, intervalMs: opts.intervalMs ?? 250, restartFrames: opts.restartFrames ?? 4096 } });
  worker.unref();
  client.pragma(`journal_size_limit = ${opts.journalSizeLimit ?? 64 * 1024 * 1024}`);
  client.pragma("wal_autocheckpoint = 0");
  let frames = 0;
  let running = true;
  const fallBack = (why: string) => {
    if (!running) return;
    running = false;
    try {
      client.pragma("wal_autocheckpoint = 1000");
    } catch {
      // The connection is already closed: nothing to restore.
    }
    opts.log?.warn({ why }, "background checkpoints stopped; SQLite's automatic checkpoint is back on");
  };
  worker.on("message", (m: { type: string; frames?: number; message?: string }) => {
    if (m.type === "checkpointed") frames += m.frames ?? 0;
    else if (m.type === "error") opts.log?.warn({ err: m.message }, "background checkpoint failed; retrying");
  });
  worker.on("error", (err) => fallBack(String(err)));
  worker.on("exit", (code) => fallBack(`worker exited with code ${code}`));
  return {
    get framesCheckpointed() {
      return frames;
    },
    stop: async () => {
      if (!running) return;
      running = false;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage("stop");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
      try {
        client.pragma("wal_autocheckpoint = 1000");
      } catch {
        // Closed already.
      }
    },
  };
}
