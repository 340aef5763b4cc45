import { afterEach, describe, expect, it, vi } from "vitest";
import type { DestinationStream } from "pino";
import { execFileSync } from "node:child_process";
import { BatchedLines, createLogger, getLogger, levelFromEnv, setLogger } from "@/lib/log";
import { inProcessApi, type InProcessApi } from "@/test/crash/in-process";

function capture(level = "info") {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination: DestinationStream = {
    write(s: string) {
      raw.push(s);
      for (const l of s.split("\n")) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
    },
  };
  setLogger(createLogger({ level, destination }));
  return { lines, raw };
}

let api: InProcessApi | null = null;
afterEach(() => {
  api?.cleanup();
  api = null;
  setLogger(createLogger({ level: "silent" }));
  vi.restoreAllMocks();
});

describe("structured logs", () => {
  it("writes one JSON line per request with request id, method, path, status and duration", async () => {
    const { lines } = capture();
    api = inProcessApi();
    const res = await api.request("/api/v1/tasks?limit=5", { headers: { "x-request-id": "req-log-1" } });
    expect(res.status).toBe(200);
    const line = lines.find((l) => l.requestId === "req-log-1");
    expect(line).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/api/v1/tasks", status: 200, actor: "agent:backend-developer" });
    expect(typeof line!.durationMs).toBe("number");
    expect(typeof line!.time).toBe("string");
    expect(JSON.stringify(line)).not.toContain("limit=5");
  });

  it("writes the request line (straight to the destination) in the same layout as every other line", async () => {
    const { lines, raw } = capture();
    getLogger().info({ requestId: "req-log-2", method: "GET", path: "/x", status: 200, durationMs: 1 }, "request");
    api = inProcessApi();
    await api.request("/api/v1/tasks?limit=1", { headers: { "x-request-id": "req-log-3" } });
    const viaPino = lines.find((l) => l.requestId === "req-log-2")!;
    const direct = lines.find((l) => l.requestId === "req-log-3")!;
    expect(Object.keys(direct).slice(0, 3)).toEqual(Object.keys(viaPino).slice(0, 3));
    expect(Object.keys(direct).at(-1)).toBe(Object.keys(viaPino).at(-1));
    expect(direct.pid).toBe(viaPino.pid);
    expect(Date.parse(direct.time as string)).not.toBeNaN();
    expect(raw.every((r) => r.endsWith("\n"))).toBe(true);
  });

  it("never logs credentials, cookies or bodies", async () => {
    const { raw } = capture("trace");
    api = inProcessApi();
    await api.request("/api/v1/messages", {
      body: { to: "hitl", body: "my password is hunter2-secret" },
      headers: { cookie: "agentdesk_session=cookie-secret-123" },
    });
    await api.request("/api/v1/tasks", { token: "adk_not-a-real-token-xyz" });
    const all = raw.join("");
    expect(all).toContain('"status":201');
    expect(all).toContain('"status":401');
    for (const secret of ["hunter2-secret", "cookie-secret-123", "adk_not-a-real-token-xyz", api.token]) expect(all).not.toContain(secret);
  });

  it("redacts secret fields wherever a caller puts them", () => {
    const { lines } = capture();
    getLogger().info({ authorization: "Bearer a", headers: { authorization: "Bearer b", cookie: "c", "set-cookie": "d" }, user: { password: "e", token: "f" }, token: "g" }, "with secrets");
    const s = JSON.stringify(lines[0]);
    for (const secret of ["Bearer a", "Bearer b", '"c"', '"d"', '"e"', '"f"', '"g"']) expect(s).not.toContain(secret);
    expect(s).toContain("[redacted]");
  });

  it("logs a failed request at error level with its request id", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const { lines } = capture();
    api = inProcessApi();
    await api.request("/api/v1/tasks"); // the token's last-used time is written on first use
    api.db.$client.pragma("query_only = ON");
    const res = await api.request("/api/v1/messages", { body: { to: "hitl", body: "x" }, headers: { "x-request-id": "req-log-503" } });
    expect(res.status).toBe(503);
    expect(lines.find((l) => l.requestId === "req-log-503" && l.msg === "request")).toMatchObject({ level: "error", status: 503, path: "/api/v1/messages" });
  });

  it("takes its level from LOG_LEVEL (default info); silent writes nothing", () => {
    expect(levelFromEnv({})).toBe("info");
    expect(levelFromEnv({ LOG_LEVEL: "DEBUG" })).toBe("debug");
    expect(levelFromEnv({ LOG_LEVEL: "chatty" })).toBe("info");
    const { raw } = capture("silent");
    getLogger().error("nothing");
    expect(raw).toEqual([]);
    const warn = capture("warn");
    getLogger().info("hidden");
    getLogger().warn("shown");
    expect(warn.lines.map((l) => l.msg)).toEqual(["shown"]);
  });
});

describe("batched stdout", () => {
  it("hands lines over in one chunk per batch: by time, by size, and drops (counted) beyond the cap", async () => {
    const chunks: string[] = [];
    const b = new BatchedLines({ write: (c) => chunks.push(c) }, { intervalMs: 20, batchBytes: 100, maxPendingBytes: 300 });
    b.write("a\n");
    b.write("b\n");
    expect(chunks).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(chunks).toEqual(["a\nb\n"]);
    b.write("x".repeat(60));
    b.write("y".repeat(60));
    expect(chunks).toEqual(["a\nb\n", "x".repeat(60) + "y".repeat(60)]);
    const stalled = new BatchedLines({ write: () => {} }, { intervalMs: 10_000, batchBytes: 10_000, maxPendingBytes: 250 });
    for (let i = 0; i < 5; i++) stalled.write("z".repeat(100));
    expect(stalled.dropped).toBe(3);
  });

  // A real process writing through the default destination: every line arrives, whether it exits
  // with process.exit() right after logging or simply runs out of work.
  it.each([
    ["process.exit()", "process.exit(0);"],
    ["the event loop running dry", ""],
  ])("loses no line when the process ends by %s", (_how, ending) => {
    const script = `import { getLogger } from "./lib/log.ts"; for (let i = 0; i < 5000; i++) getLogger().info({ i }, "line"); ${ending}`;
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: "info" },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const lines = out
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number });
    expect(lines.length).toBe(5000);
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
