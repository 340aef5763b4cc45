import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type SqliteDb } from "./client";
import { openPostgres } from "./engine/pg";
import { databaseUrl, runId, testClusterUrl } from "@/test/pg";

// The two engines' schemas, as migrated, describe the same tables, columns, keys, indexes, foreign
// keys and triggers (issue #21). Both sides are built by the real migrators from the real
// migrations (db/migrations on a fresh SQLite file, db/migrations-pg on a fresh PostgreSQL
// database) and read back from the catalogs, so a hand-written migration that drifts is caught as
// well as a generated one.

/** What only one engine has, on purpose. Anything else present on one side only is a failure. */
const allowed = {
  /** FTS5 indexes (0006, 0007, 0012): PostgreSQL searches the fts columns below. */
  sqliteTables: ["messages_fts", "messages_fts_vocab", "tasks_fts", "tasks_fts_vocab", "outputs_fts", "outputs_fts_vocab", "instructions_fts", "instructions_fts_vocab"],
  /** The shadow tables FTS5 keeps for each fts5 table (not the fts5vocab ones). */
  fts5ShadowSuffixes: ["_data", "_idx", "_content", "_docsize", "_config"],
  /** The access epoch that replaces PRAGMA data_version across replicas (0001_agentdesk). */
  pgTables: ["agentdesk_epochs"],
  /** Each migrator's bookkeeping (SQLite's is in the main schema; PostgreSQL's in the schema drizzle). */
  bothTables: ["__drizzle_migrations"],
  /** The follower order of events (xid8), the stored tsvector columns (0001_agentdesk) and the word pairs and output's agent search reads (0005_search_words). */
  pgColumns: [
    "events.tx",
    "messages.fts",
    "tasks.fts",
    "outputs.fts",
    "instructions.fts",
    "messages.fts_pairs",
    "tasks.fts_pairs",
    "outputs.fts_pairs",
    "instructions.fts_pairs",
    "outputs.search_agent",
  ],
  pgIndexes: [
    "events_tx_idx",
    "messages_fts_idx",
    "tasks_fts_idx",
    "outputs_fts_idx",
    "instructions_fts_idx",
    "messages_inbox_seq_idx",
    "messages_inbox_live_idx",
    "messages_fts_pairs_idx",
    "tasks_fts_pairs_idx",
    "outputs_fts_pairs_idx",
    "instructions_fts_pairs_idx",
    "outputs_search_agent_idx",
    "messages_seq_brin_idx",
    "tasks_agent_id_idx",
    "tasks_instruction_agent_idx",
  ],
  /** FTS5's synchronising triggers. */
  sqliteTriggers: [
    "messages_fts_ai",
    "messages_fts_ad",
    "messages_fts_au",
    "tasks_fts_ai",
    "tasks_fts_ad",
    "tasks_fts_au",
    "outputs_fts_ai",
    "outputs_fts_ad",
    "outputs_fts_au",
    "outputs_fts_task_agent",
    "instructions_fts_ai",
    "instructions_fts_ad",
    "instructions_fts_au",
  ],
  /** NOTIFY for the live hubs of the other replicas; tasks.fts computed when a task's text changes (0004); outputs.search_agent kept as its task's agent (0005). */
  pgTriggers: ["events_notify", "tasks_fts_bi", "tasks_fts_bu", "outputs_search_agent_bi", "tasks_search_agent_ai", "tasks_search_agent_au"],
};

type TypeClass = "integer" | "text" | "real" | "other";
interface ColumnInfo {
  notNull: boolean;
  type: TypeClass;
  default: string | null;
}
interface IndexInfo {
  unique: boolean;
  columns: string[];
  where: string | null;
}
interface Catalog {
  tables: string[];
  /** "table.column" → what is compared. */
  columns: Map<string, ColumnInfo>;
  /** table → primary key columns, in order. */
  primaryKeys: Map<string, string[]>;
  /** index name → "table" and what is compared (primary keys apart). */
  indexes: Map<string, IndexInfo & { table: string }>;
  /** "table(cols) → target(cols) on delete X", one per foreign key. */
  foreignKeys: string[];
  /** "table.trigger". */
  triggers: string[];
}

/** A default or a partial index's predicate as both engines can be compared: no casts, quotes or outer parentheses, SQLite's booleans as 0/1. */
function normaliseSql(text: string | null): string | null {
  if (text === null) return null;
  let s = text
    .replace(/::[a-z ]+(\[\])?/gi, "")
    .replace(/[`"]/g, "")
    .replace(/\s+/g, " ")
    .trim();
  while (/^\(.*\)$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1).trim();
  if (/^true$/i.test(s)) return "1";
  if (/^false$/i.test(s)) return "0";
  return s.toLowerCase();
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

function sqliteTypeClass(declared: string): TypeClass {
  const t = declared.toLowerCase();
  if (t === "integer") return "integer";
  if (t === "text") return "text";
  if (t === "real") return "real";
  return "other";
}

function pgTypeClass(type: string): TypeClass {
  if (["bigint", "integer", "smallint"].includes(type)) return "integer";
  if (type === "text") return "text";
  if (type === "double precision" || type === "real") return "real";
  return "other";
}

function sqliteCatalog(db: SqliteDb): Catalog {
  const c = db.$client;
  const catalog: Catalog = { tables: [], columns: new Map(), primaryKeys: new Map(), indexes: new Map(), foreignKeys: [], triggers: [] };
  const tables = c.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[];
  for (const { name: table } of tables) {
    catalog.tables.push(table);
    const columns = c.prepare(`SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?) ORDER BY cid`).all(table) as {
      name: string;
      type: string;
      not_null: number;
      dflt_value: string | null;
      pk: number;
    }[];
    for (const col of columns) catalog.columns.set(`${table}.${col.name}`, { notNull: col.not_null === 1 || col.pk > 0, type: sqliteTypeClass(col.type), default: normaliseSql(col.dflt_value) });
    const pk = columns.filter((col) => col.pk > 0).sort((a, b) => a.pk - b.pk);
    if (pk.length)
      catalog.primaryKeys.set(
        table,
        pk.map((col) => col.name),
      );
    const indexes = c.prepare(`SELECT name, "unique" AS isUnique, origin, partial FROM pragma_index_list(?)`).all(table) as { name: string; isUnique: number; origin: string; partial: number }[];
    for (const index of indexes) {
      if (index.origin === "pk") continue;
      const columns = (c.prepare(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`).all(index.name) as { name: string }[]).map((r) => r.name);
      let where: string | null = null;
      if (index.partial) {
        const sql = (c.prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`).get(index.name) as { sql: string }).sql;
        where = normaliseSql(sql.slice(sql.search(/\bWHERE\b/i) + "WHERE".length));
      }
      catalog.indexes.set(index.name, { table, unique: index.isUnique === 1, columns, where });
    }
    const fks = c.prepare(`SELECT id, seq, "table" AS target, "from" AS source, "to" AS targetColumn, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`).all(table) as {
      id: number;
      target: string;
      source: string;
      targetColumn: string | null;
      on_delete: string;
    }[];
    for (const id of new Set(fks.map((fk) => fk.id))) {
      const parts = fks.filter((fk) => fk.id === id);
      // REFERENCES t without columns names t's primary key.
      const targetColumns = parts.map((fk, i) => fk.targetColumn ?? (c.prepare(`SELECT name FROM pragma_table_info(?) WHERE pk = ?`).get(fk.target, i + 1) as { name: string }).name);
      catalog.foreignKeys.push(`${table}(${parts.map((fk) => fk.source).join(", ")}) → ${parts[0].target}(${targetColumns.join(", ")}) on delete ${parts[0].on_delete.toLowerCase()}`);
    }
  }
  catalog.triggers = (c.prepare(`SELECT tbl_name || '.' || name AS name FROM sqlite_master WHERE type = 'trigger'`).all() as { name: string }[]).map((r) => r.name);
  return catalog;
}

const pgDeleteActions: Record<string, string> = { a: "no action", r: "restrict", c: "cascade", n: "set null", d: "set default" };

async function pgCatalog(client: pg.Client): Promise<Catalog> {
  const catalog: Catalog = { tables: [], columns: new Map(), primaryKeys: new Map(), indexes: new Map(), foreignKeys: [], triggers: [] };
  const tables = await client.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`);
  catalog.tables = tables.rows.map((r) => r.name);
  const columns = await client.query<{ table: string; name: string; not_null: string; type: string; default: string | null; identity: string }>(
    `SELECT table_name AS "table", column_name AS name, is_nullable AS not_null, data_type AS type, column_default AS "default", is_identity AS identity
     FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  for (const col of columns.rows) catalog.columns.set(`${col.table}.${col.name}`, { notNull: col.not_null === "NO", type: pgTypeClass(col.type), default: normaliseSql(col.default) });
  const indexes = await client.query<{ table: string; name: string; primary: boolean; unique: boolean; columns: string[]; predicate: string | null }>(
    `SELECT t.relname AS "table", i.relname AS name, x.indisprimary AS "primary", x.indisunique AS "unique",
       array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
       pg_get_expr(x.indpred, x.indrelid) AS predicate
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE s.nspname = 'public'`,
  );
  for (const index of indexes.rows) {
    if (index.primary) catalog.primaryKeys.set(index.table, index.columns);
    else catalog.indexes.set(index.name, { table: index.table, unique: index.unique, columns: index.columns, where: normaliseSql(index.predicate) });
  }
  const fks = await client.query<{ table: string; columns: string[]; target: string; target_columns: string[]; on_delete: string }>(
    `SELECT t.relname AS "table", r.relname AS target, c.confdeltype AS on_delete,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
       array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS target_columns
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace s ON s.oid = t.relnamespace
     WHERE c.contype = 'f' AND s.nspname = 'public'`,
  );
  catalog.foreignKeys = fks.rows.map((fk) => `${fk.table}(${fk.columns.join(", ")}) → ${fk.target}(${fk.target_columns.join(", ")}) on delete ${pgDeleteActions[fk.on_delete]}`);
  const triggers = await client.query<{ name: string }>(
    `SELECT t.relname || '.' || g.tgname AS name FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace s ON s.oid = t.relnamespace WHERE NOT g.tgisinternal AND s.nspname = 'public'`,
  );
  catalog.triggers = triggers.rows.map((r) => r.name);
  return catalog;
}

/** Every difference between the two catalogs that is not an allowed one, in words. Empty when they agree. */
function compareCatalogs(sqlite: Catalog, postgres: Catalog): string[] {
  const problems: string[] = [];
  const fts5 = allowed.sqliteTables.filter((t) => !t.endsWith("_vocab"));
  const sqliteOnlyTables = new Set([...allowed.sqliteTables, ...fts5.flatMap((t) => allowed.fts5ShadowSuffixes.map((s) => t + s)), ...allowed.bothTables]);
  const pgOnlyTables = new Set([...allowed.pgTables, ...allowed.bothTables]);
  const tables = sqlite.tables.filter((t) => !sqliteOnlyTables.has(t));
  const pgTables = postgres.tables.filter((t) => !pgOnlyTables.has(t));
  for (const t of tables) if (!pgTables.includes(t)) problems.push(`table ${t}: only on SQLite`);
  for (const t of pgTables) if (!tables.includes(t)) problems.push(`table ${t}: only on PostgreSQL`);
  const common = tables.filter((t) => pgTables.includes(t));
  const inCommon = (key: string) => common.includes(key.split(".")[0]);

  const pgOnlyColumns = new Set(allowed.pgColumns);
  for (const [key, s] of sqlite.columns) {
    if (!inCommon(key)) continue;
    const p = postgres.columns.get(key);
    if (!p) problems.push(`column ${key}: only on SQLite`);
    else {
      if (s.type !== p.type) problems.push(`column ${key}: ${s.type} on SQLite, ${p.type} on PostgreSQL`);
      if (s.notNull !== p.notNull) problems.push(`column ${key}: ${s.notNull ? "NOT NULL" : "nullable"} on SQLite, ${p.notNull ? "NOT NULL" : "nullable"} on PostgreSQL`);
      if (s.default !== p.default) problems.push(`column ${key}: default ${s.default ?? "none"} on SQLite, ${p.default ?? "none"} on PostgreSQL`);
    }
  }
  for (const key of postgres.columns.keys()) if (inCommon(key) && !sqlite.columns.has(key) && !pgOnlyColumns.has(key)) problems.push(`column ${key}: only on PostgreSQL`);

  for (const t of common) {
    const s = sqlite.primaryKeys.get(t)?.join(", ") ?? "none";
    const p = postgres.primaryKeys.get(t)?.join(", ") ?? "none";
    if (s !== p) problems.push(`primary key of ${t}: (${s}) on SQLite, (${p}) on PostgreSQL`);
  }

  const describe = (i: IndexInfo & { table: string }) => `${i.unique ? "unique " : ""}on ${i.table}(${i.columns.join(", ")})${i.where ? ` where ${i.where}` : ""}`;
  const pgOnlyIndexes = new Set(allowed.pgIndexes);
  for (const [name, s] of sqlite.indexes) {
    if (!common.includes(s.table)) continue;
    const p = postgres.indexes.get(name);
    if (!p) problems.push(`index ${name}: only on SQLite`);
    else if (describe(s) !== describe(p)) problems.push(`index ${name}: ${describe(s)} on SQLite, ${describe(p)} on PostgreSQL`);
  }
  for (const [name, p] of postgres.indexes) if (common.includes(p.table) && !sqlite.indexes.has(name) && !pgOnlyIndexes.has(name)) problems.push(`index ${name}: only on PostgreSQL`);

  for (const fk of sqlite.foreignKeys) if (!postgres.foreignKeys.includes(fk)) problems.push(`foreign key ${fk}: only on SQLite`);
  for (const fk of postgres.foreignKeys) if (!sqlite.foreignKeys.includes(fk)) problems.push(`foreign key ${fk}: only on PostgreSQL`);

  const triggerName = (t: string) => t.split(".")[1];
  for (const t of sqlite.triggers) if (!postgres.triggers.includes(t) && !allowed.sqliteTriggers.includes(triggerName(t))) problems.push(`trigger ${t}: only on SQLite`);
  for (const t of postgres.triggers) if (!sqlite.triggers.includes(t) && !allowed.pgTriggers.includes(triggerName(t))) problems.push(`trigger ${t}: only on PostgreSQL`);
  return problems.sort();
}

describe("the SQLite and PostgreSQL schemas, as migrated", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-parity-"));
  const database = `t_${runId()}_${process.pid}_parity`;
  let admin: pg.Client;
  let client: pg.Client;
  let sqlite: SqliteDb;

  beforeAll(async () => {
    sqlite = openDatabase(path.join(dir, "parity.db"));
    admin = new pg.Client({ connectionString: testClusterUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`);
    // Migrated by the engine's own migrator (db/migrate-pg.ts, the files of db/migrations-pg in order), as a server starting on it would.
    openPostgres(databaseUrl(database)).$engine.close();
    client = new pg.Client({ connectionString: databaseUrl(database) });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await admin?.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin?.end();
    sqlite?.$engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("have the same tables, columns, primary keys, indexes, foreign keys and triggers, but for the listed engine-specific ones", async () => {
    const s = sqliteCatalog(sqlite);
    const p = await pgCatalog(client);
    // Enough was read on both sides that an empty comparison means something.
    expect(s.tables).toEqual(expect.arrayContaining(["tasks", "messages", "events", "leases", "auth_throttle", "messages_fts"]));
    expect(p.tables).toEqual(expect.arrayContaining(["tasks", "messages", "events", "leases", "auth_throttle", "agentdesk_epochs"]));
    expect(s.indexes.get("messages_source_idx")?.where).toBe("source_path is not null");
    expect(p.foreignKeys).toContain("outputs(task_id) → tasks(id) on delete cascade");
    expect(p.triggers).toEqual(expect.arrayContaining(["events.events_no_update", "events.events_no_delete", "messages.messages_unread_au", "events.events_notify"]));
    // Every allowance names something that exists: a stale one could hide a real difference.
    for (const t of [...allowed.sqliteTables, ...allowed.bothTables]) expect(s.tables).toContain(t);
    for (const t of allowed.pgTables) expect(p.tables).toContain(t);
    for (const c of allowed.pgColumns) expect(p.columns.has(c), c).toBe(true);
    for (const i of allowed.pgIndexes) expect(p.indexes.has(i), i).toBe(true);
    for (const t of allowed.sqliteTriggers) expect(s.triggers.map((x) => x.split(".")[1])).toContain(t);
    for (const t of allowed.pgTriggers) expect(p.triggers.map((x) => x.split(".")[1])).toContain(t);

    expect(compareCatalogs(s, p)).toEqual([]);
  });

  it("tells a column, an index, a foreign key, a default and a trigger missing on either side", async () => {
    await client.query("BEGIN");
    try {
      await client.query(`ALTER TABLE runs DROP COLUMN launched_by`);
      await client.query(`DROP INDEX tasks_parent_idx`);
      await client.query(`ALTER TABLE outputs DROP CONSTRAINT outputs_task_id_tasks_id_fk`);
      await client.query(`ALTER TABLE agents ALTER COLUMN active DROP DEFAULT`);
      await client.query(`DROP TRIGGER messages_unread_ad ON messages`);
      await client.query(`CREATE INDEX leases_holder_idx ON leases (holder)`);
      const s = sqliteCatalog(sqlite);
      // And on the SQLite side, a table of its own and a partial index's predicate changed.
      s.tables.push("scratch");
      s.indexes.get("messages_source_idx")!.where = "source_path is null";
      expect(compareCatalogs(s, await pgCatalog(client))).toEqual([
        "column agents.active: default 1 on SQLite, none on PostgreSQL",
        "column runs.launched_by: only on SQLite",
        "foreign key outputs(task_id) → tasks(id) on delete cascade: only on SQLite",
        "index leases_holder_idx: only on PostgreSQL",
        "index messages_source_idx: on messages(source_path) where source_path is null on SQLite, on messages(source_path) where source_path is not null on PostgreSQL",
        "index tasks_parent_idx: only on SQLite",
        "table scratch: only on SQLite",
        "trigger messages.messages_unread_ad: only on SQLite",
      ]);
    } finally {
      await client.query("ROLLBACK");
    }
    expect(compareCatalogs(sqliteCatalog(sqlite), await pgCatalog(client))).toEqual([]);
  });
});
