import cluster from "node:cluster";
import os from "node:os";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import next from "next";
import { getRequestListener } from "@hono/node-server";
import { closeDb, DataPathError, describeDatabase, ensureDatabaseFolder, getDb, postgresUrl } from "@/db/client";
import { agentDirsFromEnv, formatAgentProblem, loadAgentDefinitions } from "@/lib/agents";
import { countUsers, syncAgents } from "@/lib/services";
import { systemActor } from "@/lib/auth/actor";
import { createApiApp } from "@/lib/http/app";
import { refuseMalformedPagePath } from "@/lib/http/page-guard";
import { defaultConfigPath, RunSupervisor } from "@/lib/runners";
import { getLogger } from "@/lib/log";
import { installGracefulShutdown } from "@/lib/ops/shutdown";
import { startDatabaseMaintenance } from "@/lib/ops/checkpointer";
import { WebhookWorker } from "@/lib/ops/webhooks";
import { startReplicaJobs } from "@/lib/ops/replica-jobs";
import { replicaIdFromEnv } from "@/lib/services/leases";
import { acquireLock, LockError, releaseLock } from "@/lib/ops/server-lock";
import { startMirrorFromEnv } from "@/lib/protocol";
import { isLoopback } from "@/lib/auth/allowed-host";
import { packageRoot } from "@/lib/domain/install";

/**
 * One process: /api/* goes to the Hono app (the agents' hot path stays off Next's request
 * pipeline), everything else to Next. Both share the one database connection.
 */
const dev = process.env.NODE_ENV !== "production";
const port = Number(process.env.PORT) || 3000;
// Loopback unless told otherwise: a fresh install (no admin yet) must not be reachable from the network.
// HOST=0.0.0.0 exposes it (docs/operations.md).
const hostname = process.env.HOST?.trim() || "127.0.0.1";
const logger = getLogger();

/**
 * How many server processes to run on this machine (AGENTDESK_PROCESSES; docs/replicas.md): on
 * PostgreSQL, N identical workers on one port (node:cluster), each a replica with its own
 * connection, because a process waits for the database on every statement; default `auto`, one per
 * core and at most 4 (one synchronous process overlaps no database wait: docs/deployment.md). On
 * SQLite always 1: one process per file.
 */
function processesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AGENTDESK_PROCESSES?.trim() || "auto";
  try {
    if (!postgresUrl(env)) return 1;
  } catch {
    return 1; // a malformed DATABASE_URL: main() says why
  }
  const n = raw === "auto" ? Math.min(4, os.availableParallelism()) : Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 64) : 1;
}

/**
 * The primary of AGENTDESK_PROCESSES=N: forks the workers (each runs main() and shares the port),
 * forks again one that dies unexpectedly (after a second), and on SIGTERM/SIGINT passes SIGTERM on
 * and exits once every worker has finished its graceful shutdown.
 */
function runWorkers(n: number) {
  let stopping = false;
  const fork = () => cluster.fork();
  for (let i = 0; i < n; i++) fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ workerPid: worker.process.pid, code, signal }, "a server process ended unexpectedly: starting another");
    setTimeout(fork, 1000).unref();
  });
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill("SIGTERM");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  logger.info({ processes: n, port, database: describeDatabase() }, "AgentDesk is starting its server processes");
}

async function main() {
  const database = describeDatabase();
  // The first process of a machine prints the banner (the others are the same server).
  const first = !cluster.isWorker || cluster.worker?.id === 1;
  let lock: { release: () => void } = { release: () => {} };
  if (!postgresUrl()) {
    // A fresh clone has no data/ yet: the folder comes first, before the lock file written into it.
    ensureDatabaseFolder(database);
    // <db>.server.pid: `agentdesk restore` refuses to swap the file while this process lives.
    const held = acquireLock(database, "server");
    if (!held.owned && held.other) logger.warn({ otherPid: held.other.pid, database }, "another server is using this database");
    process.on("exit", () => releaseLock(database));
    lock = held;
  }
  const db = getDb();
  // WAL checkpoints on a worker thread, never inside an agent's COMMIT (lib/ops/checkpointer.ts).
  const checkpointer = startDatabaseMaintenance(db, { log: logger });
  const dirs = agentDirsFromEnv();
  const { agents, problems } = loadAgentDefinitions(dirs);
  for (const p of problems) logger.warn({ problem: formatAgentProblem(p) }, "agent definition skipped");
  const synced = syncAgents({ db, actor: systemActor("startup") }, agents);
  logger.info({ dirs, loaded: agents.length, problems: problems.length, ...synced }, "agents synced");

  const { app: api, hub } = createApiApp(db);

  // Agent runs (lib/runners, docs/runners.md): launched by the replica holding the `runs` lease, once
  // the server listens, so agents can connect. Every replica answers what is configured and queues runs.
  // Each server process is a replica of its own (AGENTDESK_PROCESSES), even when AGENTDESK_REPLICA_ID names the machine.
  const replica = replicaIdFromEnv() + (cluster.isWorker ? `#${cluster.worker?.id}` : "");
  const runs = new RunSupervisor({
    db,
    config: { file: defaultConfigPath() },
    url: process.env.AGENTDESK_URL || `http://${hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname}:${port}`,
    log: logger,
    replica,
    mayLaunch: () => jobs.leases.holds("runs"),
  }).register();
  // The sweeper, the folder mirror (AGENTDESK_SYNC_DIR), run launches and outgoing webhooks
  // (docs/webhooks.md) run once across server replicas on one database, each on the replica holding
  // its lease (docs/replicas.md); the one server on SQLite holds them all.
  const jobs = startReplicaJobs({
    db,
    log: logger,
    replica,
    runs,
    webhooks: new WebhookWorker({ db, baseUrl: runs.url, log: logger }),
    mirror: process.env.AGENTDESK_SYNC_DIR?.trim()
      ? () =>
          startMirrorFromEnv(db, process.env, {
            onReport: (r) => logger[r.level === "error" ? "error" : r.level === "warn" ? "warn" : "info"](r, "folder bridge"),
          }).then((m) => {
            if (m) logger.info({ root: m.root }, "folder bridge mirroring");
            return m;
          })
      : null,
    sweepMs: Number(process.env.AGENTDESK_SWEEP_MS) || 30_000,
  });
  const apiListener = getRequestListener(api.fetch);
  // The pages' build: the clone's own (the working directory, as `npm start` runs), or the one the
  // installed package ships (lib/domain/install.ts).
  const nextApp = next({ dev, dir: packageRoot() ?? undefined, hostname: "localhost", port, turbopack: dev });
  const handle = nextApp.getRequestHandler();
  await nextApp.prepare();

  const pageHeaders = (res: ServerResponse) => {
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
    res.setHeader("X-Frame-Options", "DENY");
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === "/api" || req.url?.startsWith("/api/")) {
      void apiListener(req, res);
      return;
    }
    pageHeaders(res);
    // A path Next cannot decode made it answer 500 with no log line: 400 and a warn line instead.
    if (refuseMalformedPagePath(req, res, logger)) return;
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  server.listen(port, hostname, () => {
    jobs.start();
    const exposed = hostname === "0.0.0.0" || hostname === "::";
    const loopback = exposed || isLoopback(hostname);
    const url = `http://${loopback ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    logger.info({ url, host: hostname, database, mode: dev ? "development" : "production" }, "AgentDesk is listening");
    const reach = exposed ? `  Listening on every network interface (HOST=${hostname}).\n` : "";
    // The banner is for the person at the terminal; stdout carries only JSON log lines.
    if (!first) {
      // the first process prints it
    } else if (countUsers({ db }) === 0) {
      process.stderr.write(
        `\n  AgentDesk is ready at ${url}\n` +
          reach +
          `  No account exists yet. Create the first admin either way:\n` +
          `    - open ${url}/setup in a browser on this machine, or\n` +
          `    - run: npx agentdesk user create --email you@example.com --role admin\n` +
          `  Demo data: ${packageRoot() ? "npx agentdesk seed" : "npm run seed"} (then sign in with the account it prints).\n\n`,
      );
    } else {
      process.stderr.write(`\n  AgentDesk is ready at ${url}. Sign in at ${url}/sign-in\n${reach}\n`);
    }
  });

  // SIGTERM/SIGINT: stop accepting, end event streams, finish requests in flight, checkpoint the
  // WAL and close the database, exit 0 (lib/ops/shutdown.ts; docs/operations.md).
  installGracefulShutdown({
    server,
    log: logger,
    stopWork: () => {
      const stopped = [jobs.stop(), checkpointer.stop()];
      hub.closeAll();
      // Waited for (within the drain time) before the database closes: runner children exit first.
      return Promise.all(stopped);
    },
    close: () => {
      jobs.release();
      closeDb();
      lock.release();
    },
  });
}

const processes = cluster.isPrimary ? processesFromEnv() : 1;
if (processes > 1) runWorkers(processes);
else
  main().catch((err) => {
    if (err instanceof DataPathError) {
      // For the person at the terminal: one line, the path and the reason (stdout has the JSON line).
      process.stderr.write(`AgentDesk could not start: ${err.message}\n`);
      logger.fatal({ path: err.path }, err.message);
    } else if (err instanceof LockError) logger.fatal({ holder: err.holder }, err.message);
    else logger.fatal({ err }, "AgentDesk could not start");
    process.exit(1);
  });
