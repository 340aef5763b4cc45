import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { startTestServer, type TestServer } from "@/test/server";
import { hashPasswordSync } from "@/lib/auth/secrets-sync";
import { createUser, deleteUser, startSession } from "@/lib/services";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { system } from "@/test/db";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createApiApp } from "@/lib/http/app";
import { one } from "@/test/sql";

let srv: TestServer;
beforeEach(async () => (srv = await startTestServer()));
afterEach(async () => srv.close());

const count = (table: string) => srv.db.get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`))!.n;
const cookieOf = (res: Response) => /agentdesk_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? null;

function signIn(email: string, password: string, headers: Record<string, string> = {}) {
  return srv.request("/api/auth/sign-in", { method: "POST", body: { email, password }, headers: { origin: srv.baseUrl, ...headers } });
}

describe("first run", () => {
  it("creates the first admin from this machine only once, and signs them in", async () => {
    const bad = await srv.request("/api/auth/first-run", { method: "POST", body: { email: "not-an-email", password: "short" }, headers: { origin: srv.baseUrl } });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).fields)).toEqual(expect.arrayContaining(["email", "password"]));
    expect(count("users")).toBe(0);
    const ok = await srv.request("/api/auth/first-run", { method: "POST", body: { email: "First@Example.com", name: "First", password: "a long enough password" }, headers: { origin: srv.baseUrl } });
    expect(ok.status).toBe(201);
    expect((await ok.json()).user).toMatchObject({ email: "first@example.com", role: "admin" });
    const cookie = cookieOf(ok);
    expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${cookie}` })).status).toBe(200);
    const again = await srv.request("/api/auth/first-run", { method: "POST", body: { email: "second@example.com", password: "a long enough password" }, headers: { origin: srv.baseUrl } });
    expect(again.status).toBe(403);
    expect(count("users")).toBe(1);
  });
});

describe("sign-in", () => {
  beforeEach(() => {
    createUser({ db: srv.db, actor: system }, { email: "ada@example.com", name: "Ada", role: "reviewer", passwordHash: hashPasswordSync("correct horse battery") });
  });

  it("refuses bad input with a clear error and changes nothing", async () => {
    const before = count("sessions");
    const malformed = await srv.request("/api/auth/sign-in", { method: "POST", rawBody: "{email:", headers: { origin: srv.baseUrl } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("content-type")).toContain("application/problem+json");
    expect((await signIn("", "")).status).toBe(422);
    const wrongType = await srv.request("/api/auth/sign-in", { method: "POST", body: { email: 42, password: ["x"] }, headers: { origin: srv.baseUrl } });
    expect(wrongType.status).toBe(422);
    const wrong = await signIn("ada@example.com", "nope");
    const unknown = await signIn("nobody@example.com", "nope");
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    // The same words whether the account exists or not.
    expect((await wrong.json()).detail).toBe((await unknown.json()).detail);
    const foreign = await signIn("ada@example.com", "correct horse battery", { origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(count("sessions")).toBe(before);
    expect((await srv.request("/api/health")).status).toBe(200);
  });

  it("sets an HttpOnly SameSite=Lax cookie, rotates the session on sign-in, and sign-out ends it", async () => {
    const first = await signIn("ada@example.com", "correct horse battery");
    expect(first.status).toBe(200);
    const header = first.headers.get("set-cookie")!;
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).not.toMatch(/Secure/i); // plain http here; https gets Secure
    const a = cookieOf(first)!;
    const second = await signIn("ada@example.com", "correct horse battery", { cookie: `${SESSION_COOKIE}=${a}` });
    const b = cookieOf(second)!;
    expect(b).not.toBe(a);
    expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${a}` })).status).toBe(401);
    expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${b}` })).status).toBe(200);
    const out = await srv.request("/api/auth/sign-out", { method: "POST", cookie: `${SESSION_COOKIE}=${b}` });
    expect(out.status).toBe(204);
    expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${b}` })).status).toBe(401);
  });

  it("sign out everywhere ends every session of the person", async () => {
    const a = cookieOf(await signIn("ada@example.com", "correct horse battery"))!;
    const b = cookieOf(await signIn("ada@example.com", "correct horse battery"))!;
    const r = await srv.request("/api/auth/sign-out-all", { method: "POST", cookie: `${SESSION_COOKIE}=${a}` });
    expect((await r.json()).ended).toBe(2);
    for (const c of [a, b]) expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${c}` })).status).toBe(401);
  });

  it("repeated failures end in 429 with Retry-After, and the right password still waits for the window", async () => {
    let last: Response | null = null;
    for (let i = 0; i < 11; i++) last = await signIn("ada@example.com", `wrong ${i}`);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await signIn("ada@example.com", "correct horse battery")).status).toBe(429);
  }, 60_000);
});

describe("sign-in throttles across server replicas", () => {
  it("are counted in the database: attempts spread over two replicas of one database share one limit", async () => {
    // The other replica: its own connection and API app, on its own port.
    const db = srv.reopen();
    const { app, hub } = createApiApp(db);
    const other = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
    });
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    const signInOn = (base: string, i: number) =>
      fetch(`${base}/api/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ email: `nobody${i}@example.com`, password: "wrong" }),
      });
    try {
      // 30 attempts a minute from one address, half through each replica: each replica alone saw 15.
      for (let i = 0; i < 30; i++) expect((await signInOn(i % 2 ? otherUrl : srv.baseUrl, i)).status).toBe(401);
      const a = await signInOn(srv.baseUrl, 30);
      const b = await signInOn(otherUrl, 31);
      expect([a.status, b.status]).toEqual([429, 429]);
      expect(Number(b.headers.get("retry-after"))).toBeGreaterThan(0);
      // The count is the database's, as a third process sees it (not one replica's memory).
      expect(one<{ count: number }>(db, "SELECT count FROM auth_throttle WHERE key = ?", "sign-in:127.0.0.1")?.count).toBe(32);
    } finally {
      hub.closeAll();
      await new Promise<void>((resolve) => other.close(() => resolve()));
      db.$engine.close();
    }
  }, 60_000);
});

describe("sessions and tokens end when they should", () => {
  it("an expired session is refused; a deleted user's session and token are refused at once", async () => {
    const p = srv.person("reviewer", "gone@example.com");
    expect((await srv.request("/api/v1/me", { cookie: p.cookie })).status).toBe(200);
    expect((await srv.request("/api/v1/me", { token: p.token })).status).toBe(200);
    const old = startSession({ db: srv.db, actor: system, now: () => Date.now() - 8 * 24 * 3600_000 }, p.actor.id);
    expect((await srv.request("/api/v1/me", { cookie: `${SESSION_COOKIE}=${old.sessionId}` })).status).toBe(401);
    deleteUser({ db: srv.db, actor: system }, p.actor.id);
    expect((await srv.request("/api/v1/me", { cookie: p.cookie })).status).toBe(401);
    expect((await srv.request("/api/v1/me", { token: p.token })).status).toBe(401);
  });
});

describe("user routes", () => {
  it("bad input is refused clearly and changes nothing; only admins manage people", async () => {
    const admin = srv.person("admin", "boss@example.com");
    const viewer = srv.person("viewer", "look@example.com");
    const before = count("users");
    const bad = await srv.request("/api/v1/users", { method: "POST", token: admin.token, body: { email: "nope", role: "wizard", password: "x" } });
    expect(bad.status).toBe(422);
    expect(Object.keys((await bad.json()).fields)).toEqual(expect.arrayContaining(["email", "role"]));
    const dup = await srv.request("/api/v1/users", { method: "POST", token: admin.token, body: { email: "look@example.com", role: "viewer", password: "a long enough password" } });
    expect(dup.status).toBe(409);
    const forbidden = await srv.request("/api/v1/users", { method: "POST", token: viewer.token, body: { email: "new@example.com", role: "viewer", password: "a long enough password" } });
    expect(forbidden.status).toBe(403);
    expect((await srv.request("/api/v1/users/usr_unknown", { method: "DELETE", token: admin.token })).status).toBe(404);
    expect(count("users")).toBe(before);
    const ok = await srv.request("/api/v1/users", { method: "POST", token: admin.token, body: { email: "new@example.com", role: "viewer", password: "a long enough password" } });
    expect(ok.status).toBe(201);
    expect(JSON.stringify(await ok.json())).not.toMatch(/password|scrypt/i);
  });
});
