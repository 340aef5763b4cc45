import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { makeTestDb, people } from "@/test/db";
import { authenticate, createToken } from "@/lib/services";
import { OTHER_WRITERS_CHECK_MS } from "./auth-cache";

let t: ReturnType<typeof makeTestDb> | null = null;

/** Records the SQL of every statement run on this connection until stop() (prepared ones included). */
function countStatements(client: Database.Database) {
  const proto = Object.getPrototypeOf(client.prepare("SELECT 1")) as Record<string, (...a: unknown[]) => unknown>;
  const seen: string[] = [];
  const originals = new Map<string, (...a: unknown[]) => unknown>();
  for (const m of ["get", "all", "run", "iterate"]) {
    const orig = proto[m];
    originals.set(m, orig);
    proto[m] = function (this: { source: string }, ...a: unknown[]) {
      seen.push(this.source);
      return orig.apply(this, a);
    };
  }
  const ran = () => [...seen];
  ran.stop = () => originals.forEach((fn, m) => (proto[m] = fn));
  return ran;
}
afterEach(() => {
  t?.cleanup();
  t = null;
});

describe("remembered credentials", () => {
  it("a token revoked by another process (another connection, no service verb) is refused within the check interval", async () => {
    t = makeTestDb();
    const minted = createToken(t.ctx(people.admin), { agent: "backend-developer", label: "cache test" });
    const first = countStatements(t.db.$client);
    expect(authenticate(t.db, { bearer: minted.token })).toMatchObject({ kind: "agent", name: "backend-developer" });
    expect(first().some((sql) => /api_tokens/.test(sql))).toBe(true); // the counter sees the prepared lookup
    first.stop();
    // Remembered: a second look costs no query (at most the data_version check, never the token lookup).
    const ran = countStatements(t.db.$client);
    expect(authenticate(t.db, { bearer: minted.token })).toMatchObject({ kind: "agent" });
    expect(ran().filter((sql) => !/^PRAGMA data_version$/i.test(sql))).toEqual([]);
    ran.stop();

    // Another process revokes it: a plain UPDATE on its own connection, as the CLI's commit would land.
    const other = new Database(t.file);
    other.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(Date.now(), minted.id);
    other.close();

    await new Promise((r) => setTimeout(r, OTHER_WRITERS_CHECK_MS + 1));
    expect(authenticate(t.db, { bearer: minted.token })).toBeNull();
  });
});
