import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import fs from "node:fs";
import path from "node:path";
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

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_PATH && env.DATABASE_PATH.trim() !== ""
    ? path.resolve(env.DATABASE_PATH)
    : path.join(process.cwd(), "data", "agentdesk.db");
}

/**
 * Opens (creating if needed) the SQLite file with the settings every process must share:
 * WAL so readers never wait for the writer, foreign keys on, a bounded busy timeout, and
 * synchronous=NORMAL (in WAL mode a process crash loses no committed transaction; only a power
 * loss may drop the last ones, and FULL cost 43-74x per commit here: docs/operations.md).
 */
export function openDatabase(file: string = defaultDatabasePath(), options: OpenOptions = {}): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
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
