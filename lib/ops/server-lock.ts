import fs from "node:fs";
import { openByAnotherProcess } from "./check";

/**
 * `<db>.server.pid`: who is using the database file. The server writes it at start and removes it on
 * a clean shutdown; `agentdesk restore` writes it (role "restore") while it swaps the file, so a
 * server started meanwhile refuses to run. A file whose process is gone is stale and is replaced.
 */
export interface LockInfo {
  pid: number;
  role: "server" | "restore";
  startedAt: string;
}

export const lockPath = (dbFile: string) => `${dbFile}.server.pid`;

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The lock's content when a live process holds it; null when there is none or it is stale. */
export function readLiveLock(dbFile: string): LockInfo | null {
  let text: string;
  try {
    text = fs.readFileSync(lockPath(dbFile), "utf8");
  } catch {
    return null;
  }
  let info: Partial<LockInfo>;
  try {
    info = JSON.parse(text) as Partial<LockInfo>;
  } catch {
    // An older or hand-written file holding just the pid.
    info = { pid: Number(text.trim()), role: "server", startedAt: "" };
  }
  const pid = Number(info.pid);
  if (!pidAlive(pid)) return null;
  return { pid, role: info.role === "restore" ? "restore" : "server", startedAt: info.startedAt ?? "" };
}

export interface HeldLock {
  /** False when another live server already holds the file (two servers on one file still work). */
  owned: boolean;
  other: LockInfo | null;
  release: () => void;
}

export class LockError extends Error {
  constructor(
    message: string,
    readonly holder: LockInfo,
  ) {
    super(message);
    this.name = "LockError";
  }
}

/**
 * Takes the lock for `role`, before the caller opens the database. A live restore always wins (a
 * server must not open a file that is being replaced). A server finding another live server that
 * has the file open runs without the pid file (and says so); a restore finding one refuses.
 */
export function acquireLock(dbFile: string, role: LockInfo["role"]): HeldLock {
  const file = lockPath(dbFile);
  const mine: LockInfo = { pid: process.pid, role, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(mine) + "\n", { flag: "wx" });
      return { owned: true, other: null, release: () => releaseLock(dbFile) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const other = readLiveLock(dbFile);
    // Stale: its process is gone, or it is this very pid (a container restarted with the same pid),
    // or the pid was reused by something that does not have the database open.
    if (!other || other.pid === process.pid || (other.role === "server" && !openByAnotherProcess(dbFile))) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (other.role === "restore") {
      throw new LockError(`A restore (pid ${other.pid}) is replacing ${dbFile}; start the server once it has finished.`, other);
    }
    if (role === "restore") {
      throw new LockError(`A server (pid ${other.pid}, since ${other.startedAt || "unknown"}) is using ${dbFile}. Stop it first. ` + `If no server is running, delete ${file}.`, other);
    }
    return { owned: false, other, release: () => {} };
  }
  throw new Error(`Could not take ${file}`);
}

/** Removes the lock file, but only when it is ours. */
export function releaseLock(dbFile: string): void {
  const file = lockPath(dbFile);
  try {
    const info = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockInfo>;
    if (info.pid === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours to remove.
  }
}
