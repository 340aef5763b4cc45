// What both bare baselines (bench/baseline-server.ts on SQLite, bench/baseline-server-pg.ts on
// PostgreSQL) need of HTTP: the body as text, a JSON answer, and the agent routes they serve.
import type { IncomingMessage, ServerResponse } from "node:http";

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (s += d));
    req.on("end", () => resolve(s));
  });
}

export function send_(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export const stepPath = /^\/api\/v1\/tasks\/([^/]+)\/steps\/(\d+)$/;
export const heartbeatPath = /^\/api\/v1\/tasks\/([^/]+)\/heartbeat$/;
