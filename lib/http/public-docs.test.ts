import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "@/test/server";

let s: TestServer;
beforeAll(async () => (s = await startTestServer()));
afterAll(() => s.close());

it("the OpenAPI document and the readable API page answer without a token", async () => {
  const doc = await s.request("/api/v1/openapi.json");
  expect(doc.status).toBe(200);
  const body = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(body.openapi).toMatch(/^3\./);
  expect(Object.keys(body.paths)).toContain("/tasks");
  for (const page of ["/api/docs", "/api/v1/docs"]) {
    const r = await s.request(page);
    expect(r.status, page).toBe(200);
    expect(await r.text()).toContain("openapi.json");
  }
});

it("everything else under /api/v1 still needs a credential", async () => {
  for (const p of ["/api/v1/tasks", "/api/v1/openapi.json/x", "/api/v1/openapi.jsonx", "/api/v1/docs/x", "/api/v1/users"]) {
    const r = await s.request(p);
    expect(r.status, p).toBe(401);
  }
  expect((await s.request("/api/v1/openapi.json", { method: "POST", body: {} })).status).not.toBe(200);
});
