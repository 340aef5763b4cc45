import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiApp } from "@/lib/http/app";
import { makeTestDb } from "@/test/db";
import { startTestServer, type TestServer } from "@/test/server";

// The default headers go onto Node's response before the route runs when served by Node, and onto
// the answer afterwards under app.request: both must give the same headers, and a route's own wins.
const defaults = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
};

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("API default headers and request id", () => {
  test("over real HTTP: every answer (2xx, 401, 404, 422, 413) carries the defaults and its request id", async () => {
    const agent = s.agentToken("backend-developer").token;
    const answers = [
      await s.request("/api/health", { headers: { "x-request-id": "hdr-1" } }),
      await s.request("/api/v1/tasks?limit=1", { headers: { "x-request-id": "hdr-2" } }),
      await s.request("/api/v1/nothing-here", { token: agent, headers: { "x-request-id": "hdr-3" } }),
      await s.request("/api/v1/messages", { method: "POST", token: agent, body: { to: 5 }, headers: { "x-request-id": "hdr-4" } }),
      await s.request("/api/v1/messages", { method: "POST", token: agent, rawBody: "x".repeat(1024 * 1024 + 10), headers: { "x-request-id": "hdr-5", "content-type": "application/json" } }),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 422, 413]);
    answers.forEach((r, i) => {
      expect(Object.fromEntries(r.headers)).toMatchObject(defaults);
      expect(r.headers.get("x-request-id")).toBe(`hdr-${i + 1}`);
    });
  });

  test("an unusable X-Request-Id is replaced by a UUID", async () => {
    const r = await s.request("/api/health", { headers: { "x-request-id": "has spaces and/slashes" } });
    expect(r.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a route's own headers win over the defaults, over HTTP and in process alike", async () => {
    const overHttp = await s.request("/api/docs");
    const t = makeTestDb();
    try {
      const inProcess = await createApiApp(t.db).app.request("/api/docs");
      for (const r of [overHttp, inProcess]) {
        expect(r.status).toBe(200);
        expect(r.headers.get("content-security-policy")).toContain("style-src 'unsafe-inline'");
        expect(r.headers.get("x-content-type-options")).toBe("nosniff");
        expect(r.headers.get("cache-control")).toBe("no-store");
      }
    } finally {
      t.cleanup();
    }
  });

  test("in process (no Node response), the same defaults are set on the answer", async () => {
    const t = makeTestDb();
    try {
      const r = await createApiApp(t.db).app.request("/api/v1/tasks", { headers: { "x-request-id": "hdr-in" } });
      expect(r.status).toBe(401);
      expect(Object.fromEntries(r.headers)).toMatchObject(defaults);
      expect(r.headers.get("x-request-id")).toBe("hdr-in");
    } finally {
      t.cleanup();
    }
  });
});
