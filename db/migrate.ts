import type Database from "better-sqlite3";
import { readMigrationFiles } from "drizzle-orm/migrator";
import path from "node:path";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { packageRoot } from "@/lib/domain/install";

/** A folder of drizzle-kit migrations under db/: `migrations` (SQLite) or `migrations-pg` (PostgreSQL). */
export function migrationsFolder(name: "migrations" | "migrations-pg" = "migrations"): string {
  // The installed package ships them in its own db/ (lib/domain/install.ts).
  const root = packageRoot();
  if (root) return path.join(root, "db", name);
  // Works from the source tree (tsx, vitest) and from the repository root (next build output).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, name);
  if (fs.existsSync(path.join(beside, "meta", "_journal.json"))) return beside;
  return path.join(process.cwd(), "db", name);
}

/**
 * Applies drizzle-kit's migrations, keeping drizzle's own bookkeeping table so drizzle-kit stays
 * compatible, but under BEGIN IMMEDIATE: two processes starting together serialise on the write
 * lock, and the second one finds everything applied (drizzle's migrator reads before it locks).
 */
export function applyMigrations(sqlite: Database.Database): { applied: number } {
  const migrations = readMigrationFiles({ migrationsFolder: migrationsFolder() });
  sqlite.exec(`CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (
    id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  const done = new Set((sqlite.prepare(`SELECT hash FROM "__drizzle_migrations"`).all() as { hash: string }[]).map((r) => r.hash));
  if (migrations.every((m) => done.has(m.hash))) return { applied: 0 };

  let applied = 0;
  // A migration may rebuild a table (create, copy, drop, rename: the way SQLite changes a column).
  // With foreign keys on, dropping the old table would delete what references it (run_log rows of
  // runs, ON DELETE CASCADE); the pragma only takes effect outside a transaction, and the keys are
  // checked before the commit instead.
  const foreignKeys = sqlite.pragma("foreign_keys", { simple: true }) as number;
  if (foreignKeys) sqlite.pragma("foreign_keys = OFF");
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const now = new Set((sqlite.prepare(`SELECT hash FROM "__drizzle_migrations"`).all() as { hash: string }[]).map((r) => r.hash));
    const record = sqlite.prepare(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`);
    for (const m of migrations) {
      if (now.has(m.hash)) continue;
      for (const statement of m.sql) if (statement.trim()) sqlite.exec(statement);
      record.run(m.hash, m.folderMillis);
      applied++;
    }
    const broken = sqlite.pragma("foreign_key_check") as { table: string; rowid: number; parent: string }[];
    if (broken.length) throw new Error(`Migration left ${broken.length} broken foreign keys (first: ${broken[0].table} row ${broken[0].rowid} → ${broken[0].parent})`);
    sqlite.exec("COMMIT");
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw err;
  } finally {
    if (foreignKeys) sqlite.pragma("foreign_keys = ON");
  }
  return { applied };
}
