import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openPostgres } from "@/db/engine/pg";
import * as s from "@/lib/services";
import { agent, makeTestDb, people } from "@/test/db";
import { createTestDatabase, databaseUrl, dropTestDatabase } from "@/test/pg";
import { countOf, one } from "@/test/sql";
import { OpsError } from "./check";
import { backupPostgres, restorePostgres } from "./pg-backup";

// `agentdesk backup` / `restore` on PostgreSQL: pg_dump and pg_restore against real databases of
// the test cluster.

let t: ReturnType<typeof makeTestDb>;
let dir: string;
let target: string;
beforeEach(() => {
  t = makeTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-pgdump-"));
  target = createTestDatabase();
});
afterEach(() => {
  t.cleanup();
  dropTestDatabase(target);
  fs.rmSync(dir, { recursive: true, force: true });
});

function work() {
  const inst = s.createInstruction(t.ctx(people.admin), { title: "Ship the ledger" });
  const task = s.createTask(t.ctx(people.admin), { instructionId: inst.id, title: "Ledger API", assignedAgent: "backend-developer" });
  s.claimTask(t.ctx(agent("backend-developer")), { taskId: task.id });
  s.sendMessage(t.ctx(agent("backend-developer")), { to: "frontend-developer", type: "consultation", body: "Which shape?" });
  return task;
}

const counts = (db: Parameters<typeof countOf>[0]) => ({ tasks: countOf(db, "tasks"), messages: countOf(db, "messages"), events: countOf(db, "events") });

async function refusal(p: Promise<unknown>): Promise<OpsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OpsError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("backup and restore on PostgreSQL", () => {
  it("backs up a consistent snapshot, restores it whole into another database, and live followers read new events after the restored ones", async () => {
    work();
    const before = counts(t.db);
    const file = path.join(dir, "agentdesk.dump");
    const b = await backupPostgres(t.url!, file);
    expect({ tasks: b.tasks, messages: b.messages, events: b.events }).toEqual(before);
    expect(b.bytes).toBeGreaterThan(0);
    expect(fs.readdirSync(dir)).toEqual(["agentdesk.dump"]); // no temporary file left
    s.createInstruction(t.ctx(people.admin), { title: "After the backup" }); // not in the dump

    const r = await restorePostgres(file, databaseUrl(target));
    expect({ tasks: r.tasks, messages: r.messages, events: r.events }).toEqual(before);
    // The target held an (empty) AgentDesk database: kept as a dump beside the backup.
    expect(r.previous && fs.existsSync(r.previous)).toBeTruthy();

    const restored = openPostgres(databaseUrl(target), { migrate: false });
    try {
      expect(counts(restored)).toEqual(before);
      expect(one<{ n: number }>(restored, "SELECT count(*) AS n FROM events WHERE tx <> '1'::xid8")!.n).toBe(0);
      // A follower at the last restored event sees a new one (its transaction id sorts after).
      const ctx = { db: restored, actor: people.admin };
      const last = s.lastEventId(ctx);
      expect(last).toBeGreaterThan(0);
      s.createInstruction(ctx, { title: "On the restored database" });
      const after = s.listEvents(ctx, { afterId: last });
      expect(after.map((e) => e.verb)).toContain("instruction.created");
      // The append-only guard came back with the restore.
      expect(() => one(restored, "UPDATE events SET verb = 'forged' RETURNING id")).toThrow(/append-only/);
    } finally {
      restored.$engine.close();
    }
  });

  it("refuses while another AgentDesk is connected to the target, and a file that is not a dump, changing nothing", async () => {
    work();
    const file = path.join(dir, "agentdesk.dump");
    await backupPostgres(t.url!, file);
    const server = openPostgres(databaseUrl(target), { migrate: false });
    try {
      const e = await refusal(restorePostgres(file, databaseUrl(target)));
      expect(e.code).toBe("in_use");
      expect(e.message).toMatch(/1 other AgentDesk connection is open/);
      expect(countOf(server, "tasks")).toBe(0);
    } finally {
      server.$engine.close();
    }
    const junk = path.join(dir, "junk.dump");
    fs.writeFileSync(junk, "not a dump");
    expect((await refusal(restorePostgres(junk, databaseUrl(target)))).code).toBe("invalid_database");
    expect((await refusal(restorePostgres(path.join(dir, "missing.dump"), databaseUrl(target)))).code).toBe("not_found");
    expect((await refusal(backupPostgres(t.url!, path.join(dir, "no-such-folder", "x.dump")))).code).toBe("not_found");
  });

  it("says what to install when pg_dump is missing", async () => {
    const PATH = process.env.PATH;
    process.env.PATH = dir; // an empty folder
    try {
      const e = await refusal(backupPostgres(t.url!, path.join(dir, "x.dump")));
      expect(e.code).toBe("unavailable");
      expect(e.message).toMatch(/pg_dump is not installed/);
    } finally {
      process.env.PATH = PATH;
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
