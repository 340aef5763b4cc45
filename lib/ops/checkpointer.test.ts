import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { restartWal, startCheckpointer, type Checkpointer } from "./checkpointer";
import { makeTestDb } from "@/test/db";

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cleanup: (() => void) | null = null;
let cp: Checkpointer | null = null;
afterEach(async () => {
  await cp?.stop();
  cp = null;
  cleanup?.();
  cleanup = null;
});

type Client = ReturnType<typeof makeTestDb>["db"]["$client"];

/** n rows of 500 bytes in one transaction. */
function writeRows(client: Client, n: number) {
  client.exec("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)");
  const ins = client.prepare("INSERT INTO filler (body) VALUES (?)");
  client.transaction(() => {
    for (let i = 0; i < n; i++) ins.run("x".repeat(500));
  })();
}

describe("background WAL checkpoints", () => {
  it("switch the connection's automatic checkpoint off, and copy committed pages into the database file from the worker", async () => {
    const t = makeTestDb();
    cleanup = t.cleanup;
    const client = t.db.$client;
    client.pragma("wal_checkpoint(TRUNCATE)");
    cp = startCheckpointer(client, { intervalMs: 50 });
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    const before = fs.statSync(t.file).size;
    writeRows(client, 4000); // about 2 MB: past the 1,000 pages that would trigger SQLite's own checkpoint
    const deadline = Date.now() + 10_000;
    while (cp.framesCheckpointed === 0 && Date.now() < deadline) await wait(25);
    expect(cp.framesCheckpointed).toBeGreaterThan(400);
    // Counted once each, however many passes ran since: every frame of this WAL, and no more.
    await wait(200);
    const wal = (client.pragma("wal_checkpoint(PASSIVE)") as { log: number; checkpointed: number }[])[0]!;
    expect(cp.framesCheckpointed).toBe(wal.log);
    expect(fs.statSync(t.file).size).toBeGreaterThan(before + 1_000_000);
    expect((client.prepare("SELECT count(*) AS n FROM filler").get() as { n: number }).n).toBe(4000);
  });

  it("keep the WAL bounded under sustained writes, and hand checkpoints back to SQLite when stopped", async () => {
    const t = makeTestDb();
    cleanup = t.cleanup;
    const client = t.db.$client;
    cp = startCheckpointer(client, { intervalMs: 20, journalSizeLimit: 4 * 1024 * 1024 });
    let maxWal = 0;
    for (let round = 0; round < 20; round++) {
      writeRows(client, 500);
      await wait(30);
      maxWal = Math.max(maxWal, fs.statSync(`${t.file}-wal`).size);
    }
    // 10,000 rows of 500 bytes (5 MB) went through the WAL; with checkpoints it restarts every round.
    expect(maxWal).toBeLessThan(2 * 1024 * 1024);
    await cp.stop();
    cp = null;
    expect(client.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });

  it("restart the WAL under a steady stream of writes (a passive checkpoint alone never catches up), on the server's connection", async () => {
    const t = makeTestDb();
    cleanup = t.cleanup;
    const client = t.db.$client;
    cp = startCheckpointer(client, { intervalMs: 20, restartFrames: 1024 });
    client.exec("CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT)");
    const ins = client.prepare("INSERT INTO filler (body) VALUES (?)");
    let maxWal = 0;
    let rows = 0;
    // 100,000 rows, one small transaction each, from this thread while the worker checkpoints
    // (each commit writes at least one 4 kB frame: 400 MB of WAL without restarts). Like a server
    // between two requests, the thread turns the event loop every 50 rows and never waits longer.
    while (rows < 100_000) {
      for (let i = 0; i < 50; i++, rows++) ins.run("y".repeat(300));
      maxWal = Math.max(maxWal, fs.statSync(`${t.file}-wal`).size);
      await new Promise((r) => setImmediate(r));
    }
    // With passive checkpoints alone the WAL reached 536 MB in this test; restarting past 1,024
    // frames (4 MB) keeps it to a few times that (71 MB once, with the PostgreSQL suites and a
    // benchmark sharing the 2 cores: the bound is far below 536 MB, not a speed target).
    expect(cp.walRestarts).toBeGreaterThan(3);
    // None found the checkpoint lock taken: the worker holds its passes off while one is wanted.
    expect(cp.walRestartsBusy).toBe(0);
    expect(maxWal).toBeLessThan(128 * 1024 * 1024);
    expect((client.prepare("SELECT count(*) AS n FROM filler").get() as { n: number }).n).toBe(rows);
  });

  it("restart the WAL without waiting on the server's thread: a read held elsewhere makes it give up at once", () => {
    const t = makeTestDb();
    cleanup = t.cleanup;
    const client = t.db.$client;
    writeRows(client, 200);
    const other = new Database(t.file);
    try {
      other.exec("BEGIN");
      other.prepare("SELECT count(*) FROM filler").get(); // a read transaction on the WAL's snapshot
      const started = performance.now();
      const busy = restartWal(client);
      // The connection's busy timeout (5 s) would have slept until the read ended.
      expect(performance.now() - started).toBeLessThan(1000);
      expect(busy.busy).toBe(1);
      expect(client.pragma("busy_timeout", { simple: true })).toBe(5000);
      other.exec("COMMIT");
      const done = restartWal(client);
      expect(done).toMatchObject({ busy: 0 });
      expect(done.checkpointed).toBe(done.log);
      // The next write starts the WAL from the top.
      writeRows(client, 1);
      expect((client.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]!.log).toBeLessThan(done.log);
    } finally {
      other.close();
    }
  });
});
