import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { makeTestDb, people } from "@/test/db";
import { authenticate, createToken } from "@/lib/services";
import { OTHER_WRITERS_CHECK_MS } from "./auth-cache";

let t: ReturnType<typeof makeTestDb> | null = null;
afterEach(() => {
  t?.cleanup();
  t = null;
});

describe("remembered credentials", () => {
  it("a token revoked by another process (another connection, no service verb) is refused within the check interval", async () => {
    t = makeTestDb();
    const minted = createToken(t.ctx(people.admin), { agent: "backend-developer", label: "cache test" });
    expect(authenticate(t.db, { bearer: minted.token })).toMatchObject({ kind: "agent", name: "backend-developer" });
    // Remembered: a second look costs no query.
    expect(authenticate(t.db, { bearer: minted.token })).toMatchObject({ kind: "agent" });

    // Another process revokes it: a plain UPDATE on its own connection, as the CLI's commit would land.
    const other = new Database(t.file);
    other.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").run(Date.now(), minted.id);
    other.close();

    await new Promise((r) => setTimeout(r, OTHER_WRITERS_CHECK_MS + 1));
    expect(authenticate(t.db, { bearer: minted.token })).toBeNull();
  });
});
