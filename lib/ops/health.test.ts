import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { createLogger, setLogger } from "@/lib/log";
import { markShuttingDown } from "./shutdown";
import { inProcessApi, type InProcessApi } from "@/test/crash/in-process";

beforeAll(() => setLogger(createLogger({ level: "silent" })));

let api: InProcessApi | null = null;
afterEach(() => {
  markShuttingDown(false);
  api?.cleanup();
  api = null;
  vi.restoreAllMocks();
});

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const doc = (await res.json()) as { status: number; code: string; detail: string; requestId: string };
  expect(doc.requestId).toBe(res.headers.get("x-request-id"));
  return doc;
}

describe("GET /api/health and /api/ready", () => {
  it("health: alive and the database answers", async () => {
    api = inProcessApi();
    const res = await api.request("/api/health", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", database: "reachable" });
  });

  it("ready: migrations applied and the write lock can be taken", async () => {
    api = inProcessApi();
    const res = await api.request("/api/ready", { token: null });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; migrations: number };
    expect(body.status).toBe("ready");
    expect(body.migrations).toBeGreaterThanOrEqual(3);
  });

  it("ready is 503 on a database opened read-only, while health stays 200", async () => {
    api = inProcessApi();
    const ro = openDatabase(api.file, { readonly: true });
    const { app, hub } = createApiApp(ro);
    try {
      const ready = await app.request("http://localhost/api/ready");
      expect(ready.status).toBe(503);
      const doc = await problemOf(ready);
      expect(doc.code).toBe("unavailable");
      expect(doc.detail).toMatch(/read-only/);
      expect((await app.request("http://localhost/api/health")).status).toBe(200);
    } finally {
      hub.closeAll();
      ro.$client.close();
    }
  });

  it("ready is 503 while the database refuses writes, and 200 again once it takes them", async () => {
    api = inProcessApi();
    api.db.$client.pragma("query_only = ON");
    const res = await api.request("/api/ready", { token: null });
    expect(res.status).toBe(503);
    expect((await problemOf(res)).code).toBe("unavailable");
    api.db.$client.pragma("query_only = OFF");
    expect((await api.request("/api/ready", { token: null })).status).toBe(200);
  });

  it("ready is 503 and new event streams are refused once shutdown began; health stays 200", async () => {
    api = inProcessApi();
    markShuttingDown(true);
    const ready = await api.request("/api/ready", { token: null });
    expect(ready.status).toBe(503);
    expect((await problemOf(ready)).detail).toMatch(/shutting down/);
    expect((await api.request("/api/events")).status).toBe(503);
    expect((await api.request("/api/health", { token: null })).status).toBe(200);
  });
});
