import "server-only";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { SSE_EVENTS } from "@/lib/domain/vocabulary";
import type { ApiEnv } from "../types";
import { maxStreamsFromEnv, streamOwnerKey, type LiveHub, type LiveEvent, type StreamCredential } from "../live";
import { problem, problemResponse } from "../problem";
import { agentRateLimit } from "../middleware/agent-rate-limit";

/**
 * GET /api/events: the live stream. Resumes after Last-Event-ID (or ?after=) so a reconnect misses
 * nothing (up to 1000 events; the `ready` event that ends the catch-up says `complete: false` when
 * there were more), then follows new events. A comment line every 20 s keeps proxies from closing it.
 *
 * Opening one counts against the bearer token's request budget (agentRateLimit), and a token or a
 * person holds at most AGENTDESK_MAX_EVENT_STREAMS (20) open at once. A stream ends, with a last
 * `closed` event, as soon as its credential stops being valid (LiveHub rechecks it).
 */
export function eventRoutes(hub: LiveHub) {
  const r = new Hono<ApiEnv>();
  r.use("*", agentRateLimit());
  r.get("/", (c) => {
    const actor = c.get("actor");
    const max = maxStreamsFromEnv();
    const release = hub.reserve(streamOwnerKey(actor), max);
    if (!release) {
      const who = actor.kind === "agent" ? "this token" : "this account";
      return problemResponse(c, problem(429, "rate_limited", `Too many open event streams for ${who}: ${max} open event streams at most (AGENTDESK_MAX_EVENT_STREAMS). Close one first.`), {
        "retry-after": "5",
      });
    }
    // The credential the request was authenticated with (requireActor's reading of the same headers).
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    const credential: StreamCredential = m ? { bearer: m[1], sessionId: null } : { bearer: null, sessionId: getCookie(c, SESSION_COOKIE) ?? null };
    const fromHeader = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? NaN);
    c.header("cache-control", "no-cache, no-transform");
    c.header("x-accel-buffering", "no");
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      let revoked = false;
      const unsubscribe = hub.subscribe(
        actor,
        (e) => {
          queue.push(e);
          wake?.();
        },
        {
          credential,
          onRevoked: () => {
            revoked = true;
            closed = true;
            queue.length = 0;
            wake?.();
          },
        },
      );
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
        release();
        wake?.();
      });
      try {
        // `ready` ends the catch-up; `complete: false` says it stopped short (too far behind: the
        // client fetches what it shows again).
        let complete = true;
        if (Number.isFinite(fromHeader) && fromHeader >= 0) {
          const seen = new Set<number>();
          const replay = hub.replay(actor, fromHeader);
          complete = replay.complete;
          for (const e of replay.events) {
            if (closed) break;
            seen.add(e.id);
            await stream.writeSSE({ id: String(e.id), event: SSE_EVENTS.change, data: JSON.stringify(e) });
          }
          // Drop live events the replay already sent.
          for (let i = queue.length - 1; i >= 0; i--) if (seen.has(queue[i].id)) queue.splice(i, 1);
        }
        if (!closed) await stream.writeSSE({ event: SSE_EVENTS.ready, data: JSON.stringify({ complete }) });
        while (!closed) {
          while (queue.length && !closed) {
            const e = queue.shift()!;
            await stream.writeSSE({ id: String(e.id), event: SSE_EVENTS.change, data: JSON.stringify(e) });
          }
          if (closed) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 20_000).unref();
          });
          wake = null;
          if (!queue.length && !closed) await stream.write(": ping\n\n");
        }
        if (revoked) {
          await stream.writeSSE({
            event: SSE_EVENTS.closed,
            data: JSON.stringify({ code: "unauthenticated", detail: "The credential of this stream is no longer valid (revoked, expired or signed out)" }),
          });
        }
      } finally {
        unsubscribe();
        release();
      }
    });
  });
  return r;
}
