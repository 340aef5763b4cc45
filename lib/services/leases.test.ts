import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Db } from "@/db/engine";
import { makeTestDb } from "@/test/db";
import { exec } from "@/test/sql";
import { acquireLease, holdsLease, LeaseKeeper, listLeases, releaseLease, replicaIdFromEnv } from "./leases";

// Two replicas = two connections to one database, as two server processes have.
let t: ReturnType<typeof makeTestDb>;
let a: Db;
let b: Db;
beforeEach(() => {
  t = makeTestDb();
  a = t.db;
  b = t.reopen();
});
afterEach(() => {
  b.$engine.close();
  t.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function keeper(db: Db, holder: string, log: string[], opts: { ttlMs?: number; renewMs?: number } = {}) {
  return new LeaseKeeper({ db, holder, ...opts }).hold("sweeper", {
    onGain: (token) => log.push(`${holder} gains ${token}`),
    onLose: () => log.push(`${holder} loses`),
  });
}

describe("job leases across replicas", () => {
  test("of two replicas one holds the sweeper; it renews with the same token; the other gets nothing", () => {
    const log: string[] = [];
    const ka = keeper(a, "replica-a", log);
    const kb = keeper(b, "replica-b", log);
    for (let i = 0; i < 5; i++) {
      ka.renew();
      kb.renew();
    }
    expect(log).toEqual(["replica-a gains 1"]);
    expect(ka.holds("sweeper")).toBe(true);
    expect(kb.holds("sweeper")).toBe(false);
    expect(listLeases(b)).toEqual([expect.objectContaining({ name: "sweeper", holder: "replica-a", token: 1, held: true })]);
  });

  test("a released lease is taken at the other's next renewal, with the next fencing token; the old token no longer holds", () => {
    const log: string[] = [];
    const ka = keeper(a, "replica-a", log).start();
    const kb = keeper(b, "replica-b", log).start();
    expect(holdsLease(b, "sweeper", "replica-a", 1)).toBe(true);
    ka.stop();
    expect(holdsLease(b, "sweeper", "replica-a", 1)).toBe(false);
    kb.renew();
    expect(log).toEqual(["replica-a gains 1", "replica-b gains 2"]);
    expect(holdsLease(a, "sweeper", "replica-b", 2)).toBe(true);
    expect(holdsLease(a, "sweeper", "replica-a", 2)).toBe(false);
    kb.stop();
  });

  test("a holder that stops renewing (killed) loses the lease when it expires; when it comes back it learns it lost it", async () => {
    const log: string[] = [];
    const ka = keeper(a, "replica-a", log, { ttlMs: 300, renewMs: 100 });
    const kb = keeper(b, "replica-b", log, { ttlMs: 300, renewMs: 100 });
    ka.renew();
    kb.renew();
    expect(log).toEqual(["replica-a gains 1"]);
    await sleep(350); // replica-a renews nothing meanwhile
    expect(ka.holds("sweeper")).toBe(false); // it knows its hold ran out, before renewing
    kb.renew();
    ka.renew();
    expect(log).toEqual(["replica-a gains 1", "replica-b gains 2", "replica-a loses"]);
  });

  test("the lease is read against the database's clock: a lease that expired by it is taken at once", () => {
    expect(acquireLease(a, "mirror", "replica-a")).toBe(1);
    expect(acquireLease(b, "mirror", "replica-b")).toBeNull();
    exec(b, "UPDATE leases SET expires_at = expires_at - 16000 WHERE name = ?", "mirror");
    expect(acquireLease(b, "mirror", "replica-b")).toBe(2);
    expect(acquireLease(a, "mirror", "replica-a")).toBeNull();
    expect(releaseLease(a, "mirror", "replica-a")).toBe(false); // not a's to give back
    expect(releaseLease(b, "mirror", "replica-b")).toBe(true);
    expect(acquireLease(a, "mirror", "replica-a")).toBe(3);
  });

  test("the replica id comes from AGENTDESK_REPLICA_ID, else is unique per process start", () => {
    expect(replicaIdFromEnv({ AGENTDESK_REPLICA_ID: " web-1 " } as unknown as NodeJS.ProcessEnv)).toBe("web-1");
    const x = replicaIdFromEnv({} as NodeJS.ProcessEnv);
    expect(x).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{4}$`));
  });
});
