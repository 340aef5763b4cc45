// One server replica for the replica tests (test/replicas*.pg.test.ts), as its own process: the
// API (createApiApp) and the lease-held jobs (startReplicaJobs: the task-lease sweeper and the run
// supervisor) on the database DATABASE_URL names, the same pieces server.ts runs, without Next.
// Log lines (JSON) on stdout; the first line it prints itself is {"port":N} once it listens.
// Arguments: the lease TTL and renewal period in ms (short, so a takeover fits in a test).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { closeDb, getDb } from "@/db/client";
import { createApiApp } from "@/lib/http/app";
import { getLogger } from "@/lib/log";
import { startReplicaJobs } from "@/lib/ops/replica-jobs";
import { RunSupervisor } from "@/lib/runners";
import { replicaIdFromEnv } from "@/lib/services/leases";

const [ttl, renew] = process.argv.slice(2).map(Number);
const log = getLogger();
const db = getDb();
const { app, hub } = createApiApp(db);
const replica = replicaIdFromEnv();
const listener = getRequestListener(app.fetch);
const server = createServer((req, res) => void listener(req, res));
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  // No runner is configured (a file that does not exist): the supervisor launches nothing, but the
  // `runs` holder still recovers the runs another replica left running.
  const runs = new RunSupervisor({ db, config: { file: "/nonexistent/agentdesk.config.json" }, url: `http://127.0.0.1:${port}`, log, replica, mayLaunch: () => jobs.leases.holds("runs") }).register();
  const jobs = startReplicaJobs({ db, log, replica, runs, sweepMs: Number(process.env.AGENTDESK_SWEEP_MS) || 200, ttlMs: ttl || undefined, renewMs: renew || undefined });
  jobs.start();
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  process.on("SIGTERM", () => {
    hub.closeAll();
    server.close();
    void jobs.stop().finally(() => {
      closeDb();
      process.exit(0);
    });
  });
});
