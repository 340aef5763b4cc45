import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { makeTestDb, refusal, system } from "@/test/db";
import { countRows } from "@/test/server";
import { changeUserRole, createUser, deleteUser } from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const hash = "scrypt$test$not-a-real-hash-000";
const asPerson = (u: { id: string; email: string; name: string; role: "admin" | "reviewer" | "viewer" }): Actor => ({ kind: "person", ...u });

describe("the last admin stays", () => {
  test("an admin cannot delete themselves when no other admin is left (409 conflict), and nothing changes", () => {
    const ada = createUser(t.ctx(system), { email: "ada@example.com", role: "admin", passwordHash: hash });
    createUser(t.ctx(system), { email: "rex@example.com", role: "reviewer", passwordHash: hash });
    const before = countRows(t.db);
    const err = refusal(() => deleteUser(t.ctx(asPerson(ada)), ada.id));
    expect(err.code).toBe("conflict");
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/last admin/i);
    expect(countRows(t.db)).toEqual(before);
  });

  test("the system actor (CLI) cannot delete or demote the last admin either", () => {
    const ada = createUser(t.ctx(system), { email: "ada@example.com", role: "admin", passwordHash: hash });
    expect(refusal(() => deleteUser(t.ctx(system), ada.id)).code).toBe("conflict");
    expect(refusal(() => changeUserRole(t.ctx(system), { userId: ada.id, role: "reviewer" })).code).toBe("conflict");
    expect(t.db.select().from(users).where(eq(users.id, ada.id)).get()?.role).toBe("admin");
  });

  test("a disabled admin does not count: the last admin who can sign in stays", () => {
    const ada = createUser(t.ctx(system), { email: "ada@example.com", role: "admin", passwordHash: hash });
    const old = createUser(t.ctx(system), { email: "old@example.com", role: "admin", passwordHash: hash });
    t.db.update(users).set({ disabledAt: Date.now() }).where(eq(users.id, old.id)).run();
    expect(refusal(() => deleteUser(t.ctx(asPerson(ada)), ada.id)).code).toBe("conflict");
    expect(refusal(() => changeUserRole(t.ctx(asPerson(ada)), { userId: ada.id, role: "viewer" })).code).toBe("conflict");
  });

  test("with two admins, one may be demoted or deleted; then the other is the last", () => {
    const ada = createUser(t.ctx(system), { email: "ada@example.com", role: "admin", passwordHash: hash });
    const bob = createUser(t.ctx(system), { email: "bob@example.com", role: "admin", passwordHash: hash });
    expect(changeUserRole(t.ctx(asPerson(ada)), { userId: bob.id, role: "reviewer" }).role).toBe("reviewer");
    expect(refusal(() => changeUserRole(t.ctx(asPerson(ada)), { userId: ada.id, role: "reviewer" })).code).toBe("conflict");
    expect(changeUserRole(t.ctx(asPerson(ada)), { userId: bob.id, role: "admin" }).role).toBe("admin");
    expect(deleteUser(t.ctx(asPerson(bob)), ada.id).id).toBe(ada.id);
    expect(refusal(() => deleteUser(t.ctx(asPerson(bob)), bob.id)).code).toBe("conflict");
    // Deleting someone who is not an admin is unaffected.
    const vi = createUser(t.ctx(system), { email: "vi@example.com", role: "viewer", passwordHash: hash });
    expect(deleteUser(t.ctx(asPerson(bob)), vi.id).id).toBe(vi.id);
  });

  test("changing a role: admins only, the new role validated, an event recorded", () => {
    const ada = createUser(t.ctx(system), { email: "ada@example.com", role: "admin", passwordHash: hash });
    const rex = createUser(t.ctx(system), { email: "rex@example.com", role: "reviewer", passwordHash: hash });
    expect(refusal(() => changeUserRole(t.ctx(asPerson(rex)), { userId: rex.id, role: "admin" })).code).toBe("forbidden");
    expect(refusal(() => changeUserRole(t.ctx(asPerson(ada)), { userId: rex.id, role: "owner" as never })).code).toBe("validation_failed");
    expect(refusal(() => changeUserRole(t.ctx(asPerson(ada)), { userId: "usr_nope", role: "viewer" })).code).toBe("not_found");
    const before = countRows(t.db).events;
    expect(changeUserRole(t.ctx(asPerson(ada)), { userId: rex.id, role: "viewer" })).toMatchObject({ id: rex.id, role: "viewer" });
    expect(countRows(t.db).events).toBe(before + 1);
  });
});
