import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { describeTarget, openPostgres } from "@/db/engine/pg";
import { OpsError, fsyncDir, fsyncFile } from "./check";
import { removeQuietly, tempBeside } from "./backup";

// `agentdesk backup` and `restore` on PostgreSQL (DATABASE_URL=postgres://…): PostgreSQL's own
// pg_dump (custom format) and pg_restore, called with the password in the environment (never on
// the command line, where `ps` shows it). The SQLite file's own backup is lib/ops/backup.ts.

export interface PgSummary {
  migrations: number;
  tasks: number;
  messages: number;
  events: number;
  bytes: number;
}

export interface PgBackupResult extends PgSummary {
  file: string;
  source: string;
  durationMs: number;
}

export interface PgRestoreResult extends PgSummary {
  file: string;
  from: string;
  /** A dump of the database as it was before the restore (null when it held no AgentDesk tables). */
  previous: string | null;
  durationMs: number;
}

/** The URL without its password, and the environment that carries it to libpq's tools. */
function split(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const env = { ...process.env };
  try {
    const u = new URL(url);
    if (u.password) {
      env.PGPASSWORD = decodeURIComponent(u.password);
      u.password = "";
    }
    return { url: u.toString(), env };
  } catch {
    return { url, env };
  }
}

/** Runs a libpq tool; resolves with its stderr, or refuses with one sentence (missing tool, failure). */
function run(tool: "pg_dump" | "pg_restore", args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT")
        reject(new OpsError("unavailable", `${tool} is not installed: install PostgreSQL's client tools (Debian: apt-get install postgresql-client), the same major version as the server or newer`));
      else reject(new OpsError("unavailable", `${tool} could not start: ${e.message}`));
    });
    child.on("close", (code) => {
      if (code === 0) resolve(out);
      else reject(new OpsError("failed", `${tool} failed (exit ${code}): ${err.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
}

const one = (db: Db, q: ReturnType<typeof sql>): number => Number((db.get<{ n: number | string }>(q) ?? { n: 0 }).n);

function hasTables(db: Db): boolean {
  return (
    one(
      db,
      sql`SELECT ((to_regclass('events') IS NOT NULL AND to_regclass('tasks') IS NOT NULL AND to_regclass('messages') IS NOT NULL AND to_regclass('drizzle."__drizzle_migrations"') IS NOT NULL))::int AS n`,
    ) === 1
  );
}

function summary(db: Db, file: string | null): PgSummary {
  const migrations = one(db, sql`SELECT count(*) AS n FROM drizzle."__drizzle_migrations"`);
  return {
    migrations,
    tasks: one(db, sql`SELECT count(*) AS n FROM tasks`),
    messages: one(db, sql`SELECT count(*) AS n FROM messages`),
    events: one(db, sql`SELECT count(*) AS n FROM events`),
    bytes: file ? fs.statSync(file).size : 0,
  };
}

/**
 * pg_dump's custom format into a temporary file beside `dest`, checked (pg_restore --list reads it
 * whole), fsynced, then renamed into place: a complete backup or none. The counts reported are the
 * dump's own: they are read in a snapshot that pg_dump is then told to use (--snapshot).
 */
export async function backupPostgres(databaseUrl: string, dest: string): Promise<PgBackupResult> {
  const started = performance.now();
  const to = path.resolve(dest);
  if (!fs.existsSync(path.dirname(to))) throw new OpsError("not_found", `The folder ${path.dirname(to)} does not exist`);
  const db = openPostgres(databaseUrl, { migrate: false });
  const tmp = tempBeside(to, "backup");
  const { url, env } = split(databaseUrl);
  try {
    if (!hasTables(db)) throw new OpsError("invalid_database", `${describeTarget(databaseUrl)} holds no AgentDesk database`);
    db.run(sql`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
    let counts: PgSummary;
    try {
      const snapshot = db.get<{ id: string }>(sql`SELECT pg_export_snapshot() AS id`)!.id;
      counts = summary(db, null);
      await run("pg_dump", ["--format=custom", "--no-owner", `--snapshot=${snapshot}`, `--file=${tmp}`, `--dbname=${url}`], env);
    } finally {
      db.run(sql`COMMIT`);
    }
    await run("pg_restore", ["--list", tmp], env).catch((err: Error) => {
      throw new OpsError("invalid_database", `The dump just written does not read back: ${err.message}`);
    });
    fsyncFile(tmp);
    fs.renameSync(tmp, to);
    fsyncDir(path.dirname(to));
    return { ...counts, bytes: fs.statSync(to).size, file: to, source: describeTarget(databaseUrl), durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  } finally {
    db.$engine.close();
  }
}

function stamp(d = new Date()): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Replaces the database's contents with a dump written by `backupPostgres`:
 * 1. reads the dump whole (pg_restore --list) before touching anything;
 * 2. refuses while another AgentDesk connects to the database (a server, the CLI, the bridge:
 *    connections named `agentdesk`);
 * 3. keeps the current contents as a dump beside the backup (`<backup>.pre-restore-<time>`);
 * 4. pg_restore --clean in one transaction: all or nothing;
 * 5. stamps the restored events with the oldest transaction id: the events' transaction ids came
 *    from the cluster that wrote them and may be ahead of this one's, and live streams read new
 *    events after the restored ones in transaction order (docs/plans/postgresql.md §3.1).
 */
export async function restorePostgres(backupFile: string, databaseUrl: string): Promise<PgRestoreResult> {
  const started = performance.now();
  const from = path.resolve(backupFile);
  if (!fs.existsSync(from) || !fs.statSync(from).isFile()) throw new OpsError("not_found", `No backup file at ${from}`);
  const { url, env } = split(databaseUrl);
  await run("pg_restore", ["--list", from], env).catch((err: Error) => {
    if (err instanceof OpsError && err.code === "unavailable") throw err;
    throw new OpsError("invalid_database", `${from} is not a dump pg_restore can read: ${err.message}`);
  });
  const db = openPostgres(databaseUrl, { migrate: false });
  try {
    const others = one(db, sql`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'agentdesk%' AND pid <> pg_backend_pid()`);
    if (others > 0)
      throw new OpsError(
        "in_use",
        `${others} other AgentDesk connection${others === 1 ? " is" : "s are"} open on ${describeTarget(databaseUrl)} (servers, the CLI or the folder bridge). Stop them, then restore.`,
      );
    let previous: string | null = null;
    if (hasTables(db)) {
      previous = `${from}.pre-restore-${stamp()}`;
      await run("pg_dump", ["--format=custom", "--no-owner", `--file=${previous}`, `--dbname=${url}`], env);
    }
    await run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", `--dbname=${url}`, from], env);
    db.$engine.transaction((tx) => {
      tx.run(sql`ALTER TABLE events DISABLE TRIGGER USER`);
      tx.run(sql`UPDATE events SET tx = '1'::xid8`);
      tx.run(sql`ALTER TABLE events ENABLE TRIGGER USER`);
    });
    if (!hasTables(db)) throw new OpsError("invalid_database", `${from} restored no AgentDesk database`);
    return { ...summary(db, null), bytes: fs.statSync(from).size, file: describeTarget(databaseUrl), from, previous, durationMs: Math.round(performance.now() - started) };
  } finally {
    db.$engine.close();
  }
}
