import "server-only";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { getConnInfo } from "@hono/node-server/conninfo";
import { countUsers, createUser, endAllSessions, endSession, findUserByEmail, PasswordRule, startSession, authenticate } from "@/lib/services";
import { hashPassword, verifyPassword, SESSION_COOKIE, SESSION_TTL_MS } from "@/lib/auth/secrets";
import { systemActor } from "@/lib/auth/actor";
import { isLoopback, requestHost, requestProtocol } from "@/lib/auth/allowed-host";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";
import { refuseForeignHost, sameOrigin } from "../middleware/actor";
import { clientIp } from "../middleware/rate-limit";
import { DbRateLimiter } from "@/lib/services/auth-throttle";
import { readJson } from "../read-json";

const SignInInput = z.strictObject({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(200) });
const FirstRunInput = z.strictObject({ email: z.email().max(254), name: z.string().trim().max(100).default(""), password: PasswordRule });

// Every attempt from one address: 30 a minute. Failed attempts for one account from one address:
// 10 per 15 minutes, then 429 until the window passes; each failure also slows the next answer.
// Counted in the database, so they hold across server replicas (docs/replicas.md).
const attemptsPerAddressLimit = new DbRateLimiter("sign-in", 30, 60_000);
const MAX_FAILURES = 10;
const failuresLimit = new DbRateLimiter("sign-in-failed", Number.MAX_SAFE_INTEGER, 15 * 60_000);
// A hash to verify against when the email is unknown, so both paths take the same time.
const decoyHash = hashPassword("decoy password that never matches");

// "local": the in-process address @hono/node-server reports for requests made without a socket (tests).
const isLoopbackSocket = (ip: string) => ip === "local" || isLoopback(ip);

function remoteAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

function sessionCookie(c: Parameters<typeof setCookie>[0], value: string, expiresAt: number) {
  const secure = requestProtocol(c.req.raw.headers, new URL(c.req.url).protocol === "https:" ? "https" : "http") === "https";
  setCookie(c, SESSION_COOKIE, value, { httpOnly: true, secure, sameSite: "Lax", path: "/", expires: new Date(expiresAt), maxAge: Math.floor(SESSION_TTL_MS / 1000) });
}

export const authRoutes = new Hono<ApiEnv>();

authRoutes.use("*", async (c, next) => {
  // Every route here is the browser's (sessions, first run): only at a host name we answer at.
  const host = requestHost(c.req.raw.headers);
  const foreign = refuseForeignHost(host);
  if (foreign) return problemResponse(c, foreign);
  if (c.req.method === "POST" && !sameOrigin(c.req.header("origin"), c.req.header("referer"), host)) {
    return problemResponse(c, problem(403, "csrf", "Sign-in requests must come from AgentDesk's own pages"));
  }
  await next();
});

authRoutes.post("/sign-in", async (c) => {
  const input = SignInInput.safeParse(await readJson(c));
  if (!input.success) return problemResponse(c, problem(422, "validation_failed", "Email and password are required", { fields: { email: ["Required"], password: ["Required"] } }));
  const ip = clientIp({ get: (n) => c.req.header(n) }, remoteAddress(c));
  const key = `${ip}|${input.data.email.toLowerCase()}`;
  const db = c.get("db");
  const attemptsPerAddress = attemptsPerAddressLimit.on(db);
  const failures = failuresLimit.on(db);
  const wait = attemptsPerAddress.hit(ip) || (failures.count(key) >= MAX_FAILURES ? failures.retryAfter(key) : 0);
  if (wait) return problemResponse(c, problem(429, "rate_limited", `Too many sign-in attempts. Try again in ${wait} s.`), { "retry-after": String(wait) });
  // Each recent failure for this address and account adds a quarter second, up to 3 s.
  const slow = Math.min(3000, failures.count(key) * 250);
  if (slow) await new Promise((r) => setTimeout(r, slow));
  const user = findUserByEmail({ db }, input.data.email);
  const ok = await verifyPassword(input.data.password, user?.passwordHash ?? (await decoyHash));
  if (!user || !ok || user.disabledAt) {
    failures.hit(key);
    return problemResponse(c, problem(401, "unauthenticated", "Email or password is not right"));
  }
  failures.reset(key);
  const old = getCookie(c, SESSION_COOKIE);
  if (old) endSession({ db, actor: systemActor("auth") }, old);
  const { sessionId, expiresAt } = startSession({ db, actor: { kind: "person", id: user.id, email: user.email, name: user.name, role: user.role } }, user.id);
  sessionCookie(c, sessionId, expiresAt);
  return c.json({ user: { id: user.id, email: user.email, name: user.name, role: user.role } });
});

authRoutes.post("/sign-out", (c) => {
  const sid = getCookie(c, SESSION_COOKIE);
  if (sid) endSession({ db: c.get("db"), actor: systemActor("auth") }, sid);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.body(null, 204);
});

authRoutes.post("/sign-out-all", (c) => {
  const db = c.get("db");
  const sid = getCookie(c, SESSION_COOKIE);
  const actor = sid ? authenticate(db, { sessionId: sid }) : null;
  if (!actor || actor.kind !== "person") return problemResponse(c, problem(401, "unauthenticated", "Sign in first"));
  const ended = endAllSessions({ db, actor }, actor.id);
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
  return c.json({ ended });
});

authRoutes.get("/session", (c) => {
  const sid = getCookie(c, SESSION_COOKIE);
  const actor = sid ? authenticate(c.get("db"), { sessionId: sid }) : null;
  if (!actor || actor.kind !== "person") return problemResponse(c, problem(401, "unauthenticated", "Not signed in"));
  return c.json({ user: { id: actor.id, email: actor.email, name: actor.name, role: actor.role } });
});

/**
 * The first admin, from the first-run page: only from this machine (a loopback socket, and a Host
 * name that is loopback or configured: checked for every route above), and only while nobody exists.
 */
authRoutes.post("/first-run", async (c) => {
  // Behind a trusted proxy the socket is the proxy's: the address it forwards is the caller's.
  const ip = clientIp({ get: (n) => c.req.header(n) }, remoteAddress(c) ?? "");
  if (!isLoopbackSocket(ip)) return problemResponse(c, problem(403, "forbidden", "First-run set-up is only allowed from this machine (loopback)"));
  const db = c.get("db");
  if (countUsers({ db }) > 0) return problemResponse(c, problem(403, "forbidden", "First-run set-up is over: an account already exists. Sign in instead."));
  const input = FirstRunInput.safeParse(await readJson(c));
  if (!input.success) {
    const fields: Record<string, string[]> = {};
    for (const i of input.error.issues) (fields[i.path.join(".") || "_"] ??= []).push(i.message);
    return problemResponse(c, problem(422, "validation_failed", input.error.issues[0]?.message ?? "Invalid input", { fields }));
  }
  const passwordHash = await hashPassword(input.data.password);
  const user = createUser({ db, actor: systemActor("first-run") }, { email: input.data.email, name: input.data.name, role: "admin", passwordHash }, { firstRun: true });
  const { sessionId, expiresAt } = startSession({ db, actor: { kind: "person", id: user.id, email: user.email, name: user.name, role: user.role } }, user.id);
  sessionCookie(c, sessionId, expiresAt);
  return c.json({ user }, 201);
});
