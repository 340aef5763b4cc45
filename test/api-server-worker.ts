// A second API server process on an existing database (the concurrency tests): its own connection,
// its own event loop, as a second `server.ts` on the same SQLite file, or a second replica on the
// same PostgreSQL database, would be. Prints its port.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApiApp } from "@/lib/http/app";
import { openLocation } from "./db";

// An SQLite file or a PostgreSQL URL (a test's `location`).
const [location] = process.argv.slice(2);
const db = openLocation(location);
const { app } = createApiApp(db);
const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  db.$engine.close();
  process.exit(0);
});
