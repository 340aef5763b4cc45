import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Handle, SqliteDb as Db } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { docsRoutes } from "@/lib/http/v1";
import { createToken, createUser, startSession, type ServiceContext } from "@/lib/services";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import type { Actor, Role } from "@/lib/auth/actor";
import { makeTestDb, system } from "./db";
import { checkResponse } from "./contract";
import { countOf } from "./sql";

export interface TestPerson {
  actor: Extract<Actor, { kind: "person" }>;
  /** A bearer token of this person (for scripts). */
  token: string;
  /** A session cookie header value (for browser-like requests). */
  cookie: string;
}

export interface TestServer {
  baseUrl: string;
  db: Db;
  file: string;
  /** The file, or the PostgreSQL URL: what another process opens (test/db.ts openLocation). */
  location: string;
  dir: string;
  ctx: (actor: Actor) => ServiceContext;
  /** Another connection to the server's database, as another process has. The caller closes it. */
  reopen: ReturnType<typeof makeTestDb>["reopen"];
  /** Mints a bearer token for an agent; returns the secret and its id. */
  agentToken: (name: string, label?: string) => { token: string; id: string };
  /** Creates a person with a role, a token and a session. */
  person: (role: Role, email?: string) => TestPerson;
  /** fetch against the server: JSON body, bearer token or cookie, any extra headers. */
  request: (path: string, init?: RequestOptions) => Promise<Response>;
  close: () => Promise<void>;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  cookie?: string;
  body?: unknown;
  /** Sent as is (for malformed JSON and big bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
}

let seq = 0;

/**
 * The real API app (createApiApp) on a real SQLite file built from the real migrations, served by
 * @hono/node-server on a random port. No Next: API tests need only /api/*.
 */
export async function startTestServer(): Promise<TestServer> {
  // Tests fire requests faster than any agent; the rate-limit test sets its own low limit first.
  process.env.AGENTDESK_AGENT_RATE_LIMIT ??= "100000";
  // One JSON line per request would bury the test report; warnings and errors still show.
  process.env.LOG_LEVEL ??= "warn";
  const t = makeTestDb();
  const { app, hub } = createApiApp(t.db);
  // /api/docs is to be mounted in app.ts by its owner; until it is, serve it beside the app here.
  const docsMounted = app.routes.some((r) => r.path.startsWith("/api/docs"));
  const docs = docsRoutes();
  // The node-server env (incoming socket) goes through, as in server.ts: the first-run page checks
  // the caller's address.
  const fetchApi = (req: Request, env?: unknown) => (!docsMounted && new URL(req.url).pathname === "/api/docs" ? docs.fetch(new Request(new URL("/", req.url), req)) : app.fetch(req, env as never));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: fetchApi, port: 0, hostname: "127.0.0.1" }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const sys = { db: t.db, actor: system };

  const request = (path: string, init: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (init.cookie) {
      headers.cookie = init.cookie;
      headers.origin ??= baseUrl;
    }
    let body: string | undefined;
    if (init.rawBody !== undefined) body = init.rawBody;
    else if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) headers["content-type"] = "application/json";
    const method = init.method ?? (body !== undefined ? "POST" : "GET");
    // Every answer is checked against its route's declared response (test/contract.ts): a mismatch
    // rejects the request, so the test that made it fails with the reason.
    return fetch(baseUrl + path, { method, headers, body }).then(async (res) => {
      await checkResponse(method, baseUrl + path, res);
      return res;
    });
  };

  return {
    baseUrl,
    db: t.db,
    file: t.file,
    location: t.location,
    dir: t.dir,
    ctx: (actor) => ({ db: t.db, actor }),
    reopen: t.reopen,
    agentToken: (name, label = "") => {
      const tok = createToken(sys, { agent: name, label });
      return { token: tok.token, id: tok.id };
    },
    person: (role, email) => {
      const n = ++seq;
      const user = createUser(sys, { email: email ?? `${role}${n}@example.com`, name: `${role} ${n}`, role, passwordHash: "scrypt$test$not-a-real-hash-000" });
      const actor = { kind: "person" as const, id: user.id, email: user.email, name: user.name, role: user.role };
      const token = createToken(sys, { userId: user.id, label: "test" }).token;
      const { sessionId } = startSession({ db: t.db, actor }, user.id);
      return { actor, token, cookie: `${SESSION_COOKIE}=${sessionId}` };
    },
    request,
    close: async () => {
      hub.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      t.cleanup();
    },
  };
}

/** Row counts of the tables a refused request must leave alone. Test-only raw SQL. */
export function countRows(db: Handle): Record<string, number> {
  const tables = ["events", "tasks", "task_steps", "outputs", "messages", "instructions", "api_tokens", "users", "idempotency_keys"];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = countOf(db, table);
  return out;
}

/** Reads a response as JSON, or null for an empty body. Tests poke into answers freely, hence any. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}
