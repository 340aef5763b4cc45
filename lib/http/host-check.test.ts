import http from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { hashPasswordSync } from "@/lib/auth/secrets-sync";
import { createUser } from "@/lib/services";
import { startTestServer, type TestServer } from "@/test/server";
import { system } from "@/test/db";

// DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends requests from
// this machine's browser, over a loopback socket, with `Host: evil.example:<port>` and a matching Origin.

let srv: TestServer;
let port: number;
beforeEach(async () => {
  srv = await startTestServer();
  port = Number(new URL(srv.baseUrl).port);
});
afterEach(async () => {
  delete process.env.AGENTDESK_PUBLIC_URL;
  await srv.close();
});

const users = () => srv.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM users`)!.n;

/** A request with the Host header we choose (fetch will not send a Host of our own). */
function raw(path: string, opts: { method?: string; host: string; headers?: Record<string, string>; body?: unknown }) {
  return new Promise<{ status: number; type: string; body: Record<string, unknown> | null }>((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: opts.method ?? (body ? "POST" : "GET"),
        agent: false,
        headers: { host: opts.host, ...(body ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}), ...opts.headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"]), body: text ? JSON.parse(text) : null }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const firstRun = (host: string) => raw("/api/auth/first-run", { host, headers: { origin: `http://${host}` }, body: { email: "first@example.com", name: "First", password: "a long enough password" } });

describe("first run answers only to a loopback or configured host name", () => {
  it("refuses Host: evil.example with a matching Origin from a loopback socket, and creates nobody", async () => {
    const res = await firstRun(`evil.example:${port}`);
    expect(res.status).toBe(403);
    expect(res.type).toContain("application/problem+json");
    expect(res.body).toMatchObject({ code: "host_not_allowed" });
    expect(String(res.body!.detail)).toMatch(/evil\.example/);
    expect(String(res.body!.detail)).toMatch(/AGENTDESK_PUBLIC_URL/);
    expect(users()).toBe(0);
  });

  it("still works at localhost", async () => {
    expect((await firstRun(`localhost:${port}`)).status).toBe(201);
    expect(users()).toBe(1);
  });

  it("works at the configured public URL's host", async () => {
    process.env.AGENTDESK_PUBLIC_URL = "https://desk.example.com";
    expect((await firstRun("desk.example.com")).status).toBe(201);
  });
});

describe("every cookie request checks the Host; bearer requests do not", () => {
  it("refuses a valid session cookie sent to another host name, on reads, writes, events and sign-in", async () => {
    const p = srv.person("admin");
    const evil = `evil.example:${port}`;
    const withCookie = { cookie: p.cookie, origin: `http://${evil}` };
    for (const [method, path] of [
      ["GET", "/api/v1/me"],
      ["GET", "/api/events"],
      ["POST", "/api/auth/sign-out"],
      ["GET", "/api/auth/session"],
    ] as const) {
      const res = await raw(path, { method, host: evil, headers: withCookie });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body, `${method} ${path}`).toMatchObject({ code: "host_not_allowed" });
    }
    const write = await raw("/api/v1/instructions", { host: evil, headers: withCookie, body: { title: "x", body: "y" } });
    expect(write.status).toBe(403);
    createUser({ db: srv.db, actor: system }, { email: "ada@example.com", name: "Ada", role: "reviewer", passwordHash: hashPasswordSync("correct horse battery") });
    const signIn = await raw("/api/auth/sign-in", { host: evil, headers: { origin: `http://${evil}` }, body: { email: "ada@example.com", password: "correct horse battery" } });
    expect(signIn.status).toBe(403);
    // The same cookie at localhost still works, and a bearer token works at any host.
    expect((await raw("/api/v1/me", { host: `localhost:${port}`, headers: withCookie })).status).toBe(200);
    expect((await raw("/api/v1/me", { host: evil, headers: { authorization: `Bearer ${p.token}` } })).status).toBe(200);
  });
});
