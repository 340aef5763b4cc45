// The real API under test: createApiApp (every middleware: request id, request log line, headers,
// body limit, bearer-token authentication, rate limit, JSON body, idempotency, zod validation,
// service verb, problem mapper) served by @hono/node-server the way server.ts serves /api/*, with
// server.ts's background WAL checkpoints, on its own process without Next. `tsx bench/api-server.ts --db FILE --port N`; prints "ready".
// On PostgreSQL: `--url postgres://… [--processes N]`: the same app on the PostgreSQL engine (no
// checkpoints: they are SQLite's), in N identical processes on one port (node:cluster), each with its
// own connection, LiveHub and LISTEN, as replicas are (docs/plans/postgresql.md §1.4).
import cluster from "node:cluster";
import fs from "node:fs";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { openDatabase, type Db } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import { createApiApp } from "@/lib/http/app";
import { startCheckpointer } from "@/lib/ops/checkpointer";

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const file = arg("--db") ?? process.env.DATABASE_PATH!;
const url = arg("--url");
const port = Number(arg("--port") ?? 3402);
const processes = url ? Number(arg("--processes") ?? 1) : 1;

if (processes > 1 && cluster.isPrimary) {
  // The primary only forks and reports: ready once every worker listens; SIGTERM stops them all.
  let ready = 0;
  const workers = Array.from({ length: processes }, () => cluster.fork());
  for (const w of workers) {
    w.on("message", (m: string) => {
      if (m === "ready" && ++ready === processes) console.error(`ready ${port} (${processes} processes)`);
    });
  }
  cluster.on("exit", (w, code, signal) => {
    if (!stopping) console.error(`worker ${w.process.pid} exited (${code ?? signal})`);
  });
  let stopping = false;
  process.on("SIGTERM", () => {
    stopping = true;
    let left = workers.filter((w) => !w.isDead()).length;
    if (!left) process.exit(0);
    for (const w of workers) {
      w.once("exit", () => --left === 0 && process.exit(0));
      w.process.kill("SIGTERM");
    }
  });
} else {
  serve();
}

function serve() {
  const sqlite = url ? null : openDatabase(file);
  const db: Db = sqlite ?? openPostgres(url!);
  const checkpointer = sqlite ? startCheckpointer(sqlite.$client) : null;
  const { app, hub } = createApiApp(db);
  const listener = getRequestListener(app.fetch);
  const server = createServer((req, res) => void listener(req, res));
  server.keepAliveTimeout = 65_000;
  server.listen(port, "127.0.0.1", () => (cluster.isWorker ? process.send!("ready") : console.error(`ready ${port}`)));
  // For the live soak's memory check (bench/live.ts, node --expose-gc): on SIGUSR2, a full garbage
  // collection, then the heap still in use appended to BENCH_HEAP_FILE. What survives a full collection
  // is what the server holds on to; RSS also counts garbage not yet collected.
  if (process.env.BENCH_HEAP_FILE) {
    const heapFile = process.env.BENCH_HEAP_FILE;
    process.on("SIGUSR2", () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const m = process.memoryUsage();
      fs.appendFileSync(heapFile, JSON.stringify({ at: Date.now(), gc: !!gc, heapUsed: m.heapUsed, external: m.external, rss: m.rss }) + "\n");
    });
  }
  process.on("SIGTERM", async () => {
    hub.closeAll();
    await checkpointer?.stop();
    server.close();
    server.closeAllConnections();
    if (sqlite) sqlite.$client.close();
    else db.$engine.close();
    process.exit(0);
  });
}
