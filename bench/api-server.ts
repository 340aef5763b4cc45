// The real API under test: createApiApp (every middleware: request id, request log line, headers,
// body limit, bearer-token authentication, rate limit, JSON body, idempotency, zod validation,
// service verb, problem mapper) served by @hono/node-server the way server.ts serves /api/*, with
// server.ts's background WAL checkpoints, on its own process without Next. `tsx bench/api-server.ts --db FILE --port N`; prints "ready".
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
process.on("SIGTERM", async () => {
  hub.closeAll();
  await checkpointer.stop();
  server.close();
  server.closeAllConnections();
  db.$client.close();
  process.exit(0);
});
