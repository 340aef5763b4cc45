import { expect, test } from "vitest";
import { countRows, json, type TestServer } from "@/test/server";
import { withTestServer } from "@/test/suite";
import { one } from "@/test/sql";

// The admin routes as the Settings page calls them: with the session cookie, JSON bodies (`{}` on
// DELETE and revoke, as lib/queries' `call` sends), and the problem documents it shows.

let s: TestServer;
withTestServer((server) => (s = server));

test("PATCH /api/v1/users/{id} changes a role (admin, by cookie); the last admin cannot be demoted: 409 last_admin, nothing changed", async () => {
  const ada = s.person("admin");
  const rita = s.person("reviewer");
  // Other admins may exist in this file's database: demote them so Ada is the last one.
  const others = (await json<{ items: { id: string; role: string }[] }>(await s.request("/api/v1/users", { cookie: ada.cookie }))).items.filter((u) => u.role === "admin" && u.id !== ada.actor.id);
  for (const u of others) expect((await s.request(`/api/v1/users/${u.id}`, { method: "PATCH", cookie: ada.cookie, body: { role: "viewer" } })).status).toBe(200);

  const up = await s.request(`/api/v1/users/${rita.actor.id}`, { method: "PATCH", cookie: ada.cookie, body: { role: "viewer" } });
  expect(up.status).toBe(200);
  expect(await json(up)).toMatchObject({ id: rita.actor.id, email: rita.actor.email, role: "viewer" });

  const before = countRows(s.db);
  const last = await s.request(`/api/v1/users/${ada.actor.id}`, { method: "PATCH", cookie: ada.cookie, body: { role: "reviewer" } });
  expect(last.status).toBe(409);
  expect(last.headers.get("content-type")).toBe("application/problem+json");
  const p = await json(last);
  expect(p).toMatchObject({ status: 409, code: "conflict", details: { reason: "last_admin" } });
  expect(p.detail).toMatch(/last admin/i);
  expect(countRows(s.db)).toEqual(before);

  // With a second admin, Ada may step down.
  expect((await s.request(`/api/v1/users/${rita.actor.id}`, { method: "PATCH", cookie: ada.cookie, body: { role: "admin" } })).status).toBe(200);
  const down = await s.request(`/api/v1/users/${ada.actor.id}`, { method: "PATCH", cookie: ada.cookie, body: { role: "reviewer" } });
  expect(down.status).toBe(200);
  expect((await json(down)).role).toBe("reviewer");
});

test("PATCH /api/v1/users/{id}: only admins (403), an unknown person is 404, an unknown role or field is 422", async () => {
  const admin = s.person("admin");
  const victim = s.person("viewer");
  for (const who of [s.person("reviewer"), s.person("viewer")]) {
    const res = await s.request(`/api/v1/users/${victim.actor.id}`, { method: "PATCH", cookie: who.cookie, body: { role: "admin" } });
    expect(res.status).toBe(403);
  }
  const agent = s.agentToken("backend-developer").token;
  expect((await s.request(`/api/v1/users/${victim.actor.id}`, { method: "PATCH", token: agent, body: { role: "admin" } })).status).toBe(403);

  expect((await s.request("/api/v1/users/usr_nobody", { method: "PATCH", cookie: admin.cookie, body: { role: "viewer" } })).status).toBe(404);
  const bad = await s.request(`/api/v1/users/${victim.actor.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "owner" } });
  expect(bad.status).toBe(422);
  expect((await json(bad)).fields).toHaveProperty("role");
  expect((await s.request(`/api/v1/users/${victim.actor.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "viewer", email: "x@y.z" } })).status).toBe(422);
  expect((await json(await s.request("/api/v1/users", { cookie: admin.cookie }))).items.find((u: { id: string }) => u.id === victim.actor.id).role).toBe("viewer");
});

test("the Settings page's calls: create a person, mint and revoke tokens (an agent's, one's own), delete with a {} body", async () => {
  const admin = s.person("admin");
  const created = await s.request("/api/v1/users", { cookie: admin.cookie, body: { email: "New.Person@Example.com", name: "New Person", role: "reviewer", password: "a long enough password" } });
  expect(created.status).toBe(201);
  const person = await json(created);
  expect(person).toMatchObject({ email: "new.person@example.com", role: "reviewer" });
  const dup = await s.request("/api/v1/users", { cookie: admin.cookie, body: { email: "new.person@example.com", name: "", role: "viewer", password: "a long enough password" } });
  expect(dup.status).toBe(409);
  expect((await json(dup)).fields).toHaveProperty("email");

  const agentTok = await json(await s.request("/api/v1/tokens", { cookie: admin.cookie, body: { agent: "backend-developer", label: "connect:backend-developer:2026-01-01" } }));
  expect(agentTok.token).toMatch(/^adk_/);
  const mine = await json(await s.request("/api/v1/tokens", { cookie: admin.cookie, body: { userId: admin.actor.id, label: "laptop" } }));
  const list = (await json(await s.request("/api/v1/tokens", { cookie: admin.cookie }))).items as { id: string; createdBy: string; token?: string }[];
  expect(list.find((t) => t.id === agentTok.id)).toMatchObject({ createdBy: admin.actor.email });
  expect(list.every((t) => t.token === undefined)).toBe(true);
  expect(list.map((t) => t.id)).toContain(mine.id);

  const revoked = await s.request(`/api/v1/tokens/${agentTok.id}/revoke`, { cookie: admin.cookie, body: {} });
  expect(revoked.status).toBe(200);
  expect((await json(revoked)).revokedAt).not.toBeNull();
  expect((await s.request("/api/v1/me", { token: agentTok.token })).status).toBe(401);

  const del = await s.request(`/api/v1/users/${person.id}`, { method: "DELETE", cookie: admin.cookie, body: {} });
  expect(del.status).toBe(200);
  expect((await json(await s.request("/api/v1/users", { cookie: admin.cookie }))).items.map((u: { id: string }) => u.id)).not.toContain(person.id);
});

test("POST /api/v1/users/{id}/password sets a forgotten password: the person's sessions end, the old password stops working, the new one works; only admins; a short one is 422", async () => {
  const admin = s.person("admin");
  const victim = s.person("reviewer");
  expect((await s.request("/api/v1/me", { cookie: victim.cookie })).status).toBe(200); // signed in
  const list = await json<{ items: { id: string; lastSeenAt: string | null }[] }>(await s.request("/api/v1/users", { cookie: admin.cookie }));
  expect(list.items.find((u) => u.id === victim.actor.id)?.lastSeenAt).toEqual(expect.any(String));

  for (const who of [s.person("reviewer").cookie, victim.cookie]) {
    expect((await s.request(`/api/v1/users/${victim.actor.id}/password`, { method: "POST", cookie: who, body: { password: "a new long enough password" } })).status).toBe(403);
  }
  const short = await s.request(`/api/v1/users/${victim.actor.id}/password`, { method: "POST", cookie: admin.cookie, body: { password: "short" } });
  expect(short.status).toBe(422);
  expect((await json(short)).fields).toHaveProperty("password");
  expect((await s.request("/api/v1/users/usr_nobody/password", { method: "POST", cookie: admin.cookie, body: { password: "a new long enough password" } })).status).toBe(404);

  const ok = await s.request(`/api/v1/users/${victim.actor.id}/password`, { method: "POST", cookie: admin.cookie, body: { password: "a new long enough password" } });
  expect(ok.status).toBe(200);
  const body = await json(ok);
  expect(body).toMatchObject({ id: victim.actor.id, sessionsEnded: expect.any(Number) });
  expect(body.sessionsEnded).toBeGreaterThanOrEqual(1);
  // The old session is gone: the reviewer is signed out.
  expect((await s.request("/api/v1/me", { cookie: victim.cookie })).status).toBe(401);
  const row = one(s.db, "SELECT password_hash FROM users WHERE id = ?", victim.actor.id) as { password_hash: string };
  expect(row.password_hash).not.toContain("a new long enough password");
  const { verifyPassword } = await import("@/lib/auth/secrets");
  expect(await verifyPassword("a new long enough password", row.password_hash)).toBe(true);
});
