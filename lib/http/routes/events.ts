import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { ApiEnv } from "../types";
import type { LiveHub, LiveEvent } from "../live";

/**
 * GET /api/events: the live stream. Resumes after Last-Event-ID (or ?after=) so a reconnect misses
 * nothing, then follows new events. A comment line every 20 s keeps proxies from closing it.
 */
export function eventRoutes(hub: LiveHub) {
  const r = new Hono<ApiEnv>();
  r.get("/", (c) => {
    const actor = c.get("actor");
    const fromHeader = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? NaN);
    c.header("cache-control", "no-cache, no-transform");
    c.header("x-accel-buffering", "no");
    return streamSSE(c, async (stream) => {
      const queue: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      let closed = false;
      const unsubscribe = hub.subscribe(actor, (e) => {
        queue.push(e);
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        unsubscribe();
        wake?.();
      });
      if (Number.isFinite(fromHeader) && fromHeader >= 0) {
        const seen = new Set<number>();
        for (const e of hub.replay(actor, fromHeader)) {
          seen.add(e.id);
          await stream.writeSSE({ id: String(e.id), event: "change", data: JSON.stringify(e) });
        }
        // Drop live events the replay already sent.
        for (let i = queue.length - 1; i >= 0; i--) if (seen.has(queue[i].id)) queue.splice(i, 1);
      }
      await stream.writeSSE({ event: "ready", data: "{}" });
      while (!closed) {
        while (queue.length && !closed) {
          const e = queue.shift()!;
          await stream.writeSSE({ id: String(e.id), event: "change", data: JSON.stringify(e) });
        }
        if (closed) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20_000).unref();
        });
        wake = null;
        if (!queue.length && !closed) await stream.write(": ping\n\n");
      }
      unsubscribe();
    });
  });
  return r;
}
