import "server-only";
import type { Context, MiddlewareHandler } from "hono";
import { ServerResponse } from "node:http";
import { bodyLimit } from "hono/body-limit";
import { randomUUID } from "node:crypto";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

export const MAX_BODY_BYTES = Number(process.env.AGENTDESK_MAX_BODY_BYTES) || 1024 * 1024;

/** Headers every API answer carries: no sniffing, never framed, no referrer leak, not cached. */
const DEFAULT_HEADERS: [string, string][] = [
  ["x-content-type-options", "nosniff"],
  ["referrer-policy", "strict-origin-when-cross-origin"],
  ["x-frame-options", "DENY"],
  ["content-security-policy", "default-src 'none'; frame-ancestors 'none'"],
  ["cache-control", "no-store"],
];

/** Node's response when served by @hono/node-server (server.ts); absent under app.request (tests). */
function nodeResponse(c: Context): ServerResponse | undefined {
  const outgoing = (c.env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse ? outgoing : undefined;
}

/**
 * The request id (the caller's X-Request-Id when it is sane, else a new UUID) and the default
 * headers above. Under Node they go straight onto the ServerResponse before the route runs: the
 * headers a route sets win (Node gives writeHead's headers precedence over setHeader's), and the
 * answer never has to be turned into a web Headers object to be amended, which was a tenth of an
 * agent heartbeat's cost (docs/benchmarks.md). Elsewhere they are set on the answer afterwards,
 * with the same result.
 */
export const requestId: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  c.set("requestId", id);
  const res = nodeResponse(c);
  if (res) {
    for (const [k, v] of DEFAULT_HEADERS) res.setHeader(k, v);
    res.setHeader("x-request-id", id);
    return next();
  }
  await next();
  const h = c.res.headers;
  for (const [k, v] of DEFAULT_HEADERS) if (!h.has(k)) h.set(k, v);
  h.set("x-request-id", id);
};

const streamingLimit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) =>
    // The rest of the body is not read: close the connection so a keep-alive client does not
    // send its next request into the unread bytes.
    problemResponse(c, problem(413, "payload_too_large", `The request body is larger than ${MAX_BODY_BYTES} bytes`), { connection: "close" }),
});

/**
 * Refuses bodies over MAX_BODY_BYTES. A declared Content-Length is checked from the header alone;
 * hono's bodyLimit (kept for chunked bodies) first touches `c.req.raw.body`, which makes
 * @hono/node-server build a full web Request and stream for every request: about a tenth of an agent
 * request's CPU (docs/benchmarks.md). Requests without a body skip it entirely.
 */
export const limitBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const length = c.req.header("content-length");
  if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
    if (Number(length) > MAX_BODY_BYTES || !/^\d+$/.test(length.trim())) return streamingLimit(c, next);
    return next();
  }
  if (c.req.method === "GET" || c.req.method === "HEAD" || c.req.method === "OPTIONS") return next();
  return streamingLimit(c, next);
};
