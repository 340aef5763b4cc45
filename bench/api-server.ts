// The real API under test: createApiApp (every middleware: request id, request log line, headers,
// body limit, bearer-token authentication, rate limit, JSON body, idempotency, zod validation,
// service verb, problem mapper) served by @hono/node-server the way server.ts serves /api/*, with
// server.ts's background WAL checkpoints, on its own process without Next. `tsx bench/api-server.ts --db FILE --port N`; prints "ready".
import fs from "node:fs";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { openDatabase } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { startCheckpointer } from "@/lib/ops/checkpointer";

const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const file = arg("--db") ?? process.env.DATABASE_PATH!;
const port = Number(arg("--port") ?? 3402);

const db = openDatabase(file);
const checkpointer = startCheckpointer(db.$client);
const { app, hub } = createApiApp(db);
const listener = getRequestListener(app.fetch);
const server = createServer((req, res) => void listener(req, res));
server.keepAliveTimeout = 65_000;
server.listen(port, "127.0.0.1", () => console.error(`ready ${port}`));
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
  await checkpointer.stop();
  server.close();
  server.closeAllConnections();
  db.$client.close();
  process.exit(0);
});
