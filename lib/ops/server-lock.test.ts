import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireLock, LockError, lockPath, readLiveLock } from "./server-lock";

let dir: string;
let db: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-lock-"));
  db = path.join(dir, "x.db");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (info: object) => fs.writeFileSync(lockPath(db), JSON.stringify(info));
const read = () => JSON.parse(fs.readFileSync(lockPath(db), "utf8")) as { pid: number; role: string };

describe("<db>.server.pid", () => {
  it("is written at start and removed on release, only by its owner", () => {
    const lock = acquireLock(db, "server");
    expect(lock.owned).toBe(true);
    expect(read()).toMatchObject({ pid: process.pid, role: "server" });
    expect(readLiveLock(db)).toMatchObject({ pid: process.pid });
    lock.release();
    expect(fs.existsSync(lockPath(db))).toBe(false);
  });

  it("replaces a stale file: dead pid, our own pid, or a live pid that does not have the database open", () => {
    for (const pid of [2 ** 22 + 12345, process.pid, process.ppid]) {
      write({ pid, role: "server", startedAt: "" });
      const lock = acquireLock(db, "server");
      expect(lock.owned).toBe(true);
      expect(read().pid).toBe(process.pid);
      lock.release();
    }
    fs.writeFileSync(lockPath(db), "999999999\n"); // a bare pid, as older tools write it
    expect(readLiveLock(db)).toBeNull();
  });

  it("a server refuses to start while a restore runs", () => {
    write({ pid: process.ppid, role: "restore", startedAt: "" });
    expect(() => acquireLock(db, "server")).toThrow(LockError);
    expect(() => acquireLock(db, "server")).toThrow(/restore .* is replacing/);
    expect(read().role).toBe("restore");
  });
});
