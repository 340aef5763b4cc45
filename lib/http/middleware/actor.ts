import "server-only";
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { authenticate } from "@/lib/services";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { browserHostAllowed, hostRefusal, requestHost } from "@/lib/auth/allowed-host";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

const unsafe = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Who is calling: a bearer token (agents, scripts) or a person's session cookie. A browser request
 * must name a host AgentDesk answers at (DNS rebinding, lib/auth/allowed-host.ts), and a cookie-borne
 * request that changes something must come from our own origin (CSRF); bearer requests carry no
 * ambient credentials, so they need neither check.
 */
export const requireActor: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  let bearer: string | null = null;
  if (header) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return problemResponse(c, problem(401, "unauthenticated", "Use Authorization: Bearer <token>"), { "www-authenticate": "Bearer" });
    bearer = m[1];
  }
  // Behind a trusted proxy, the host the browser asked for is the proxy's X-Forwarded-Host.
  const host = requestHost(c.req.raw.headers);
  if (!bearer) {
    const refused = refuseForeignHost(host);
    if (refused) return problemResponse(c, refused);
  }
  const sessionId = bearer ? null : (getCookie(c, SESSION_COOKIE) ?? null);
  const actor = authenticate(c.get("db"), { bearer, sessionId });
  if (!actor) {
    return problemResponse(c, problem(401, "unauthenticated", bearer ? "The token is not valid (unknown, expired or revoked)" : "Sign in, or send an agent token as Authorization: Bearer <token>"), {
      "www-authenticate": "Bearer",
    });
  }
  if (!bearer && unsafe.has(c.req.method) && !sameOrigin(c.req.header("origin"), c.req.header("referer"), host)) {
    return problemResponse(c, problem(403, "csrf", "A state-changing request with a session cookie must come from AgentDesk's own pages"));
  }
  c.set("actor", actor);
  c.set("ctx", { db: c.get("db"), actor });
  await next();
};

/** The 403 for a browser request sent to a host name we do not answer at, or null when the host is fine. */
export function refuseForeignHost(host: string | undefined) {
  return browserHostAllowed(host) ? null : problem(403, "host_not_allowed", hostRefusal(host));
}

/** The browser's Origin (or, failing that, Referer) must name the host the request was sent to. */
export function sameOrigin(origin: string | undefined, referer: string | undefined, host: string | undefined): boolean {
  if (!host) return false;
  const source = origin && origin !== "null" ? origin : referer;
  if (!source) return false;
  try {
    return new URL(source).host === host;
  } catch {
    return false;
  }
}
