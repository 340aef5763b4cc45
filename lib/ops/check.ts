import Database from "better-sqlite3";
import fs from "node:fs";

export type OpsErrorCode = "not_found" | "invalid_database" | "in_use" | "same_file" | "unavailable" | "failed";

/** A refusal of backup or restore; the CLI prints `code: message` and exits 1. */
export class OpsError extends Error {
  constructor(
    readonly code: OpsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "OpsError";
  }
}

export interface DatabaseSummary {
  /** Migrations recorded in drizzle's table. */
  migrations: number;
  tasks: number;
  messages: number;
  events: number;
  pages: number;
  bytes: number;
}

const REQUIRED_TABLES = ["__drizzle_migrations", "events", "tasks", "task_steps", "messages", "outputs"];

/**
 * Is this file an AgentDesk database in good health? SQLite's full integrity check, the FTS index
 * against its messages, and our tables with at least one migration recorded. Throws OpsError.
 */
export function checkDatabaseFile(file: string): DatabaseSummary {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new OpsError("not_found", `No database file at ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new OpsError("invalid_database", `${file} cannot be opened as SQLite: ${(err as Error).message}`);
  }
  try {
    return summarise(db, file);
  } finally {
    db.close();
  }
}

export function summarise(db: Database.Database, file: string): DatabaseSummary {
  let result: string[];
  try {
    result = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
  } catch (err) {
    throw new OpsError("invalid_database", `${file} is not a usable SQLite database: ${(err as Error).message}`);
  }
  if (result.length !== 1 || result[0] !== "ok") {
    throw new OpsError("invalid_database", `${file} fails the integrity check: ${result.slice(0, 5).join("; ")}`);
  }
  const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
  const missing = REQUIRED_TABLES.filter((t) => !tables.has(t));
  if (missing.length) throw new OpsError("invalid_database", `${file} is not an AgentDesk database (missing ${missing.join(", ")})`);
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  const migrations = count(`SELECT count(*) AS n FROM "__drizzle_migrations"`);
  if (migrations === 0) throw new OpsError("invalid_database", `${file} has no migrations recorded`);
  if (tables.has("messages_fts")) {
    try {
      db.prepare(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`).run();
    } catch (err) {
      // A read-only handle cannot run the FTS check (it is written as an INSERT); SQLite's own check above still ran.
      if ((err as { code?: string }).code !== "SQLITE_READONLY") {
        throw new OpsError("invalid_database", `${file}: the message search index does not match the messages (${(err as Error).message})`);
      }
    }
  }
  return {
    migrations,
    tasks: count(`SELECT count(*) AS n FROM tasks`),
    messages: count(`SELECT count(*) AS n FROM messages`),
    events: count(`SELECT count(*) AS n FROM events`),
    pages: count(`SELECT page_count AS n FROM pragma_page_count()`),
    bytes: fs.statSync(file).size,
  };
}

/**
 * Does any process have this database open (the server, the CLI, the folder bridge)? An idle WAL
 * connection keeps a shared lock on the file, so an exclusive lock with no waiting tells.
 */
export function openByAnotherProcess(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const probe = new Database(file, { timeout: 0, fileMustExist: true });
  try {
    probe.pragma("locking_mode = EXCLUSIVE");
    probe.exec("BEGIN EXCLUSIVE");
    probe.exec("COMMIT");
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_BUSY" || (err as { code?: string }).code === "SQLITE_LOCKED") return true;
    throw err;
  } finally {
    // Closing the last connection checkpoints the WAL into the file and deletes it.
    probe.close();
  }
}

/** fsync a file, then its folder, so a rename that follows is durable. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
