import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "@/test/server";

/** /api/v1/webhooks over HTTP: admin only, the secret shown once, SSRF refusals, the log and the test button. */
let srv: TestServer;
beforeAll(async () => {
  delete process.env.AGENTDESK_WEBHOOKS_ALLOW_PRIVATE;
  srv = await startTestServer();
});
afterAll(async () => srv.close());

const body = { url: "https://hooks.example.com/agentdesk", events: ["tasks_blocked", "task.*"], format: "json" };

describe("webhook routes", () => {
  it("are for admins only: reviewers, viewers and agents get 403", async () => {
    const reviewer = srv.person("reviewer");
    const viewer = srv.person("viewer");
    const agent = srv.agentToken("backend-developer");
    for (const auth of [{ cookie: reviewer.cookie }, { cookie: viewer.cookie }, { token: agent.token }]) {
      expect((await srv.request("/api/v1/webhooks", { body, ...auth })).status).toBe(403);
      expect((await srv.request("/api/v1/webhooks", auth)).status).toBe(403);
    }
  });

  it("show the secret once, then never; pause, test, log, rotate, delete", async () => {
    const admin = srv.person("admin");
    const created = await srv.request("/api/v1/webhooks", { body, cookie: admin.cookie });
    expect(created.status).toBe(201);
    const h = await created.json();
    expect(h.secret).toMatch(/^whsec_/);
    expect(h).toMatchObject({ url: body.url, events: body.events, format: "json", active: true, secretHint: `…${h.secret.slice(-4)}` });

    const list = await (await srv.request("/api/v1/webhooks", { cookie: admin.cookie })).json();
    expect(list.items).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(h.secret);
    expect(list.eventGroups.map((g: { key: string }) => g.key)).toEqual(expect.arrayContaining(["escalations", "awaiting_review", "runs_failed", "tasks_blocked", "tasks_completed"]));

    const paused = await srv.request(`/api/v1/webhooks/${h.id}`, { method: "PATCH", body: { active: false, format: "slack" }, cookie: admin.cookie });
    expect(await paused.json()).toMatchObject({ active: false, format: "slack" });

    const test = await srv.request(`/api/v1/webhooks/${h.id}/test`, { method: "POST", cookie: admin.cookie });
    expect(test.status).toBe(202);
    const { deliveryId } = await test.json();
    const log = await (await srv.request(`/api/v1/webhooks/${h.id}/deliveries`, { cookie: admin.cookie })).json();
    expect(log.items).toMatchObject([{ id: deliveryId, verb: "webhook.test", status: "pending", attempts: 0, log: [] }]);

    const rotated = await (await srv.request(`/api/v1/webhooks/${h.id}/rotate-secret`, { method: "POST", cookie: admin.cookie })).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(h.secret);
    expect(JSON.stringify(await (await srv.request(`/api/v1/webhooks/${h.id}`, { cookie: admin.cookie })).json())).not.toContain(rotated.secret);

    // The events say where, never the full URL (a Slack URL is a secret) nor the signing secret.
    const events = await (await srv.request("/api/v1/events?limit=50", { cookie: admin.cookie })).text();
    expect(events).toContain("webhook.created");
    expect(events).not.toContain("/agentdesk");
    expect(events).not.toContain("whsec_");

    expect((await srv.request(`/api/v1/webhooks/${h.id}`, { method: "DELETE", cookie: admin.cookie })).status).toBe(200);
    expect((await srv.request(`/api/v1/webhooks/${h.id}`, { cookie: admin.cookie })).status).toBe(404);
  });

  it("refuse URLs that are not http(s), and loopback or private addresses", async () => {
    const admin = srv.person("admin");
    const bad = [
      "ftp://example.com/x",
      "file:///etc/passwd",
      "javascript:alert(1)",
      "http://127.0.0.1:3000/api",
      "http://localhost/x",
      "http://app.localhost/x",
      "http://10.0.0.5/x",
      "http://192.168.1.1/x",
      "http://172.20.0.1/x",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/x",
      "http://[::ffff:127.0.0.1]/x",
      "http://[fd00::1]/x",
      "http://0.0.0.0/x",
      "http://user:pass@example.com/x",
    ];
    for (const url of bad) {
      const res = await srv.request("/api/v1/webhooks", { body: { ...body, url }, cookie: admin.cookie });
      expect(res.status, url).toBe(422);
      expect((await res.json()).fields).toHaveProperty("url");
    }
    const unknownEvent = await srv.request("/api/v1/webhooks", { body: { ...body, events: ["nope"] }, cookie: admin.cookie });
    expect(unknownEvent.status).toBe(422);
    process.env.AGENTDESK_WEBHOOKS_ALLOW_PRIVATE = "1";
    try {
      expect((await srv.request("/api/v1/webhooks", { body: { ...body, url: "http://127.0.0.1:9/x" }, cookie: admin.cookie })).status).toBe(201);
    } finally {
      delete process.env.AGENTDESK_WEBHOOKS_ALLOW_PRIVATE;
    }
  });
});
