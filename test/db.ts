import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type SqliteDb } from "@/db/client";
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

/** A fresh SQLite file built from the real migrations, with the repository's agents synced in. */
export function makeTestDb(): { db: SqliteDb; file: string; dir: string; ctx: (actor: Actor, now?: () => number) => ServiceContext; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-test-"));
  const file = path.join(dir, "test.db");
  const db = openDatabase(file);
  const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
  syncAgents({ db, actor: system }, agents);
  return {
    db,
    file,
    dir,
    ctx: (actor, now) => ({ db, actor, now }),
    cleanup: () => {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
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
