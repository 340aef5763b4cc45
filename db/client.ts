import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "@/lib/domain/install";
import * as schema from "./schema";
import { applyMigrations } from "./migrate";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  readonly?: boolean;
  /** How long a writer waits for another process's write lock before giving up, in ms. */
  busyTimeoutMs?: number;
}

/**
 * DATABASE_PATH when set; else, in a clone, ./data/agentdesk.db beside the sources; else (the
 * installed package, lib/domain/install.ts) agentdesk.db in the per-user data folder.
 */
export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_PATH && env.DATABASE_PATH.trim() !== "") return path.resolve(env.DATABASE_PATH);
  return packageRoot() ? path.join(userDataDir(env), "agentdesk.db") : path.join(process.cwd(), "data", "agentdesk.db");
}

/** The per-user data folder of the installed package: $XDG_DATA_HOME/agentdesk when set, else ~/.agentdesk. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  // The XDG spec ignores a relative path.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "agentdesk");
  return path.join(env.HOME?.trim() || os.homedir(), ".agentdesk");
}

/** The data folder or the database file cannot be used; the message names the path and why. */
export class DataPathError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = "DataPathError";
  }
}

/**
 * Creates the folder that holds `file` (and its lock, WAL and backups) when it does not exist yet,
 * and checks that the file, if present, is a file. Everything that opens the database or writes
 * beside it calls this first, so a fresh clone needs no `data/` of its own. Failures are one
 * sentence naming the path and the reason.
 */
export function ensureDatabaseFolder(file: string): void {
  if (file === ":memory:") return;
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const blocker = firstNonFolder(dir);
    if (blocker === path.resolve(dir)) throw new DataPathError(`Cannot use the data folder ${dir}: it is a file, not a folder`, dir);
    const why =
      code === "EEXIST" || code === "ENOTDIR"
        ? blocker
          ? `${blocker} is a file, not a folder`
          : "a file is in the way"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EROFS"
            ? "the file system is read-only"
            : (err as Error).message;
    throw new DataPathError(`Cannot create the data folder ${dir}: ${why}`, dir);
  }
  if (!fs.statSync(dir).isDirectory()) throw new DataPathError(`Cannot use the data folder ${dir}: it is a file, not a folder`, dir);
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new DataPathError(`Cannot write in the data folder ${dir}: permission denied`, dir);
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    return; // created on open
  }
  if (!st.isFile()) throw new DataPathError(`Cannot use the database ${file}: it is a folder, not a file`, file);
}

/** The first ancestor of `dir` (or `dir` itself) that exists and is not a folder. */
function firstNonFolder(dir: string): string | null {
  const parts: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    parts.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of parts) {
    try {
      if (!fs.statSync(p).isDirectory()) return p;
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Opens (creating if needed) the SQLite file with the settings every process must share:
 * WAL so readers never wait for the writer, foreign keys on, a bounded busy timeout, and
 * synchronous=NORMAL (in WAL mode a process crash loses no committed transaction; only a power
 * loss may drop the last ones, and FULL cost 43-74x per commit here: docs/operations.md).
 */
export function openDatabase(file: string = defaultDatabasePath(), options: OpenOptions = {}): Db {
  ensureDatabaseFolder(file);
  const sqlite = new Database(file, { readonly: options.readonly ?? false });
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
  }
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("cache_size = -32000");
  sqlite.pragma("temp_store = MEMORY");
  if (options.migrate !== false && !options.readonly) applyMigrations(sqlite);
  return drizzle(sqlite, { schema }) as Db;
}

const globalKey = Symbol.for("agentdesk.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: { file: string; db: Db } };

/**
 * The one connection of this process. Next evaluates modules once per route bundle, so the
 * handle lives on globalThis rather than in a module variable.
 */
export function getDb(): Db {
  const g = globalThis as GlobalWithDb;
  const file = defaultDatabasePath();
  const held = g[globalKey];
  if (held && held.file === file && held.db.$client.open) return held.db;
  const db = openDatabase(file);
  g[globalKey] = { file, db };
  return db;
}

export function closeDb(): void {
  const g = globalThis as GlobalWithDb;
  const held = g[globalKey];
  if (held?.db.$client.open) {
    try {
      held.db.$client.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      held.db.$client.close();
    }
  }
  g[globalKey] = undefined;
}
