import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import * as s from "@/lib/services";
import { listWebhookDeliveries, verifyWebhookSignature } from "@/lib/services/webhooks";
import { webhookCursor, webhookDeliveries } from "@/db/schema";
import { agent, makeTestDb, people, system } from "@/test/db";
import { WebhookWorker } from "./webhooks";

/**
 * The delivery worker against a real receiver on loopback (AGENTDESK_WEBHOOKS_ALLOW_PRIVATE=1 for
 * it), on a real SQLite file: signatures, retries with (short) backoff, the log, restarts.
 */
process.env.AGENTDESK_WEBHOOKS_ALLOW_PRIVATE = "1";
const BASE = "http://dash.example";

type Reply = { status: number; body?: string } | "hang";
interface Received {
  headers: IncomingMessage["headers"];
  body: string;
  signatureOk: boolean;
}

/** A receiver: answers from a script (then 200), checks each signature with `secret`. */
class Receiver {
  server!: Server;
  url = "";
  secret = "";
  got: Received[] = [];
  script: Reply[] = [];
  hanging: IncomingMessage[] = [];
  async start() {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        this.got.push({ headers: req.headers, body, signatureOk: verifyWebhookSignature(this.secret, body, req.headers["agentdesk-signature"] as string) });
        const r = this.script.shift() ?? { status: 200, body: "ok" };
        if (r === "hang") {
          this.hanging.push(req);
          return;
        }
        res.writeHead(r.status, { "content-type": "text/plain" }).end(r.body ?? "");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }
  ids = () => this.got.map((g) => g.headers["agentdesk-delivery"]);
  close() {
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const t = makeTestDb();
const admin = t.ctx(people.admin);
const sys = t.ctx(system);
let rx: Receiver;
const workers: WebhookWorker[] = [];
const worker = (o: Partial<ConstructorParameters<typeof WebhookWorker>[0]> = {}) => {
  const w = new WebhookWorker({ db: t.db, baseUrl: BASE, backoffMs: [50, 50, 50], timeoutMs: 300, pollMs: 20, ...o });
  workers.push(w);
  return w;
};

beforeAll(async () => (rx = await new Receiver().start()));
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  for (const h of s.listWebhooks(admin).items) s.deleteWebhook(admin, h.id);
  rx.got = [];
  rx.script = [];
});
afterAll(async () => {
  await rx.close();
  t.cleanup();
});

async function until<T>(fn: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 10));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function hook(events: string[], format: "json" | "slack" = "json") {
  const h = s.createWebhook(admin, { url: rx.url, events, format });
  rx.secret = h.secret;
  return h;
}

function blockedTask(title = "Fix the login page") {
  const inst = s.createInstruction(sys, { title: "Webhooks" });
  const task = s.createTask(sys, { instructionId: inst.id, title, assignedAgent: "backend-developer" });
  s.claimTask(t.ctx(agent("backend-developer")), { taskId: task.id });
  s.blockTask(t.ctx(agent("backend-developer")), { taskId: task.id, reason: "Needs the API key" });
  return task;
}

describe("the webhook delivery worker", () => {
  it("signs, retries after a 500 and a timeout with backoff, and logs each attempt", async () => {
    const h = hook(["tasks_blocked"]);
    const task = blockedTask();
    rx.script = [{ status: 500, body: "boom" }, "hang"];
    worker().start();
    const [d] = await until(() => {
      const l = listWebhookDeliveries(admin, h.id);
      return l[0]?.status === "delivered" && l;
    });
    expect(rx.got).toHaveLength(3);
    expect(rx.got.every((g) => g.signatureOk)).toBe(true);
    expect(new Set(rx.ids())).toEqual(new Set([d.id]));
    expect(rx.got.map((g) => g.headers["agentdesk-attempt"])).toEqual(["1", "2", "3"]);
    expect(rx.got[0].headers["agentdesk-event"]).toBe("task.blocked");
    expect(rx.got[0].headers["agentdesk-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // The same bytes on every attempt.
    expect(new Set(rx.got.map((g) => g.body)).size).toBe(1);
    const body = JSON.parse(rx.got[0].body);
    expect(body).toMatchObject({
      id: d.id,
      type: "task.blocked",
      url: `${BASE}/tasks/${task.id}`,
      event: { verb: "task.blocked", taskId: task.id },
      task: { id: task.id, title: "Fix the login page" },
    });
    expect(body.summary).toMatch(/Task “Fix the login page” is blocked.*Needs the API key/);
    expect(d.log.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 500],
      [2, null],
      [3, 200],
    ]);
    expect(d.log[0].responseExcerpt).toBe("boom");
    expect(d.log[1].error).toMatch(/timed out/);
    expect(d.log[1].durationMs).toBeGreaterThanOrEqual(250);
    expect(d.log[2].responseExcerpt).toBe("ok");
    // The backoff was waited: attempt 2 at least 50 ms after attempt 1 ended.
    expect(Date.parse(d.log[1].at) - Date.parse(d.log[0].at)).toBeGreaterThanOrEqual(50);
    expect(s.getWebhook(admin, h.id)).toMatchObject({ pending: 0, lastAttempt: { statusCode: 200, ok: true } });
  });

  it("gives up after the last attempt", async () => {
    const h = hook(["task.*"]);
    rx.script = [{ status: 500 }, { status: 502 }, { status: 503 }];
    s.createTask(sys, { instructionId: s.createInstruction(sys, { title: "I" }).id, title: "x", assignedAgent: "backend-developer" });
    worker({ backoffMs: [20, 20] }).start();
    const [d] = await until(() => {
      const l = listWebhookDeliveries(admin, h.id);
      return l[0]?.status === "failed" && l;
    });
    expect(d).toMatchObject({ verb: "task.created", attempts: 3, lastStatus: 503, nextAttemptAt: null });
    await sleep(100);
    expect(rx.got).toHaveLength(3);
  });

  it("stores the delivery before sending: a restart between the two sends it once", async () => {
    const h = hook(["tasks_blocked"]);
    blockedTask();
    // A worker that stored it and stopped before sending.
    const a = worker();
    expect(a.collect()).toBe(1);
    await a.stop();
    const stored = t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, h.id)).all();
    expect(stored).toMatchObject([{ status: "pending", attempts: 0 }]);
    expect(rx.got).toHaveLength(0);
    // The next one (same file) sends it, once.
    const b = worker().start();
    await until(() => listWebhookDeliveries(admin, h.id)[0]?.status === "delivered");
    await sleep(150);
    await b.stop();
    const c = worker().start();
    await sleep(150);
    await c.stop();
    expect(rx.ids()).toEqual([stored[0].id]);
    expect(listWebhookDeliveries(admin, h.id)).toMatchObject([{ id: stored[0].id, status: "delivered", attempts: 1 }]);
    // Nothing new was stored for the same event on restart.
    expect(t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, h.id)).all()).toHaveLength(1);
  });

  it("a stop during a request leaves the delivery pending (no attempt counted), and the next start sends it with the same id", async () => {
    const h = hook(["tasks_blocked"]);
    blockedTask();
    rx.script = ["hang"];
    const a = worker({ timeoutMs: 10_000 }).start();
    await until(() => rx.got.length === 1);
    await a.stop();
    expect(listWebhookDeliveries(admin, h.id)).toMatchObject([{ status: "pending", attempts: 0 }]);
    worker().start();
    await until(() => listWebhookDeliveries(admin, h.id)[0]?.status === "delivered");
    // At least once: the receiver saw the cut-off request and the resend, both with one delivery id to deduplicate by.
    expect(rx.got).toHaveLength(2);
    expect(new Set(rx.ids()).size).toBe(1);
  });

  it("sends a Slack-compatible body with a sentence and a link", async () => {
    const h = hook(["messages_to_people"], "slack");
    const m = s.sendMessage(t.ctx(agent("backend-developer")), { to: "hitl", type: "question", subject: "Which database <prod>?", body: "Postgres or SQLite?" });
    s.sendMessage(t.ctx(agent("backend-developer")), { to: "frontend-developer", body: "not for the people" });
    worker().start();
    await until(() => listWebhookDeliveries(admin, h.id)[0]?.status === "delivered");
    expect(rx.got).toHaveLength(1);
    const body = JSON.parse(rx.got[0].body);
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toBe(`backend-developer asked the people: Which database &lt;prod&gt;? <${BASE}/inbox/hitl/${m.threadId}|Open in AgentDesk>`);
  });

  it("queues and sends a test delivery, paused or not; a paused webhook gets no events", async () => {
    const h = hook(["*"]);
    s.updateWebhook(admin, { webhookId: h.id, active: false });
    blockedTask();
    const q = s.sendTestWebhook(admin, { webhookId: h.id, baseUrl: BASE });
    worker().start();
    await until(() => listWebhookDeliveries(admin, h.id)[0]?.status === "delivered");
    await sleep(100);
    expect(rx.ids()).toEqual([q.deliveryId]);
    expect(JSON.parse(rx.got[0].body)).toMatchObject({ id: q.deliveryId, type: "webhook.test", event: null, url: `${BASE}/settings` });
    // Resumed: the events of the pause are skipped, the next ones go.
    s.updateWebhook(admin, { webhookId: h.id, active: true });
    s.createTask(sys, { instructionId: s.createInstruction(sys, { title: "after" }).id, title: "after", assignedAgent: "backend-developer" });
    await until(() => rx.got.some((g) => g.headers["agentdesk-event"] === "task.created"));
    await sleep(100);
    const verbs = rx.got.slice(1).map((g) => g.headers["agentdesk-event"]);
    expect(verbs).toContain("instruction.created");
    expect(verbs.some((v) => v === "task.blocked" || v === "task.claimed")).toBe(false);
  });

  it("refuses at send time a private address no longer allowed", async () => {
    const h = hook(["tasks_blocked"]);
    blockedTask();
    worker({ env: {} as NodeJS.ProcessEnv, backoffMs: [] }).start();
    const [d] = await until(() => {
      const l = listWebhookDeliveries(admin, h.id);
      return l[0]?.status === "failed" && l;
    });
    expect(d.log[0].error).toMatch(/refused: Loopback and private network addresses are refused/);
    expect(rx.got).toHaveLength(0);
  });

  it("behind the webhooks lease's fence: a replica that lost the lease stores nothing and leaves the mark alone", async () => {
    const h = hook(["tasks_blocked"]);
    blockedTask("Fenced");
    const mark = () => t.db.select().from(webhookCursor).get()?.lastEventId ?? 0;
    const before = mark();
    let held = false;
    const w = worker();
    w.fence = () => held;
    expect(w.collect()).toBe(0);
    expect(listWebhookDeliveries(admin, h.id)).toHaveLength(0);
    expect(mark()).toBe(before);
    held = true;
    expect(w.collect()).toBe(1);
    expect(mark()).toBeGreaterThan(before);
  });
});
