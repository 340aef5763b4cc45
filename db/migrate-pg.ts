import { readMigrationFiles } from "drizzle-orm/migrator";
import { migrationsFolder } from "./migrate";

/** The PostgreSQL migrations (drizzle-kit, drizzle.pg.config.ts), found as db/migrate.ts finds SQLite's. */
export const pgMigrationsFolder = (): string => migrationsFolder("migrations-pg");

/** What the migrator needs of a connection: one statement (or several, without parameters) at a time. */
export interface PgRunner {
  query(text: string, params?: unknown[]): Record<string, unknown>[];
}

/**
 * A fixed key for the session-level advisory lock that serialises migrations across processes
 * (any bigint would do; this one is "agentdesk" folded to 63 bits, so no other tool is likely to
 * take it).
 */
export const MIGRATION_LOCK_KEY = 7_164_637_123_461_103_411n;

/**
 * Applies drizzle-kit's PostgreSQL migrations, keeping drizzle's own bookkeeping table
 * (drizzle.__drizzle_migrations, as drizzle-kit's migrator does) so the tools stay compatible.
 * drizzle's own migrator reads the applied list before it locks anything (drizzle-orm#874): two
 * replicas starting together would both apply. Here the whole read-apply runs under
 * pg_advisory_lock: the second process waits, re-reads, and finds nothing left to do. Each file is
 * one transaction. A session lock is released by the server if this process dies.
 */
export function applyPgMigrations(db: PgRunner, folder: string = pgMigrationsFolder()): { applied: number } {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  db.query(`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
  try {
    db.query(`CREATE SCHEMA IF NOT EXISTS drizzle`);
    db.query(`CREATE TABLE IF NOT EXISTS drizzle."__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
    const done = new Set(db.query(`SELECT hash FROM drizzle."__drizzle_migrations"`).map((r) => String(r.hash)));
    let applied = 0;
    for (const m of migrations) {
      if (done.has(m.hash)) continue;
      db.query("BEGIN");
      try {
        for (const statement of m.sql) if (statement.trim()) db.query(statement);
        db.query(`INSERT INTO drizzle."__drizzle_migrations" (hash, created_at) VALUES ($1, $2)`, [m.hash, m.folderMillis]);
        db.query("COMMIT");
      } catch (err) {
        try {
          db.query("ROLLBACK");
        } catch {
          // the connection is gone: the server rolls back
        }
        throw err;
      }
      applied++;
    }
    return { applied };
  } finally {
    db.query(`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
  }
}

/** How many migrations the database has applied (0 when it was never migrated). */
export function appliedPgMigrations(db: PgRunner): number {
  const t = db.query(`SELECT to_regclass('drizzle."__drizzle_migrations"') IS NOT NULL AS present`)[0];
  if (!t?.present) return 0;
  return Number(db.query(`SELECT count(*) AS n FROM drizzle."__drizzle_migrations"`)[0].n);
}
