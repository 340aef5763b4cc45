// The HTTP API alone (no Next) on the database at DATABASE_PATH, or on PostgreSQL when DATABASE_URL
// names it: what the crash, shutdown and several-writers tests start as a child process. Same pieces
// as server.ts: the one connection, background checkpoints, the pid file (SQLite only: it guards the
// file), graceful shutdown. Prints `{"listening":PORT}` on stdout once it accepts requests.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { closeDb, defaultDatabasePath, describeDatabase, getDb, postgresUrl } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { getLogger } from "@/lib/log";
import { installGracefulShutdown } from "@/lib/ops/shutdown";
import { startDatabaseMaintenance } from "@/lib/ops/checkpointer";
import { acquireLock } from "@/lib/ops/server-lock";

const log = getLogger();
const file = defaultDatabasePath();
const lock = postgresUrl() ? null : acquireLock(file, "server");
const db = getDb();
const checkpointer = startDatabaseMaintenance(db, { log });
const { app, hub } = createApiApp(db);
const listener = getRequestListener(app.fetch);
const server = createServer((req, res) => void listener(req, res));
server.keepAliveTimeout = 65_000;
installGracefulShutdown({
  server,
  log,
  stopWork: () => {
    hub.closeAll();
    return checkpointer.stop();
  },
  close: () => {
    closeDb();
    lock?.release();
  },
});
server.listen(Number(process.env.PORT) || 0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  log.info({ port, database: describeDatabase() }, "API listening");
  process.stdout.write(JSON.stringify({ listening: port }) + "\n");
});
