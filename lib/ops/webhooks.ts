import "server-only";
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import type { Db } from "@/db/client";
import type { Handle } from "@/db/engine";
import { systemActor } from "@/lib/auth/actor";
import { getLogger, type Logger } from "@/lib/log";
import { onCommitted, type ServiceContext } from "@/lib/services";
import {
  allowPrivateWebhookTargets,
  checkWebhookUrl,
  claimWebhookDelivery,
  collectWebhookDeliveries,
  DEFAULT_WEBHOOK_BACKOFF_MS,
  DELIVERY_HEADER,
  dueWebhookDeliveries,
  EVENT_HEADER,
  isPrivateAddress,
  recordWebhookAttempt,
  releaseWebhookDelivery,
  SIGNATURE_HEADER,
  signWebhookBody,
} from "@/lib/services/webhooks";

export interface WebhookWorkerOptions {
  db: Db;
  /** The dashboard's address, for the links in the bodies. */
  baseUrl: string;
  log?: Logger;
  /** The clock (tests). */
  now?: () => number;
  /** Wait after attempt n before attempt n+1; its length + 1 is the number of attempts (default 1 min ... 6 h). */
  backoffMs?: readonly number[];
  /** One attempt's time limit, connection to last byte (default 10 s). */
  timeoutMs?: number;
  /** Requests in flight at once, over all webhooks (default 4; one per webhook at a time). */
  concurrency?: number;
  /** How often due deliveries and other processes' events are looked for (default 1 s). */
  pollMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** The most of an answer read (the log keeps 500 characters of it). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const USER_AGENT = "AgentDesk-Webhooks/1";

const workerKey = Symbol.for("agentdesk.webhook-worker");
type G = typeof globalThis & { [workerKey]?: WebhookWorker | null };

/** The worker of this process, if one runs (the REST routes take the dashboard's address from it). */
export function getWebhookWorker(): WebhookWorker | null {
  return (globalThis as G)[workerKey] ?? null;
}

interface InFlight {
  webhookId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Sends the webhooks' deliveries (docs/webhooks.md), in the server process, off the request path.
 * Follows the events table like the run supervisor (woken by this process's commits, polling for
 * the others'): the follower stores each delivery with its high-water mark before anything is sent
 * (lib/services/webhooks/deliveries.ts), so a restart loses none; pending ones are sent, at most
 * `concurrency` at once and one per webhook, each with a time limit, and retried with backoff.
 * With several server replicas it runs on the one holding the `webhooks` lease (lib/ops/replica-jobs.ts):
 * `start()` when it takes the lease, `stop()` when it loses it or shuts down.
 */
export class WebhookWorker {
  readonly baseUrl: string;
  private opts: WebhookWorkerOptions;
  private ctx: ServiceContext;
  private log: Logger;
  private inflight = new Map<string, InFlight>();
  private unlisten: (() => void) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = true;
  /**
   * The `webhooks` lease's fence (lib/ops/replica-jobs.ts): checked in the follower's transaction,
   * so a replica that lost the lease stores nothing and leaves the high-water mark alone.
   */
  fence: ((h: Handle) => boolean) | null = null;

  constructor(opts: WebhookWorkerOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.log = opts.log ?? getLogger();
    this.ctx = { db: opts.db, actor: systemActor("webhooks"), now: opts.now };
  }

  private now = () => (this.opts.now ? this.opts.now() : Date.now());

  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    (globalThis as G)[workerKey] = this;
    const local = onCommitted(() => this.wake());
    const external = this.opts.db.$engine.onExternalCommit(() => this.wake());
    this.unlisten = () => {
      local();
      external();
    };
    this.poll = setInterval(() => this.wake(), this.opts.pollMs ?? 1000);
    this.poll.unref();
    this.wake();
    return this;
  }

  /** Stops sending: requests in flight are cut off and their deliveries left pending for the next start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if ((globalThis as G)[workerKey] === this) (globalThis as G)[workerKey] = null;
    this.unlisten?.();
    this.unlisten = null;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    for (const f of this.inflight.values()) f.abort.abort();
    await Promise.all([...this.inflight.values()].map((f) => f.done));
  }

  get sending(): number {
    return this.inflight.size;
  }

  wake() {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  /** The follower's step: stores the deliveries of the events since the high-water mark. */
  collect(): number {
    let stored = 0;
    for (let more = true; more;) {
      const r = collectWebhookDeliveries(this.ctx, { baseUrl: this.baseUrl, ...(this.fence ? { fence: this.fence } : {}) });
      stored += r.stored;
      more = r.more;
    }
    return stored;
  }

  private tick() {
    if (this.stopped) return;
    try {
      this.collect();
      const free = (this.opts.concurrency ?? 4) - this.inflight.size;
      if (free <= 0) return;
      const busy = new Set([...this.inflight.values()].map((f) => f.webhookId));
      const due = dueWebhookDeliveries(this.ctx, { limit: free * 4, skipWebhooks: [...busy] });
      let started = 0;
      for (const d of due) {
        if (started >= free) break;
        if (busy.has(d.webhookId)) continue;
        const claimed = claimWebhookDelivery(this.ctx, d.id, this.lockMs);
        if (!claimed) continue;
        busy.add(d.webhookId);
        started++;
        this.send(claimed.delivery.id, claimed.delivery.attempts + 1, claimed.delivery.verb, claimed.delivery.body, claimed.webhook.id, claimed.webhook.url, claimed.webhook.secret);
      }
    } catch (err) {
      this.log.error({ err }, "webhook delivery tick failed");
    }
  }

  /** A claimed delivery is not retaken before this (a crashed worker's is sent again after it). */
  private get lockMs() {
    return (this.opts.timeoutMs ?? 10_000) + 30_000;
  }

  private send(deliveryId: string, attempt: number, verb: string, body: string, webhookId: string, url: string, secret: string) {
    const abort = new AbortController();
    const at = this.now();
    const t0 = performance.now();
    const headers = {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      [DELIVERY_HEADER]: deliveryId,
      [EVENT_HEADER]: verb,
      "AgentDesk-Attempt": String(attempt),
      [SIGNATURE_HEADER]: signWebhookBody(secret, body, Math.floor(at / 1000)),
    };
    const done = post(url, body, headers, { timeoutMs: this.opts.timeoutMs ?? 10_000, signal: abort.signal, env: this.opts.env ?? process.env })
      .then(
        (r) => ({ statusCode: r.status, error: r.status >= 200 && r.status < 300 ? null : `HTTP ${r.status}`, responseText: r.text }),
        (err: Error) => ({ statusCode: null, error: err.message || String(err), responseText: "" }),
      )
      .then((r) => {
        if (abort.signal.aborted) {
          // Cut off by stop(): not an attempt; the next start sends it again (same delivery id).
          releaseWebhookDelivery(this.ctx, deliveryId);
          return;
        }
        const row = recordWebhookAttempt(this.ctx, { deliveryId, at, durationMs: performance.now() - t0, ...r }, this.opts.backoffMs ?? DEFAULT_WEBHOOK_BACKOFF_MS);
        if (row?.status === "failed") this.log.warn({ webhookId, deliveryId, attempts: row.attempts, error: row.lastError }, "webhook delivery failed for good");
        else if (r.error) this.log.info({ webhookId, deliveryId, attempt, error: r.error }, "webhook delivery attempt failed; will retry");
      })
      .catch((err: unknown) => this.log.error({ err, deliveryId }, "could not record a webhook attempt"))
      .finally(() => {
        this.inflight.delete(deliveryId);
        this.wake();
      });
    this.inflight.set(deliveryId, { webhookId, abort, done });
  }
}

/** dns.lookup that refuses names resolving to a loopback/private address (unless allowed). */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as dns.LookupAddress[];
      const bad = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address));
      if (bad)
        return callback(Object.assign(new Error(`${hostname} resolves to ${bad.address}, a loopback or private address (refused; see AGENTDESK_WEBHOOKS_ALLOW_PRIVATE)`), { code: "EPRIVATE" }), "", 0);
      if (!list.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "", 0);
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      else callback(null, list[0].address, list[0].family);
    });
  };
}

/** One POST: no redirects followed, the answer read up to 64 KiB, the whole exchange within `timeoutMs`. */
function post(url: string, body: string, headers: Record<string, string>, o: { timeoutMs: number; signal: AbortSignal; env: NodeJS.ProcessEnv }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      // Checked again at send time: the rule (AGENTDESK_WEBHOOKS_ALLOW_PRIVATE) may have changed since it was saved.
      target = new URL(checkWebhookUrl(url, o.env));
    } catch (err) {
      return reject(new Error(`refused: ${(err as Error).message.replace(/^Invalid input: url: /, "")}`));
    }
    const allowPrivate = allowPrivateWebhookTargets(o.env);
    const mod = target.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = mod.request(target, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: guardedLookup(allowPrivate),
      signal: o.signal,
      agent: false,
    });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${o.timeoutMs} ms`)), o.timeoutMs);
    req.on("error", (err) => finish(() => reject(o.signal.aborted ? new Error("stopped") : err)));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish(() => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("data", (c: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        chunks.push(c);
        size += c.length;
        if (size >= MAX_RESPONSE_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on("end", done);
      res.on("error", (err) => finish(() => reject(err)));
      res.on("close", done);
    });
    req.end(body);
  });
}
