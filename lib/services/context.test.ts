import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { makeTestDb } from "@/test/db";
import { immediateTx } from "./context";

let t: ReturnType<typeof makeTestDb> | null = null;
afterEach(() => {
  t?.cleanup();
  t = null;
});

const count = (db: Database.Database) => (db.prepare("SELECT count(*) AS n FROM _tx_probe").get() as { n: number }).n;

describe("immediateTx (one transaction object and native wrapper per connection)", () => {
  it("commits, rolls back on a throw, nests as savepoints, and reuses the same transaction object", () => {
    t = makeTestDb();
    const c = t.db.$client;
    c.exec("CREATE TABLE _tx_probe (v INTEGER)");
    const seen: unknown[] = [];
    expect(
      immediateTx(t.db, (tx) => {
        seen.push(tx);
        tx.run(sql`INSERT INTO _tx_probe (v) VALUES (1)`);
        return "done";
      }),
    ).toBe("done");
    expect(count(c)).toBe(1);

    expect(() =>
      immediateTx(t!.db, (tx) => {
        seen.push(tx);
        tx.run(sql`INSERT INTO _tx_probe (v) VALUES (2)`);
        throw new Error("refused");
      }),
    ).toThrow("refused");
    expect(count(c)).toBe(1);
    expect(c.inTransaction).toBe(false);

    // A nested transaction that fails rolls back to its savepoint only; the outer one commits.
    immediateTx(t.db, (tx) => {
      seen.push(tx);
      tx.run(sql`INSERT INTO _tx_probe (v) VALUES (3)`);
      expect(() =>
        tx.transaction((inner) => {
          inner.run(sql`INSERT INTO _tx_probe (v) VALUES (4)`);
          throw new Error("inner");
        }),
      ).toThrow("inner");
      // And immediateTx called inside becomes a savepoint as well.
      immediateTx(t!.db, (again) => again.run(sql`INSERT INTO _tx_probe (v) VALUES (5)`));
    });
    expect(c.prepare("SELECT v FROM _tx_probe ORDER BY v").pluck().all() as number[]).toEqual([1, 3, 5]);
    expect(new Set(seen).size).toBe(1);
  });

  it("takes the write lock up front: another connection cannot start a write while fn runs", () => {
    t = makeTestDb();
    t.db.$client.exec("CREATE TABLE _tx_probe (v INTEGER)");
    const other = new Database(t.file, { timeout: 0 });
    try {
      immediateTx(t.db, () => {
        // Nothing written yet, yet the lock is held (a DEFERRED transaction would not hold it).
        expect(() => other.exec("BEGIN IMMEDIATE")).toThrow(/locked|busy/i);
      });
      other.exec("BEGIN IMMEDIATE; INSERT INTO _tx_probe (v) VALUES (9); COMMIT");
      expect(count(t.db.$client)).toBe(1);
    } finally {
      other.close();
    }
  });
});
