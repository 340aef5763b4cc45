import { afterAll, beforeAll, expect, test } from "vitest";
import { json, startTestServer, type TestServer } from "@/test/server";

let s: TestServer;
beforeAll(async () => {
  // Before the app is built: the process-wide limiter reads these once. This file runs in its own worker.
  process.env.AGENTDESK_AGENT_RATE_LIMIT = "5";
  process.env.AGENTDESK_AGENT_RATE_WINDOW_MS = "60000";
  s = await startTestServer();
});
afterAll(() => s.close());

test("bearer tokens are rate limited per token, REST and MCP together, with Retry-After on 429", async () => {
  const a = s.agentToken("backend-developer").token;
  const b = s.agentToken("backend-developer").token;
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await s.request("/api/v1/me", { token: a })).status);
  expect(statuses).toEqual([200, 200, 200, 200, 200]);

  const limited = await s.request("/api/v1/me", { token: a });
  expect(limited.status).toBe(429);
  expect(limited.headers.get("content-type")).toBe("application/problem+json");
  expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await json(limited)).code).toBe("rate_limited");

  const mcp = await s.request("/api/mcp", {
    token: a,
    body: { jsonrpc: "2.0", id: 1, method: "tools/list" },
    headers: { accept: "application/json, text/event-stream" },
  });
  expect(mcp.status).toBe(429);

  // Another token of the same agent has its own budget; a browser session is not counted.
  expect((await s.request("/api/v1/me", { token: b })).status).toBe(200);
  const person = s.person("viewer");
  for (let i = 0; i < 7; i++) expect((await s.request("/api/v1/me", { cookie: person.cookie })).status).toBe(200);
});
