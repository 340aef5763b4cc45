// SIGTERM on the real API process (test/crash/server-entry.ts, the same shutdown code as server.ts):
// it stops accepting, ends the open event stream, finishes the request in flight, checkpoints the
// WAL, removes its pid file and exits 0 within 10 s.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { prepareEntry, startApi, type ApiChild } from "@/test/crash/child";
import { installGracefulShutdown, isShuttingDown, markShuttingDown } from "./shutdown";
import { seedWorkload } from "@/test/crash/seed";

let dir: string;
let file: string;
let token: string;
let api: ApiChild;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-shutdown-"));
  file = path.join(dir, "shutdown.db");
  const seeded = seedWorkload(file, { tasksPerAgent: 2, tokensPerAgent: 1, agents: ["backend-developer"] });
  token = seeded.agents[0].tokens[0];
  api = await startApi({ file, args: await prepareEntry(), env: { LOG_LEVEL: "info" } });
});

afterAll(() => {
  if (api?.proc.exitCode === null) api.proc.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A POST whose body arrives in two halves: in flight until the second half is sent. */
function slowPost(port: number, pathname: string, payload: unknown) {
  const body = Buffer.from(JSON.stringify(payload));
  const req = http.request({
    host: "127.0.0.1",
    port,
    path: pathname,
    method: "POST",
    agent: false,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "content-length": body.length },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
  });
  answer.catch(() => {}); // awaited by the test; no unhandled rejection if it fails before that
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return { answer, finish: () => req.end(body.subarray(half)) };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path: "/api/health", agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on("error", () => resolve(false));
  });
}

describe("graceful shutdown", () => {
  it("SIGTERM: ends event streams, finishes the request in flight, checkpoints the WAL, exits 0 in < 10 s", async () => {
    // Some writes, so the WAL has frames to checkpoint.
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${api.baseUrl}/api/v1/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ to: "hitl", body: `before shutdown ${i}` }),
      });
      expect(r.status).toBe(201);
    }
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(0);
    expect(JSON.parse(fs.readFileSync(`${file}.server.pid`, "utf8")).pid).toBe(api.proc.pid);

    // An open event stream, read up to its "ready" event.
    const stream = await fetch(`${api.baseUrl}/api/events`, { headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let seen = "";
    while (!seen.includes("event: ready")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended early");
      seen += new TextDecoder().decode(value);
    }
    const streamEnded = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return "ended";
      } catch {
        return "ended"; // the connection was closed under it: also an end
      }
    })();

    const inFlight = slowPost(api.port, "/api/v1/messages", { to: "hitl", body: "sent while the server stops" });
    await new Promise((r) => setTimeout(r, 150));

    const t0 = Date.now();
    api.proc.kill("SIGTERM");
    // A busy machine may take a moment to deliver the signal: wait until the server says it got it.
    for (let waited = 0; !api.output().includes('"msg":"shutting down"') && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    expect(await connects(api.port)).toBe(false); // no longer accepting
    inFlight.finish();

    const answer = await inFlight.answer;
    expect(answer.status).toBe(201);
    const sent = JSON.parse(answer.body) as { id: string };
    expect(await Promise.race([streamEnded, new Promise((r) => setTimeout(() => r("still open"), 5000))])).toBe("ended");

    const { code, signal } = await api.exited;
    const took = Date.now() - t0;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(10_000);
    expect(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0).toBe(0);
    expect(fs.existsSync(`${file}.server.pid`)).toBe(false);
    const lines = api.output();
    expect(lines).toContain('"msg":"stopped cleanly"');
    // It saw both: the event stream and the unfinished POST.
    const down = lines.split("\n").find((l) => l.includes('"msg":"shutting down"'));
    expect(JSON.parse(down!)).toMatchObject({ signal: "SIGTERM", inFlight: 2 });

    // The request that was in flight is in the file.
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare("SELECT body FROM messages WHERE id = ?").get(sent.id)).toEqual({ body: "sent while the server stops" });
    } finally {
      db.close();
    }
  }, 60_000);
});

describe("installGracefulShutdown (in process)", () => {
  const silent = createLogger({ level: "silent" });

  async function listening(handler: http.RequestListener) {
    const server = http.createServer(handler);
    const events: string[] = [];
    const g = installGracefulShutdown({
      server,
      log: silent,
      drainMs: 400,
      stopWork: () => {
        events.push("stopWork");
        return new Promise<void>((r) => setTimeout(() => (events.push("work done"), r()), 150));
      },
      close: () => events.push("close"),
      exit: (code) => events.push(`exit ${code}`),
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { server, g, events, port: (server.address() as { port: number }).port };
  }

  it("waits for background work before closing the database, then exits 0", async () => {
    const { g, events } = await listening((_req, res) => res.end("ok"));
    try {
      await g.shutdown("test");
      expect(isShuttingDown()).toBe(true);
      expect(events).toEqual(["stopWork", "work done", "close", "exit 0"]);
    } finally {
      g.uninstall();
      markShuttingDown(false);
    }
  });

  it("cuts a request that outlives the drain time, and still closes cleanly", async () => {
    const { g, events, port } = await listening(() => {
      /* never answers */
    });
    try {
      const cut = new Promise<string>((resolve) => {
        http.get({ host: "127.0.0.1", port, path: "/slow", agent: false }, () => resolve("answered")).on("error", () => resolve("cut"));
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(g.inFlight()).toBe(1);
      const t0 = Date.now();
      await g.shutdown("test");
      expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
      expect(await cut).toBe("cut");
      expect(events.slice(-2)).toEqual(["close", "exit 0"]);
    } finally {
      g.uninstall();
      markShuttingDown(false);
    }
  });
});
