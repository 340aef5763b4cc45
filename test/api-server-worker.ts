// A second API server process on an existing database file (the concurrency tests): its own
// connection, its own event loop, as a second `server.ts` on the same file would be. Prints its port.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { openDatabase } from "@/db/client";
import { createApiApp } from "@/lib/http/app";

const [file] = process.argv.slice(2);
const db = openDatabase(file, { migrate: false });
const { app } = createApiApp(db);
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  db.$client.close();
  process.exit(0);
});
