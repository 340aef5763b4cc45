// PostgreSQL for the bench (`npm run bench -- --engine pg`): the cluster to use, databases of our
// own on it, and the SQLite dataset (bench/data/<scale>.db) loaded into one of them with COPY, so
// both engines are measured on the same rows. The loaded database is kept (it takes minutes at the
// large scale) and reused while the dataset file is unchanged; every measurement that writes runs
// on a copy made from it (CREATE DATABASE … TEMPLATE), as the SQLite bench copies the file.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openPostgres } from "@/db/engine/pg";

/**
 * The cluster the PostgreSQL part runs on: --pg-url, else BENCH_DATABASE_URL, else TEST_DATABASE_URL
 * (any database on it: the bench creates and drops its own). Null when none is named.
 */
export function benchClusterUrl(args: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): string | null {
  const i = args.indexOf("--pg-url");
  const url = (i >= 0 ? args[i + 1] : undefined) ?? env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL;
  if (!url) return null;
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new Error(`the bench's PostgreSQL cluster must be a postgres:// address, not ${url}`);
  return url;
}

/** Names of the bench's databases start with this (BENCH_PG_PREFIX, default agentdesk_bench). */
export const pgPrefix = () => process.env.BENCH_PG_PREFIX ?? "agentdesk_bench";

/** The address of database `name` on the cluster of `cluster`. */
export function databaseUrl(cluster: string, name: string): string {
  const u = new URL(cluster);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The address with its password hidden, for logs and the report. */
export function shownUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  return `"${name}"`;
};

/** Runs statements on the cluster's maintenance connection (the database the URL names). */
export async function onCluster<T = Record<string, unknown>>(cluster: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: cluster });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

export async function dropDatabase(cluster: string, name: string): Promise<void> {
  await onCluster(cluster, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
}

/** A fresh database (C collation, as AgentDesk requires), empty or a copy of `template` (no one may be connected to it). */
export async function createDatabase(cluster: string, name: string, template?: string): Promise<string> {
  await dropDatabase(cluster, name);
  await onCluster(
    cluster,
    template ? `CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)} STRATEGY FILE_COPY` : `CREATE DATABASE ${ident(name)} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`,
  );
  return databaseUrl(cluster, name);
}

/** What identifies a dataset file's contents well enough to reuse a loaded copy: size and modification time. */
function stampOf(file: string): string {
  const st = fs.statSync(fs.realpathSync(file));
  return `agentdesk bench: ${path.basename(file)} ${st.size} ${Math.round(st.mtimeMs)}`;
}

/** CSV as COPY reads it: NULL unquoted and empty, every string quoted (so '' stays an empty string). */
function csvValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (Buffer.isBuffer(v)) return `"\\x${v.toString("hex")}"`;
  return `"${String(v).replace(/"/g, '""')}"`;
}

/** Streams one SQLite table into PostgreSQL through `psql \copy` (triggers and foreign-key checks off: the rows are already consistent). */
async function copyTable(sqlite: Database.Database, url: string, table: string, columns: string[]): Promise<number> {
  const list = columns.map((c) => `"${c}"`).join(", ");
  const psql = spawn("psql", [url, "-v", "ON_ERROR_STOP=1", "-qc", `\\copy "${table}" (${list}) FROM STDIN WITH (FORMAT csv)`], {
    env: { ...process.env, PGOPTIONS: "-c session_replication_role=replica" },
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  psql.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => psql.on("exit", resolve));
  let n = 0;
  let chunk = "";
  const flush = async () => {
    if (!chunk) return;
    if (!psql.stdin.write(chunk)) await new Promise((r) => psql.stdin.once("drain", r));
    chunk = "";
  };
  for (const row of sqlite.prepare(`SELECT ${list} FROM "${table}"`).raw().iterate() as Iterable<unknown[]>) {
    chunk += row.map(csvValue).join(",") + "\n";
    n++;
    if (chunk.length > 1 << 20) await flush();
  }
  await flush();
  psql.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`psql \\copy ${table} failed (${code}): ${stderr.slice(-2000)}`);
  return n;
}

/**
 * The database holding `sqliteFile`'s rows on PostgreSQL: `<prefix>_<dataset>`, loaded now unless a
 * database of that name already carries this file's stamp. The SQLite file is only read. Migrated by
 * the engine's own migrator (openPostgres), then every table the two schemas share copied, column by
 * column where both have it; the identity sequences moved past the copied ids; VACUUM ANALYZE (a
 * production database has autovacuum's statistics within minutes of such a load).
 */
export async function loadedDatabase(cluster: string, sqliteFile: string, log: (s: string) => void): Promise<string> {
  const name = `${pgPrefix()}_${path
    .basename(sqliteFile, ".db")
    .replace(/[^a-z0-9_]/gi, "_")
    .toLowerCase()}`;
  const stamp = stampOf(sqliteFile);
  const have = await onCluster<{ comment: string | null }>(cluster, `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`, [name]);
  if (have.length && have[0].comment === stamp) {
    log(`pg: ${name} already holds ${sqliteFile} (${stamp})`);
    return name;
  }
  const loading = `${name}_loading`;
  const url = await createDatabase(cluster, loading);
  const t0 = Date.now();
  const db = openPostgres(url);
  db.$engine.close();
  const sqlite = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  try {
    const pgColumns = await onCluster<{ table_name: string; column_name: string }>(
      url,
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_generated = 'NEVER' AND column_name <> 'tx' ORDER BY table_name, ordinal_position`,
    );
    const byTable = new Map<string, string[]>();
    for (const r of pgColumns) byTable.set(r.table_name, [...(byTable.get(r.table_name) ?? []), r.column_name]);
    const sqliteTables = new Set((sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    for (const [table, cols] of byTable) {
      if (!sqliteTables.has(table) || table.startsWith("__")) continue;
      const have = new Set((sqlite.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((r) => r.name));
      const shared = cols.filter((c) => have.has(c));
      if ((sqlite.prepare(`SELECT EXISTS (SELECT 1 FROM "${table}") AS x`).get() as { x: number }).x === 0) continue;
      await onCluster(url, `DELETE FROM "${table}"`);
      const t = Date.now();
      const n = await copyTable(sqlite, url, table, shared);
      log(`pg: loaded ${table}: ${n.toLocaleString("en-US")} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const identities = await onCluster<{ table_name: string; column_name: string }>(
      url,
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'`,
    );
    for (const { table_name: t, column_name: c } of identities) {
      await onCluster(url, `SELECT setval(pg_get_serial_sequence('"${t}"', '${c}'), coalesce((SELECT max("${c}") FROM "${t}"), 0) + 1, false)`);
    }
    const v = Date.now();
    await onCluster(url, `VACUUM (ANALYZE)`);
    log(`pg: VACUUM ANALYZE in ${((Date.now() - v) / 1000).toFixed(1)} s`);
  } finally {
    sqlite.close();
  }
  await dropDatabase(cluster, name);
  await onCluster(cluster, `ALTER DATABASE ${ident(loading)} RENAME TO ${ident(name)}`);
  await onCluster(cluster, `COMMENT ON DATABASE ${ident(name)} IS '${stamp.replace(/'/g, "''")}'`);
  log(`pg: ${sqliteFile} loaded into ${name} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return name;
}

/** Size of a database, in MiB. */
export async function databaseMiB(cluster: string, name: string): Promise<number> {
  const [r] = await onCluster<{ b: string }>(cluster, `SELECT pg_database_size($1) AS b`, [name]);
  return Number(r.b) / 2 ** 20;
}

/** The server processes (backends) of the connections whose application_name is `app`: their CPU is the database's share of a request. */
export async function backendPids(cluster: string, app: string): Promise<number[]> {
  const rows = await onCluster<{ pid: number }>(cluster, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, [app]);
  return rows.map((r) => r.pid);
}

/** `url` with application_name set (so the bench can find its backends). */
export function withApplicationName(url: string, app: string): string {
  const u = new URL(url);
  u.searchParams.set("application_name", app);
  return u.toString();
}
