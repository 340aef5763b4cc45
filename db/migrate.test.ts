import { afterEach, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { openDatabase } from "./client";
import { applyMigrations } from "./migrate";
import { readMigrationFiles } from "drizzle-orm/migrator";

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-mig-"));
  dirs.push(d);
  return path.join(d, "m.db");
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const tables = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table') AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);

it("applies every migration to an empty database with the settings every process shares", () => {
  const file = tmp();
  const db = openDatabase(file);
  const sqlite = db.$client;
  expect(tables(sqlite)).toEqual(
    expect.arrayContaining([
      "agents",
      "api_tokens",
      "events",
      "idempotency_keys",
      "instructions",
      "messages",
      "messages_fts",
      "outputs",
      "reviews",
      "sessions",
      "task_dependencies",
      "task_steps",
      "tasks",
      "users",
    ]),
  );
  expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
  expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  expect(sqlite.pragma("busy_timeout", { simple: true })).toBeGreaterThan(0);
  expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
  sqlite.close();
});

it("re-applying is a no-op", () => {
  const file = tmp();
  openDatabase(file).$client.close();
  const sqlite = new Database(file);
  const before = sqlite.prepare(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get();
  expect(applyMigrations(sqlite)).toEqual({ applied: 0 });
  expect(sqlite.prepare(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get()).toEqual(before);
  sqlite.close();
});

it("two processes starting together migrate once and both succeed", async () => {
  const file = tmp();
  const script = `import { openDatabase } from "./db/client"; const db = openDatabase(process.argv[1]); console.log(db.$client.prepare('SELECT count(*) AS n FROM "__drizzle_migrations"').get().n);`;
  const run = () =>
    new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, file], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      c.stdout.on("data", (d) => (out += d));
      c.stderr.on("data", (d) => (err += d));
      c.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(err))));
    });
  const [a, b] = await Promise.all([run(), run()]);
  const sqlite = new Database(file);
  const n = (sqlite.prepare(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get() as { n: number }).n;
  expect(n).toBeGreaterThanOrEqual(2);
  expect([a, b]).toEqual([String(n), String(n)]);
  sqlite.close();
}, 30_000);

it("0008 counts the unread messages already there (a database from before it gets right counts)", () => {
  const file = tmp();
  const sqlite = openDatabase(file).$client;
  const insert = sqlite.prepare(
    "INSERT INTO messages (id, thread_id, from_kind, from_name, to_inbox, type, priority, subject, body, created_at, read_at, archived_at) VALUES (?, ?, 'agent', 'x', ?, 'status_update', 'normal', '', 'b', 1, ?, ?)",
  );
  const rows: [string, number | null, number | null][] = [
    ["hitl", null, null],
    ["hitl", null, null],
    ["hitl", 5, null],
    ["backend-developer", null, null],
    ["backend-developer", null, 7],
    ["frontend-developer", 3, 4],
  ];
  rows.forEach(([inbox, read, archived], i) => insert.run(`msg_${i}`, `msg_${i}`, inbox, read, archived));
  // Back to the state before 0008: no table, no triggers, 0008 and what follows not recorded as applied.
  sqlite.exec("DROP TRIGGER messages_unread_ai; DROP TRIGGER messages_unread_ad; DROP TRIGGER messages_unread_au; DROP TABLE inbox_unread;");
  const journal = JSON.parse(fs.readFileSync(path.join(__dirname, "migrations", "meta", "_journal.json"), "utf8")) as { entries: { tag: string; when: number }[] };
  const since = journal.entries.find((e) => e.tag === "0008_inbox_unread")!.when;
  // 0008 and 0009 only: the later ones change other tables and are tested on their own.
  const until = journal.entries.find((e) => e.tag.startsWith("0010_"))!.when;
  const later = journal.entries.filter((e) => e.when >= since && e.when < until).length;
  sqlite.prepare(`DELETE FROM "__drizzle_migrations" WHERE created_at >= ? AND created_at < ?`).run(since, until);
  expect(applyMigrations(sqlite)).toEqual({ applied: later });
  expect(sqlite.prepare("SELECT inbox, unread FROM inbox_unread ORDER BY inbox").all()).toEqual([
    { inbox: "backend-developer", unread: 1 },
    { inbox: "hitl", unread: 2 },
  ]);
  // And the triggers are back: a new unread message counts.
  insert.run("msg_new", "msg_new", "frontend-developer", null, null);
  expect(sqlite.prepare("SELECT unread FROM inbox_unread WHERE inbox = 'frontend-developer'").pluck().get()).toBe(1);
  sqlite.close();
});

it("0010 rebuilds runs (task_id may be null) without losing a run's log, its task or a token's link", () => {
  const file = tmp();
  const sqlite = new Database(file);
  sqlite.pragma("foreign_keys = ON");
  // The database as it was before 0010: every earlier migration applied and recorded.
  const all = readMigrationFiles({ migrationsFolder: path.join(__dirname, "migrations") });
  const journal = JSON.parse(fs.readFileSync(path.join(__dirname, "migrations", "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.startsWith("0010_"));
  sqlite.exec(`CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  for (const m of all.slice(0, at)) {
    for (const s of m.sql) if (s.trim()) sqlite.exec(s);
    sqlite.prepare(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`).run(m.hash, m.folderMillis);
  }
  sqlite.exec(`INSERT INTO agents (name, synced_at, created_at) VALUES ('a', 1, 1)`);
  sqlite.exec(`INSERT INTO instructions (id, title, created_by, created_at, updated_at) VALUES ('ins_1', 'i', 'x', 1, 1)`);
  sqlite.exec(`INSERT INTO tasks (id, instruction_id, ref, title, assigned_agent, created_by, created_at, updated_at) VALUES ('tsk_1', 'ins_1', 'T1', 't', 'a', 'x', 1, 1)`);
  sqlite.exec(`INSERT INTO runs (id, task_id, agent_name, preset, requested_by, created_at, log_lines) VALUES ('run_1', 'tsk_1', 'a', 'command', 'x', 1, 2)`);
  sqlite.exec(`INSERT INTO run_log (run_id, seq, stream, text, at) VALUES ('run_1', 1, 'stdout', 'one', 1), ('run_1', 2, 'stdout', 'two', 2)`);

  expect(applyMigrations(sqlite).applied).toBe(all.length - at);
  expect(sqlite.prepare("SELECT text FROM run_log WHERE run_id = 'run_1' ORDER BY seq").pluck().all()).toEqual(["one", "two"]);
  expect(sqlite.prepare("SELECT task_id, log_lines, input_tokens, session_id FROM runs").get()).toEqual({ task_id: "tsk_1", log_lines: 2, input_tokens: 0, session_id: null });
  expect(sqlite.prepare("SELECT round FROM tasks").pluck().get()).toBe(1);
  expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
  // A run without a task is now possible; deleting the task still takes its runs and their logs.
  sqlite.exec(`INSERT INTO runs (id, task_id, agent_name, preset, requested_by, created_at) VALUES ('run_2', NULL, 'a', 'command', 'x', 2)`);
  sqlite.exec(`DELETE FROM tasks WHERE id = 'tsk_1'`);
  expect(sqlite.prepare("SELECT id FROM runs").pluck().all()).toEqual(["run_2"]);
  expect(sqlite.prepare("SELECT count(*) FROM run_log").pluck().get()).toBe(0);
  sqlite.close();
});

it("0012 indexes the tasks, outputs and instructions already there, and its triggers keep the indexes in step", () => {
  const file = tmp();
  const sqlite = new Database(file);
  sqlite.pragma("foreign_keys = ON");
  // The database as it was before 0012: every earlier migration applied and recorded.
  const all = readMigrationFiles({ migrationsFolder: path.join(__dirname, "migrations") });
  const journal = JSON.parse(fs.readFileSync(path.join(__dirname, "migrations", "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.startsWith("0012_"));
  sqlite.exec(`CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  for (const m of all.slice(0, at)) {
    for (const s of m.sql) if (s.trim()) sqlite.exec(s);
    sqlite.prepare(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`).run(m.hash, m.folderMillis);
  }
  sqlite.exec(`INSERT INTO agents (name, synced_at, created_at) VALUES ('a', 1, 1), ('b', 1, 1)`);
  sqlite.exec(`INSERT INTO instructions (id, title, body, created_by, created_at, updated_at) VALUES ('ins_1', 'Heron plan', 'an egret body', 'x', 1, 1)`);
  sqlite.exec(
    `INSERT INTO tasks (id, instruction_id, ref, title, description, acceptance_criteria, assigned_agent, created_by, created_at, updated_at) VALUES ('tsk_1', 'ins_1', 'T1', 'Stork task', 'a crane description', '["an ibis criterion"]', 'a', 'x', 1, 1)`,
  );
  sqlite.exec(
    `INSERT INTO outputs (id, task_id, version, format, content, submitted_by, created_at) VALUES ('out_1', 'tsk_1', 1, 'text', 'a puffin draft', 'a', 1), ('out_2', 'tsk_1', 2, 'text', 'a gannet draft', 'a', 2)`,
  );

  expect(applyMigrations(sqlite).applied).toBe(all.length - at);
  const find = (table: string, q: string) => sqlite.prepare(`SELECT id FROM ${table} WHERE ${table} MATCH ? ORDER BY rowid`).pluck().all(q);
  expect(find("tasks_fts", "stork")).toEqual(["tsk_1"]);
  expect(find("tasks_fts", "crane")).toEqual(["tsk_1"]);
  expect(find("tasks_fts", "ibis")).toEqual(["tsk_1"]);
  expect(find("outputs_fts", "puffin")).toEqual(["out_1"]);
  expect(find("outputs_fts", "gannet")).toEqual(["out_2"]);
  expect(find("instructions_fts", "egret")).toEqual(["ins_1"]);
  // The triggers: updates, a reassignment and deletes.
  sqlite.exec(`UPDATE tasks SET title = 'Pelican task' WHERE id = 'tsk_1'`);
  expect(find("tasks_fts", "stork")).toEqual([]);
  expect(find("tasks_fts", "pelican")).toEqual(["tsk_1"]);
  sqlite.exec(`UPDATE tasks SET assigned_agent = 'b' WHERE id = 'tsk_1'`);
  expect(sqlite.prepare(`SELECT DISTINCT agent FROM outputs_fts`).pluck().all()).toEqual([`k${Buffer.from("b").toString("hex")}`]);
  sqlite.exec(`UPDATE instructions SET body = 'a cormorant body' WHERE id = 'ins_1'`);
  expect(find("instructions_fts", "egret")).toEqual([]);
  expect(find("instructions_fts", "cormorant")).toEqual(["ins_1"]);
  sqlite.exec(`DELETE FROM outputs WHERE id = 'out_1'`);
  expect(find("outputs_fts", "puffin")).toEqual([]);
  sqlite.exec(`DELETE FROM tasks WHERE id = 'tsk_1'`);
  expect(sqlite.prepare(`SELECT count(*) FROM tasks_fts`).pluck().get()).toBe(0);
  expect(sqlite.prepare(`SELECT count(*) FROM outputs_fts`).pluck().get()).toBe(0);
  sqlite.exec(`DELETE FROM instructions WHERE id = 'ins_1'`);
  expect(sqlite.prepare(`SELECT count(*) FROM instructions_fts`).pluck().get()).toBe(0);
  sqlite.close();
});
