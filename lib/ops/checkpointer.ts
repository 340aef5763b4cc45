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
//
// Under a steady stream of writes a passive checkpoint never catches the last frame, so the WAL
// never starts over and grows (to 580 MB in ten minutes of load, every read slower for it). Past
// `restartFrames` it is restarted (RESTART: copy what is left and sync with writers held off, then
// start the WAL from the top). That is done on the server's own connection, between two requests,
// and not by the worker: a request that meets a lock held elsewhere does not wait for its release
// but sleeps in SQLite's busy backoff (1, 2, 5, 10 ... 100 ms), and the worker's RESTART itself
// slept in that backoff, write lock held, whenever a read was under way. Measured with saturating
// message sends on the large dataset: worker restarts of 4-394 ms and server stalls of 20-100 ms
// around each; on the server's thread 5-40 ms in all (waiting for the worker's pass under way, then
// copying what was committed since and one sync), and no request waits on a lock.

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true, timeout: 0 });
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
// Shared with the server's thread: [IN_PASS] is 1 while a passive pass runs here, [WANTS] is 1
// while the server is about to restart the WAL (which needs the checkpoint lock a pass holds).
// Each side raises its own flag before reading the other's, so they never both go ahead.
const flags = new Int32Array(workerData.flags);
const IN_PASS = 0, WANTS = 1;
let timer = null;
let stopped = false;
// Asked the server to restart the WAL, not answered yet: until it answers, passive passes run
// back to back, so that whenever the server gets to it (after the requests it is serving), what is
// left for it to copy is only what was committed during the last pass. A second without an answer
// and the worker goes back to its pace.
let askedAt = 0;
// Frames copied by this worker's passes: the pragma reports the frames of the current WAL copied so
// far, which starts again from 0 when the WAL does.
let walCopied = 0;
let walLog = 0;
const copiedNow = (r) => {
  if (r.log < walLog || r.checkpointed < walCopied) walCopied = 0;
  const n = r.checkpointed - walCopied;
  walCopied = r.checkpointed;
  walLog = r.log;
  return n;
};
const schedule = (ms) => { clearTimeout(timer); timer = setTimeout(tick, ms); };
const tick = () => {
  if (stopped) return;
  try {
    Atomics.store(flags, IN_PASS, 1);
    let r = null;
    if (Atomics.load(flags, WANTS) === 0) r = passive.get();
    Atomics.store(flags, IN_PASS, 0);
    Atomics.notify(flags, IN_PASS);
    const copied = r ? copiedNow(r) : 0;
    if (copied > 0) parentPort.postMessage({ type: "checkpointed", frames: copied });
    if (askedAt) {
      if (Date.now() - askedAt < 1000) return schedule(1);
      askedAt = 0;
    } else if (r && r.log >= workerData.restartFrames) {
      askedAt = Date.now();
      parentPort.postMessage({ type: "restart" });
      return schedule(1);
    }
  } catch (err) {
    Atomics.store(flags, IN_PASS, 0);
    Atomics.notify(flags, IN_PASS);
    parentPort.postMessage({ type: "error", message: String((err && err.message) || err) });
  }
  schedule(workerData.intervalMs);
};
schedule(workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m === "restarted") {
    askedAt = 0;
    return schedule(workerData.intervalMs);
  }
  if (m !== "stop") return;
  stopped = true;
  clearTimeout(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

// Indices into the flags shared with the worker (named the same in WORKER).
const IN_PASS = 0;
const WANTS = 1;

export interface Checkpointer {
  /** Frames the worker's passes copied into the database file so far (the few a restart copies itself are not counted). */
  readonly framesCheckpointed: number;
  /** Times the WAL was restarted on the server's connection. */
  readonly walRestarts: number;
  /** Restarts given up because a lock was held (by another process, or a pass of the worker's that outlasted 100 ms). */
  readonly walRestartsBusy: number;
  /** Stops the worker; the connection's automatic checkpoint is switched back on. */
  stop(): Promise<void>;
}

interface Connection {
  name: string;
  pragma(source: string, options?: { simple?: boolean }): unknown;
}

/**
 * `PRAGMA wal_checkpoint(RESTART)` on `client` without ever waiting: with the busy timeout at 0
 * for the call, a lock held elsewhere (another process writing or reading) makes it give up at
 * once (busy = 1) instead of sleeping on the server's thread; the next request from the worker
 * tries again.
 */
export function restartWal(client: Connection): { busy: number; log: number; checkpointed: number } {
  const timeout = client.pragma("busy_timeout", { simple: true });
  client.pragma("busy_timeout = 0");
  try {
    return (client.pragma("wal_checkpoint(RESTART)") as { busy: number; log: number; checkpointed: number }[])[0]!;
  } finally {
    client.pragma(`busy_timeout = ${Number(timeout)}`);
  }
}

/**
 * Takes WAL checkpoints off `client` (the server's one connection): its automatic checkpoint is
 * switched off and a worker thread checkpoints every `intervalMs`. The WAL file is kept under
 * `journalSizeLimit` bytes once checkpointed. If the worker fails, the automatic checkpoint comes
 * back on, so the WAL never grows without bound. Past `restartFrames` frames (16 MB) the worker
 * asks this thread to restart the WAL (`restartWal`), which it does between two requests.
 */
export function startCheckpointer(
  client: Connection,
  opts: { intervalMs?: number; log?: Logger; journalSizeLimit?: number; /** WAL frames (4 kB pages) past which a checkpoint also restarts the WAL. */ restartFrames?: number } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve("better-sqlite3");
  const flags = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER, { eval: true, workerData: { file: client.name, driver, flags: flags.buffer, intervalMs: opts.intervalMs ?? 250, restartFrames: opts.restartFrames ?? 4096 } });
  worker.unref();
  client.pragma(`journal_size_limit = ${opts.journalSizeLimit ?? 64 * 1024 * 1024}`);
  client.pragma("wal_autocheckpoint = 0");
  let frames = 0;
  let restarts = 0;
  let busyRestarts = 0;
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
    if (m.type === "restart") {
      if (!running) return;
      // Hold the worker's next pass off, and wait for the one under way to end (a few ms: passes run
      // back to back while a restart is wanted, each copying only what the one before left).
      Atomics.store(flags, WANTS, 1);
      if (Atomics.load(flags, IN_PASS) === 1) Atomics.wait(flags, IN_PASS, 1, 100);
      try {
        if (restartWal(client).busy === 0) restarts += 1;
        else busyRestarts += 1;
      } catch (err) {
        opts.log?.warn({ err: String(err) }, "WAL restart failed; retrying");
      } finally {
        Atomics.store(flags, WANTS, 0);
      }
      worker.postMessage("restarted");
    } else if (m.type === "checkpointed") frames += m.frames ?? 0;
    else if (m.type === "error") opts.log?.warn({ err: m.message }, "background checkpoint failed; retrying");
  });
  worker.on("error", (err) => fallBack(String(err)));
  worker.on("exit", (code) => fallBack(`worker exited with code ${code}`));
  return {
    get framesCheckpointed() {
      return frames;
    },
    get walRestarts() {
      return restarts;
    },
    get walRestartsBusy() {
      return busyRestarts;
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

/**
 * The database's own upkeep while the server runs: on SQLite the WAL checkpointer above; PostgreSQL
 * does its own (checkpoints, autovacuum), so nothing.
 */
export function startDatabaseMaintenance(db: { $engine: { kind: string } }, opts: Parameters<typeof startCheckpointer>[1] = {}): { stop(): Promise<void> } {
  const client = (db as { $client?: Connection }).$client;
  if (db.$engine.kind === "sqlite" && client) return startCheckpointer(client, opts);
  return { stop: async () => {} };
}
