import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import * as s from "@/lib/services";
import { makeTestDb, people } from "@/test/db";
import { createTestDatabase, databaseUrl, dropTestDatabase } from "@/test/pg";

// Followers of the events table on PostgreSQL read only events of finished transactions, in
// transaction order (db/engine/dialect-pg.ts): an event that commits late with a lower id is
// delivered after the ones already read, never skipped; and a transaction in ANOTHER database of
// the cluster (transaction ids are cluster-wide) holds nobody back here.

let t: ReturnType<typeof makeTestDb>;
const opened: Db[] = [];
let elsewhere: string | null = null;
beforeEach(() => (t = makeTestDb()));
afterEach(() => {
  for (const db of opened.splice(0)) db.$engine.close();
  if (elsewhere) dropTestDatabase(elsewhere);
  elsewhere = null;
  t.cleanup();
});

const rex = () => t.ctx(people.reviewer);
const verbsAfter = (afterId: number) => s.listEvents(rex(), { afterId }).map((e) => e.verb);

describe("the events follower on PostgreSQL", () => {
  it("does not skip an event whose transaction commits after a later one's, and delivers it after", () => {
    const start = s.lastEventId(rex());
    const late = t.reopen();
    opened.push(late);
    // A transaction on another connection appends an event (its id comes first) and stays open
    // while this connection commits a later one.
    late.$engine.transaction((tx) => {
      s.sendMessage({ db: tx as unknown as Db, actor: people.admin }, { to: "backend-developer", body: "late" });
      s.createInstruction(rex(), { title: "early" }); // a later id, committed first (no row in common)
      // The follower waits for the open transaction rather than passing over its id.
      expect(verbsAfter(start)).toEqual([]);
      expect(s.lastEventId(rex())).toBe(start);
    });
    expect(verbsAfter(start)).toEqual(["message.sent", "instruction.created"]);
    const [first, second] = s.listEvents(rex(), { afterId: start });
    expect(first.id).toBeLessThan(second.id);
    // Resuming from the first one read gives exactly the second; from the second, nothing.
    expect(s.listEvents(rex(), { afterId: first.id }).map((e) => e.id)).toEqual([second.id]);
    expect(s.listEvents(rex(), { afterId: second.id })).toEqual([]);
    expect(s.lastEventId(rex())).toBe(second.id);
  });

  it("starts a new follower after the last event in transaction order, not after the largest id", () => {
    const start = s.lastEventId(rex());
    const older = t.reopen();
    opened.push(older);
    older.$engine.transaction((tx) => {
      tx.run(sql`SELECT pg_current_xact_id()`); // this transaction takes its id first...
      s.createInstruction(rex(), { title: "younger transaction, smaller event id" }); // ...this one commits first
      s.sendMessage({ db: tx as unknown as Db, actor: people.admin }, { to: "backend-developer", body: "older transaction, larger event id" });
    });
    const [first, last] = s.listEvents(rex(), { afterId: start });
    expect([first.verb, last.verb]).toEqual(["message.sent", "instruction.created"]);
    expect(first.id).toBeGreaterThan(last.id);
    // A follower starting now is handed neither again.
    expect(s.lastEventId(rex())).toBe(last.id);
    expect(s.listEvents(rex(), { afterId: s.lastEventId(rex()) })).toEqual([]);
  });

  it("is not held back by a transaction open in another database of the cluster", () => {
    elsewhere = createTestDatabase();
    const other = openPostgres(databaseUrl(elsewhere), { migrate: false });
    opened.push(other);
    other.$engine.transaction((tx) => {
      s.createInstruction({ db: tx as unknown as Db, actor: people.admin }, { title: "in another database" }); // takes a transaction id, stays open
      const start = s.lastEventId(rex());
      s.createInstruction(rex(), { title: "here" });
      expect(verbsAfter(start)).toEqual(["instruction.created"]);
      // The same open transaction in THIS database holds the follower back (the first test).
      expect(tx.get<{ n: number }>(sql`SELECT count(*) AS n FROM events`)!.n).toBeGreaterThan(0);
    });
  });
});
