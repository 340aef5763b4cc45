import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { defaultDatabasePath, postgresUrl } from "@/db/client";
import { OpsError, fsyncDir, fsyncFile, summarise, type DatabaseSummary } from "./check";

// The CLI may not import db/ (lint rule): it takes the default path from here.
export { defaultDatabasePath, postgresUrl };

export interface BackupResult extends DatabaseSummary {
  file: string;
  source: string;
  durationMs: number;
}

/** A temporary name beside `dest`: the final rename stays on one filesystem, so it is atomic. */
export function tempBeside(dest: string, tag: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${tag}-${process.pid}-${Date.now()}.tmp`);
}

export function removeQuietly(file: string): void {
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
}

/**
 * Copies a live database, all pages in one step of SQLite's online backup API: one read snapshot,
 * which in WAL mode never blocks the server's writers (a copy made in many small steps would start
 * over each time another process commits). Writes a temporary file beside the destination, turns it
 * into a self-contained rollback-journal file, checks it, fsyncs it, then renames it into place.
 */
export async function copyDatabase(source: string, tmp: string): Promise<void> {
  const src = new Database(source, { fileMustExist: true, timeout: 5000 });
  try {
    await src.backup(tmp, { progress: () => 0x7fffffff });
  } finally {
    src.close();
  }
}

export async function backupDatabase(source: string = defaultDatabasePath(), dest: string): Promise<BackupResult> {
  const started = performance.now();
  const from = path.resolve(source);
  const to = path.resolve(dest);
  if (!fs.existsSync(from)) throw new OpsError("not_found", `No database file at ${from}`);
  if (from === to || [`${from}-wal`, `${from}-shm`, `${from}-journal`].includes(to)) {
    throw new OpsError("same_file", "The backup must go to another file than the database itself");
  }
  if (!fs.existsSync(path.dirname(to))) throw new OpsError("not_found", `The folder ${path.dirname(to)} does not exist`);
  const tmp = tempBeside(to, "backup");
  try {
    await copyDatabase(from, tmp);
    const copy = new Database(tmp, { fileMustExist: true });
    let summary: DatabaseSummary;
    try {
      // A single file that opens anywhere, read-only too; the server turns WAL back on when it opens it.
      copy.pragma("journal_mode = DELETE");
      summary = summarise(copy, tmp);
    } finally {
      copy.close();
    }
    fsyncFile(tmp);
    fs.renameSync(tmp, to);
    fsyncDir(path.dirname(to));
    return { ...summary, bytes: fs.statSync(to).size, file: to, source: from, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}
