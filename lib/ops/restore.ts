import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { defaultDatabasePath } from "@/db/client";
import { OpsError, fsyncDir, fsyncFile, openByAnotherProcess, summarise, type DatabaseSummary } from "./check";
import { copyDatabase, removeQuietly, tempBeside } from "./backup";
import { acquireLock, LockError } from "./server-lock";

export interface RestoreResult extends DatabaseSummary {
  file: string;
  from: string;
  /** The database that was replaced, kept beside it (null when there was none). */
  previous: string | null;
  durationMs: number;
}

function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Replaces the database with a backup, refusing while anything uses it:
 * 1. copies the backup beside the database and checks the copy (integrity, FTS index, our tables);
 * 2. takes `<db>.server.pid` as "restore" (refused if a live server holds it; a server started now
 *    refuses to run) and makes sure no process has the file open (an exclusive lock, no waiting);
 * 3. keeps the replaced database as `<db>.pre-restore-<time>` (a hard link: no copy), removes the
 *    old -wal/-shm (already checkpointed by the lock probe), renames the copy into place.
 */
export async function restoreDatabase(backupFile: string, target: string = defaultDatabasePath()): Promise<RestoreResult> {
  const started = performance.now();
  const from = path.resolve(backupFile);
  const to = path.resolve(target);
  if (!fs.existsSync(from) || !fs.statSync(from).isFile()) throw new OpsError("not_found", `No backup file at ${from}`);
  if (from === to) throw new OpsError("same_file", "The backup is the database itself");
  fs.mkdirSync(path.dirname(to), { recursive: true });

  const tmp = tempBeside(to, "restore");
  let summary: DatabaseSummary;
  try {
    try {
      await copyDatabase(from, tmp);
    } catch (err) {
      throw new OpsError("invalid_database", `${from} cannot be read as SQLite: ${(err as Error).message}`);
    }
    const copy = new Database(tmp, { fileMustExist: true });
    try {
      copy.pragma("journal_mode = DELETE");
      summary = summarise(copy, from);
    } finally {
      copy.close();
    }
    fsyncFile(tmp);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }

  let lock: ReturnType<typeof acquireLock>;
  try {
    lock = acquireLock(to, "restore");
  } catch (err) {
    removeQuietly(tmp);
    if (err instanceof LockError) throw new OpsError("in_use", err.message);
    throw err;
  }
  try {
    if (openByAnotherProcess(to)) {
      throw new OpsError("in_use", `Another process has ${to} open (the server, the CLI or the folder bridge). Stop it, then restore.`);
    }
    let previous: string | null = null;
    if (fs.existsSync(to)) {
      previous = `${to}.pre-restore-${stamp()}`;
      try {
        fs.linkSync(to, previous);
      } catch {
        fs.copyFileSync(to, previous);
      }
    }
    // The probe closed the last connection, which checkpointed and deleted the WAL; anything left is
    // stale, and an old WAL beside the new file would be replayed into it.
    fs.rmSync(`${to}-wal`, { force: true });
    fs.rmSync(`${to}-shm`, { force: true });
    fs.rmSync(`${to}-journal`, { force: true });
    fs.renameSync(tmp, to);
    fsyncDir(path.dirname(to));
    return { ...summary, bytes: fs.statSync(to).size, file: to, from, previous, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  } finally {
    lock.release();
  }
}
