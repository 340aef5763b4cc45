import { afterAll, beforeAll, expect, test } from "vitest";
import { startTestServer, type TestServer } from "@/test/server";
import { SseStream } from "@/test/sse";

let s: TestServer;
const open: SseStream[] = [];
beforeAll(async () => {
  // Before the app is built: the process-wide limiter reads these once. This file runs in its own worker.
  process.env.AGENTDESK_AGENT_RATE_LIMIT = "5";
  process.env.AGENTDESK_AGENT_RATE_WINDOW_MS = "60000";
  process.env.AGENTDESK_MAX_EVENT_STREAMS = "100";
  s = await startTestServer();
});
afterAll(async () => {
  for (const x of open) x.close();
  await s.close();
});

test("opening an event stream counts against the token's request budget, with REST and MCP", async () => {
  const { token } = s.agentToken("backend-developer");
  const burst = await Promise.all(Array.from({ length: 12 }, () => SseStream.open(`${s.baseUrl}/api/events`, { authorization: `Bearer ${token}` })));
  open.push(...burst);
  const statuses = burst.map((x) => x.response.status).sort();
  expect(statuses).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
  const refused = burst.find((x) => x.response.status === 429)!;
  expect(refused.response.headers.get("retry-after")).toMatch(/^\d+$/);
  expect(await refused.problem()).toMatchObject({ code: "rate_limited" });
  // The budget is shared: REST is refused now too.
  expect((await s.request("/api/v1/me", { token })).status).toBe(429);
  // A person's browser session is not counted against it (the open-stream cap applies instead).
  const person = s.person("viewer");
  const browser = await SseStream.open(`${s.baseUrl}/api/events`, { cookie: person.cookie });
  open.push(browser);
  expect(browser.response.status).toBe(200);
});
