import http from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { hashPasswordSync } from "@/lib/auth/secrets-sync";
import { createUser } from "@/lib/services";
import { startTestServer, type TestServer } from "@/test/server";
import { system } from "@/test/db";

// Behind a reverse proxy (docs/operations.md) the request reaches AgentDesk on a loopback socket with
// the proxy's Host (nginx's default: the upstream's address) and the browser's in X-Forwarded-Host,
// X-Forwarded-Proto and X-Forwarded-For. Those headers are read only with AGENTDESK_TRUST_PROXY=1:
// without a proxy, anyone can send them.

let srv: TestServer;
let port: number;
let upstream: string;
beforeEach(async () => {
  srv = await startTestServer();
  port = Number(new URL(srv.baseUrl).port);
  upstream = `127.0.0.1:${port}`;
  process.env.AGENTDESK_PUBLIC_URL = "https://desk.example.com";
});
afterEach(async () => {
  delete process.env.AGENTDESK_PUBLIC_URL;
  delete process.env.AGENTDESK_TRUST_PROXY;
  await srv.close();
});

const count = (table: "users" | "instructions") => srv.db.get<{ n: number }>(sql.raw(`SELECT count(*) AS n FROM ${table}`))!.n;

/** A request with the Host and forwarded headers we choose (fetch will not send a Host of our own). */
function raw(path: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> | null }>((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: text ? "POST" : "GET",
        agent: false,
        headers: { ...(text ? { "content-type": "application/json", "content-length": Buffer.byteLength(text) } : {}), ...headers },
      },
      (res) => {
        let out = "";
        res.on("data", (c) => (out += c));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: out ? JSON.parse(out) : null }));
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** What nginx sends for the browser at https://desk.example.com (proxy_pass without proxy_set_header Host). */
const viaProxy = (extra: Record<string, string> = {}) => ({
  host: upstream,
  origin: "https://desk.example.com",
  "x-forwarded-host": "desk.example.com",
  "x-forwarded-proto": "https",
  "x-forwarded-for": "203.0.113.7",
  ...extra,
});
const instruction = { title: "Behind the proxy", body: "", tier: 1, priority: "normal" };

describe("a session write through a reverse proxy that keeps its own Host", () => {
  it("without AGENTDESK_TRUST_PROXY: the forwarded host is ignored, so the Origin does not match and nothing is written", async () => {
    const p = srv.person("admin");
    const res = await raw("/api/v1/instructions", { ...viaProxy(), cookie: p.cookie }, instruction);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "csrf" });
    expect(count("instructions")).toBe(0);
  });

  it("with AGENTDESK_TRUST_PROXY=1: the forwarded host is the one the browser asked for, and the write goes through", async () => {
    process.env.AGENTDESK_TRUST_PROXY = "1";
    const p = srv.person("admin");
    const res = await raw("/api/v1/instructions", { ...viaProxy(), cookie: p.cookie }, instruction);
    expect(res.status).toBe(201);
    expect(count("instructions")).toBe(1);
  });
});

describe("a forged X-Forwarded-Host", () => {
  it("without the setting cannot lift the Host check: a rebinding page at evil.example that claims localhost is refused", async () => {
    const p = srv.person("admin");
    const evil = `evil.example:${port}`;
    const res = await raw("/api/v1/instructions", { host: evil, origin: `http://${evil}`, "x-forwarded-host": `localhost:${port}`, cookie: p.cookie }, instruction);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "host_not_allowed" });
    expect(count("instructions")).toBe(0);
  });

  it("without the setting cannot make a foreign Origin match: Origin evil.example with X-Forwarded-Host evil.example at localhost is refused", async () => {
    const p = srv.person("admin");
    const res = await raw("/api/v1/instructions", { host: `localhost:${port}`, origin: "http://evil.example", "x-forwarded-host": "evil.example", cookie: p.cookie }, instruction);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "csrf" });
    expect(count("instructions")).toBe(0);
  });

  it("with the setting is still held to the allowed host names: a forwarded evil.example is refused", async () => {
    process.env.AGENTDESK_TRUST_PROXY = "1";
    const p = srv.person("admin");
    const res = await raw("/api/v1/instructions", { ...viaProxy({ origin: "https://evil.example", "x-forwarded-host": "evil.example" }), cookie: p.cookie }, instruction);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "host_not_allowed" });
    expect(count("instructions")).toBe(0);
  });

  it("with the setting, only the proxy's own (last) entry counts: a client's forged first entry is not the host", async () => {
    process.env.AGENTDESK_TRUST_PROXY = "1";
    const p = srv.person("admin");
    const res = await raw("/api/v1/instructions", { ...viaProxy({ origin: "https://evil.example", "x-forwarded-host": "evil.example, desk.example.com" }), cookie: p.cookie }, instruction);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "csrf" });
  });
});

describe("sign-in and first run behind the proxy", () => {
  it("sets a Secure session cookie when a trusted proxy says the browser used https, and only then", async () => {
    createUser({ db: srv.db, actor: system }, { email: "ada@example.com", name: "Ada", role: "reviewer", passwordHash: hashPasswordSync("correct horse battery") });
    const signIn = () =>
      raw("/api/auth/sign-in", { host: `localhost:${port}`, origin: `http://localhost:${port}`, "x-forwarded-proto": "https" }, { email: "ada@example.com", password: "correct horse battery" });
    const plain = await signIn();
    expect(plain.status).toBe(200);
    expect(String(plain.headers["set-cookie"])).not.toMatch(/;\s*Secure/i);
    process.env.AGENTDESK_TRUST_PROXY = "1";
    const secure = await signIn();
    expect(secure.status).toBe(200);
    expect(String(secure.headers["set-cookie"])).toMatch(/;\s*Secure/i);
  });

  it("refuses the first-run set-up to a remote browser that a trusted proxy forwards from its loopback socket", async () => {
    process.env.AGENTDESK_TRUST_PROXY = "1";
    const res = await raw("/api/auth/first-run", viaProxy(), { email: "first@example.com", name: "First", password: "a long enough password" });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: "forbidden" });
    expect(count("users")).toBe(0);
    // From this machine, through the same proxy, it works.
    const local = await raw("/api/auth/first-run", viaProxy({ "x-forwarded-for": "127.0.0.1" }), { email: "first@example.com", name: "First", password: "a long enough password" });
    expect(local.status).toBe(201);
    expect(count("users")).toBe(1);
  });
});
