import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Db, type SqliteDb } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import { createTestDatabase, databaseUrl, dropTestDatabase, onPostgres } from "./pg";
import { loadAgentDefinitions } from "@/lib/agents";
import { isServiceError, syncAgents, type ServiceError } from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";
import type { ServiceContext } from "@/lib/services";

export const people = {
  admin: { kind: "person", id: "usr_admin", email: "ada@example.com", name: "Ada", role: "admin" } as Actor,
  reviewer: { kind: "person", id: "usr_rev", email: "rex@example.com", name: "Rex", role: "reviewer" } as Actor,
  viewer: { kind: "person", id: "usr_view", email: "vi@example.com", name: "Vi", role: "viewer" } as Actor,
};
export const agent = (name: string): Actor => ({ kind: "agent", name });
export const system: Actor = { kind: "system", name: "test" };

/**
 * A fresh database built from the real migrations, with the repository's agents synced in: an
 * SQLite file, or in the vitest project "pg" (AGENTDESK_TEST_ENGINE=pg) a PostgreSQL database copied
 * from the run's migrated template (test/pg.ts). `db` is typed as SQLite's for the SQLite-only
 * tests that reach the file (`$client`); the suites that run on both engines use test/sql.ts.
 */
export function makeTestDb(): {
  db: SqliteDb;
  file: string;
  dir: string;
  ctx: (actor: Actor, now?: () => number) => ServiceContext;
  /** The PostgreSQL database's URL in the pg project; null on SQLite. */
  url: string | null;
  /** The file, or the PostgreSQL URL: what another process opens (openLocation). */
  location: string;
  /** Another connection to the same database, as another process (the CLI, a second replica) has. The caller closes it. */
  reopen: () => Db;
  cleanup: () => void;
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-test-"));
  const file = path.join(dir, "test.db");
  let dropDatabase = () => {};
  let reopen: () => Db = () => openDatabase(file);
  let url: string | null = null;
  let db: SqliteDb;
  if (onPostgres()) {
    const name = createTestDatabase();
    url = databaseUrl(name);
    reopen = () => openPostgres(databaseUrl(name), { migrate: false });
    db = reopen() as SqliteDb;
    dropDatabase = () => dropTestDatabase(name);
  } else db = openDatabase(file);
  const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
  syncAgents({ db, actor: system }, agents);
  return {
    db,
    file,
    dir,
    ctx: (actor, now) => ({ db, actor, now }),
    url,
    location: url ?? file,
    reopen,
    cleanup: () => {
      db.$engine.close();
      dropDatabase();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another process's connection to a test database: an SQLite file, or a PostgreSQL URL (not migrated again). */
export function openLocation(location: string): Db {
  return /^postgres(ql)?:\/\//.test(location) ? openPostgres(location, { migrate: false }) : openDatabase(location, { migrate: false });
}

/** The ServiceError a call throws; anything else it throws passes through, and not throwing fails the test. */
export function refusal(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    if (isServiceError(err)) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}
