import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { randomUUID } from "node:crypto";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

export const MAX_BODY_BYTES = Number(process.env.AGENTDESK_MAX_BODY_BYTES) || 1024 * 1024;

export const requestId: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const id = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
  c.set("requestId", id);
  await next();
  c.res.headers.set("x-request-id", id);
};

/** Headers every API answer carries: no sniffing, never framed, no referrer leak, not cached. */
export const apiHeaders: MiddlewareHandler<ApiEnv> = async (c, next) => {
  await next();
  const h = c.res.headers;
  h.set("x-content-type-options", "nosniff");
  h.set("referrer-policy", "strict-origin-when-cross-origin");
  h.set("x-frame-options", "DENY");
  if (!h.has("content-security-policy")) h.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
  if (!h.has("cache-control")) h.set("cache-control", "no-store");
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
