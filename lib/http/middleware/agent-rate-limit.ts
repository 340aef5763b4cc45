import "server-only";
import type { MiddlewareHandler } from "hono";
import { hashSecret } from "@/lib/auth/secrets";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";
import { RateLimiter } from "./rate-limit";

/**
 * A generous per-token limit on the API that agents and scripts call with a bearer token (REST v1
 * and MCP share it): enough for any real agent, low enough that a runaway loop cannot starve the
 * dashboard. Browser sessions are not counted. Configure with AGENTDESK_AGENT_RATE_LIMIT (requests
 * per window, default 50) and AGENTDESK_AGENT_RATE_WINDOW_MS (default 1000).
 *
 * Counted in this process's memory, on purpose: with several server replicas (docs/replicas.md) a
 * token gets up to the limit on each replica. A counter in the database would cost a write per
 * agent request; the limit guards against runaway loops, not for billing, so set it to the limit
 * wanted divided by the number of replicas.
 */
export function agentRateLimiterFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimiter {
  const limit = Number(env.AGENTDESK_AGENT_RATE_LIMIT);
  const windowMs = Number(env.AGENTDESK_AGENT_RATE_WINDOW_MS);
  return new RateLimiter(Number.isFinite(limit) && limit > 0 ? limit : 50, Number.isFinite(windowMs) && windowMs > 0 ? windowMs : 1000);
}

const sharedKey = Symbol.for("agentdesk.agent-rate-limiter");
type G = typeof globalThis & { [sharedKey]?: RateLimiter };

/** One limiter per process, so REST and MCP count against the same budget. */
export function sharedAgentRateLimiter(): RateLimiter {
  const g = globalThis as G;
  return (g[sharedKey] ??= agentRateLimiterFromEnv());
}

export function agentRateLimit(limiter?: RateLimiter): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "");
    if (!m) return next();
    const actor = c.get("actor");
    const key = actor?.kind === "agent" && actor.tokenId ? actor.tokenId : `bearer:${hashSecret(m[1]).slice(0, 32)}`;
    const l = limiter ?? sharedAgentRateLimiter();
    const wait = l.hit(key);
    if (wait) {
      return problemResponse(c, problem(429, "rate_limited", `Too many requests for this token (${l.limit} per ${l.windowMs} ms). Retry after ${wait} s.`), {
        "retry-after": String(wait),
      });
    }
    await next();
  };
}
