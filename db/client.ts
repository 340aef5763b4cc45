import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "@/lib/domain/install";
import { openSqlite, type SqliteDb, type SqliteOpenOptions } from "./engine/sqlite";
import { openPostgres } from "./engine/pg";
import type { Db } from "./engine/types";

export type { Db, Handle } from "./engine/types";
export type { SqliteDb } from "./engine/sqlite";
export type OpenOptions = SqliteOpenOptions;

/**
 * The PostgreSQL connection string when DATABASE_URL names one (postgres:// or postgresql://), else
 * null: the SQLite file (DATABASE_PATH) is the default. Any other DATABASE_URL is refused, so a typo
 * never falls back to an empty SQLite file silently.
 */
export function postgresUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  const url = env.DATABASE_URL?.trim();
  if (!url) return null;
  if (/^postgres(ql)?:\/\//i.test(url)) return url;
  throw new DataPathError(`DATABASE_URL must be a postgres:// or postgresql:// address (for an SQLite file, set DATABASE_PATH instead)`, "DATABASE_URL");
}

/** Where the database is, for logs and banners: the SQLite file, or the PostgreSQL address without its password. */
export function describeDatabase(env: NodeJS.ProcessEnv = process.env): string {
  const url = postgresUrl(env);
  if (!url) return defaultDatabasePath(env);
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
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
 * Opens (creating if needed) an SQLite file, migrated (db/engine/sqlite.ts has the settings every
 * process shares). Tools that work on the file itself (backup, the bench, tests) use this.
 */
export function openDatabase(file: string = defaultDatabasePath(), options: OpenOptions = {}): SqliteDb {
  ensureDatabaseFolder(file);
  return openSqlite(file, options);
}

/**
 * The database this process is configured for: PostgreSQL when DATABASE_URL names it, else the
 * SQLite file (DATABASE_PATH or the default). Migrated unless told otherwise.
 */
export function openConfigured(env: NodeJS.ProcessEnv = process.env, options: { migrate?: boolean } = {}): Db {
  const url = postgresUrl(env);
  return url ? openPostgres(url, options) : openDatabase(defaultDatabasePath(env), options);
}

const globalKey = Symbol.for("agentdesk.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: { where: string; db: Db } };

/**
 * The one connection of this process. Next evaluates modules once per route bundle, so the
 * handle lives on globalThis rather than in a module variable.
 */
export function getDb(): Db {
  const g = globalThis as GlobalWithDb;
  const where = postgresUrl() ?? defaultDatabasePath();
  const held = g[globalKey];
  if (held && held.where === where && held.db.$engine.open) return held.db;
  const db = openConfigured();
  g[globalKey] = { where, db };
  return db;
}

export function closeDb(): void {
  const g = globalThis as GlobalWithDb;
  g[globalKey]?.db.$engine.close();
  g[globalKey] = undefined;
}
