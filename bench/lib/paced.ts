// An open-loop load at a fixed rate: request i is due at start + i / rate, whatever happened to the
// ones before, and its latency is counted from when it was due (so a stall is not hidden by the
// requests it held back). autocannon's own rate limit releases each second's quota in a burst,
// which measures the burst. The requests come from the same autocannon request specs: `clients`
// sequences each walk the spec list in order with their own context (step updates stay legal).
import http from "node:http";
import type { RequestSpec } from "autocannon";
import { quantile, round } from "./stats";

export interface PacedResult {
  rate: number;
  sent: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

export async function paced(base: string, specs: RequestSpec[], o: { rate: number; durationS: number; clients: number }): Promise<PacedResult> {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.clients });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const clients = Array.from({ length: o.clients }, () => ({ i: 0, ctx: {} as Record<string, unknown>, busy: false, queue: [] as number[] }));

  const send = (c: (typeof clients)[number], due: number) => {
    c.busy = true;
    const spec = specs[c.i % specs.length];
    if (c.i % specs.length === 0) c.ctx = {};
    c.i++;
    const { setupRequest, onResponse: _unused, ...rest } = spec;
    const req = setupRequest ? (setupRequest({ ...rest }, c.ctx) ?? rest) : rest;
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        agent,
        method: req.method ?? "GET",
        path: req.path ?? "/",
        headers: { ...(req.headers ?? {}), ...(body ? { "content-length": String(body.length) } : {}) },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - due);
          if ((res.statusCode ?? 0) >= 300) non2xx++;
          done(c);
        });
      },
    );
    r.on("error", () => {
      errors++;
      done(c);
    });
    r.end(body);
  };
  const done = (c: (typeof clients)[number]) => {
    c.busy = false;
    const next = c.queue.shift();
    if (next !== undefined) send(c, next);
  };

  const start = performance.now();
  const total = Math.round(o.rate * o.durationS);
  const interval = 1000 / o.rate;
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < total && start + i * interval <= now) {
        const due = start + i * interval;
        const c = clients[i % clients.length];
        if (c.busy) c.queue.push(due);
        else send(c, due);
        i++;
      }
      if (i < total) setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  // Wait for the stragglers.
  const deadline = performance.now() + 15_000;
  while (latencies.length + errors < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rate: o.rate,
    sent: total,
    rps: round(latencies.length / elapsed, 0),
    p50: round(quantile(latencies, 0.5)),
    p99: round(quantile(latencies, 0.99)),
    max: round(latencies[latencies.length - 1] ?? NaN),
    non2xx,
    errors,
  };
}
