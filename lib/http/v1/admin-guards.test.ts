import { afterAll, beforeAll, expect, test } from "vitest";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";

let s: TestServer;
beforeAll(async () => (s = await startTestServer()));
afterAll(() => s.close());

test("DELETE /api/v1/users/<own id> by the only admin is a 409 problem and deletes nothing; with a second admin it works", async () => {
  const ada = s.person("admin");
  const before = countRows(s.db);
  const res = await s.request(`/api/v1/users/${ada.actor.id}`, { method: "DELETE", cookie: ada.cookie });
  expect(res.status).toBe(409);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const p = await json(res);
  expect(p).toMatchObject({ status: 409, code: "conflict" });
  expect(p.detail).toMatch(/last admin/i);
  expect(countRows(s.db)).toEqual(before);
  expect((await s.request("/api/v1/me", { token: ada.token })).status).toBe(200);

  const bob = s.person("admin");
  expect((await s.request(`/api/v1/users/${ada.actor.id}`, { method: "DELETE", token: bob.token })).status).toBe(200);
  expect((await s.request(`/api/v1/users/${bob.actor.id}`, { method: "DELETE", token: bob.token })).status).toBe(409);
});

test("POST /api/v1/tokens with an expiry in the past is a 422 field error, for an agent's token and for one's own", async () => {
  const admin = s.person("admin");
  const before = countRows(s.db);
  for (const body of [
    { agent: "backend-developer", expiresAt: Date.now() - 60_000 },
    { userId: admin.actor.id, label: "old", expiresAt: Date.now() - 1000 },
  ]) {
    const res = await s.request("/api/v1/tokens", { token: admin.token, body });
    expect(res.status, JSON.stringify(body)).toBe(422);
    const p = await json(res);
    expect(p).toMatchObject({ code: "validation_failed", fields: { expiresAt: [expect.any(String)] } });
  }
  expect(countRows(s.db)).toEqual(before);
  const ok = await s.request("/api/v1/tokens", { token: admin.token, body: { agent: "backend-developer", expiresAt: Date.now() + 3_600_000 } });
  expect(ok.status).toBe(201);
});
