import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import next from "next";
import { getRequestListener } from "@hono/node-server";
import { closeDb, DataPathError, defaultDatabasePath, ensureDatabaseFolder, getDb } from "@/db/client";
import { agentDirsFromEnv, formatAgentProblem, loadAgentDefinitions } from "@/lib/agents";
import { countUsers, sweepLeases, syncAgents } from "@/lib/services";
import { systemActor } from "@/lib/auth/actor";
import { createApiApp } from "@/lib/http/app";
import { refuseMalformedPagePath } from "@/lib/http/page-guard";
import { defaultConfigPath, RunSupervisor } from "@/lib/runners";
import { getLogger } from "@/lib/log";
import { installGracefulShutdown } from "@/lib/ops/shutdown";
import { startDatabaseMaintenance } from "@/lib/ops/checkpointer";
import { WebhookWorker } from "@/lib/ops/webhooks";
import { LeaseKeeper, replicaIdFromEnv } from "@/lib/services/leases";
import { acquireLock, LockError, releaseLock } from "@/lib/ops/server-lock";
import { startMirrorFromEnv, type Mirror } from "@/lib/protocol";
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

async function main() {
  const database = defaultDatabasePath();
  // A fresh clone has no data/ yet: the folder comes first, before the lock file written into it.
  ensureDatabaseFolder(database);
  // <db>.server.pid: `agentdesk restore` refuses to swap the file while this process lives.
  const lock = acquireLock(database, "server");
  if (!lock.owned && lock.other) logger.warn({ otherPid: lock.other.pid, database }, "another server is using this database");
  process.on("exit", () => releaseLock(database));
  const db = getDb();
  // WAL checkpoints on a worker thread, never inside an agent's COMMIT (lib/ops/checkpointer.ts).
  const checkpointer = startDatabaseMaintenance(db, { log: logger });
  const dirs = agentDirsFromEnv();
  const { agents, problems } = loadAgentDefinitions(dirs);
  for (const p of problems) logger.warn({ problem: formatAgentProblem(p) }, "agent definition skipped");
  const synced = syncAgents({ db, actor: systemActor("startup") }, agents);
  logger.info({ dirs, loaded: agents.length, problems: problems.length, ...synced }, "agents synced");

  const { app: api, hub } = createApiApp(db);

  // The jobs that run once across server replicas on one database (docs/replicas.md): each behind a
  // lease, renewed every 5 s on the database's clock; when its holder dies another replica takes it
  // over within 15 s (at once when it stops gracefully). The one server on SQLite takes them all.
  const replica = replicaIdFromEnv();
  const leases = new LeaseKeeper({ db, holder: replica, onError: (err, lease) => logger.error({ err, lease }, "lease renewal failed") });
  const told = (lease: string) => ({
    gained: (token: number) => logger.info({ lease, token, replica }, "this replica now runs a job"),
    lost: () => logger.warn({ lease, replica }, "this replica no longer runs a job (another replica holds it)"),
  });

  // Agent runs (lib/runners, docs/runners.md): launched by the `runs` lease holder once the server
  // listens, so agents can connect. Every replica answers what is configured and queues runs.
  const runs = new RunSupervisor({
    db,
    config: { file: defaultConfigPath() },
    url: process.env.AGENTDESK_URL || `http://${hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname}:${port}`,
    log: logger,
    replica,
    mayLaunch: () => leases.holds("runs"),
  }).register();
  let runsStopping: Promise<void> = Promise.resolve();
  leases.hold("runs", {
    onGain: (token) => {
      told("runs").gained(token);
      // Runs the previous holder left running are recovered (finished as lost) on takeover.
      runsStopping.then(() => runs.start()).catch((err: unknown) => logger.error({ err }, "could not start the run supervisor"));
    },
    onLose: () => {
      told("runs").lost();
      runsStopping = runs.shutdown("another server replica took over running agents", { keepRegistered: true });
    },
  });

  // Outgoing webhooks (docs/webhooks.md): stored before they are sent, sent off the request path.
  const webhooks = new WebhookWorker({ db, baseUrl: runs.url, log: logger });
  let webhooksStopping: Promise<void> = Promise.resolve();
  leases.hold("webhooks", {
    onGain: (token) => {
      told("webhooks").gained(token);
      webhooksStopping.then(() => webhooks.start()).catch((err: unknown) => logger.error({ err }, "could not start the webhook worker"));
    },
    onLose: () => {
      told("webhooks").lost();
      webhooksStopping = webhooks.stop();
    },
  });

  // Leases: remind quiet agents and take their work back after the grace period.
  leases.hold("sweeper", { onGain: told("sweeper").gained, onLose: told("sweeper").lost });

  // AGENTDESK_SYNC_DIR: mirror an Agent_Memory/ folder both ways while the server runs.
  let mirror: Promise<Mirror | null> = Promise.resolve(null);
  if (process.env.AGENTDESK_SYNC_DIR?.trim()) {
    leases.hold("mirror", {
      onGain: (token) => {
        told("mirror").gained(token);
        mirror = mirror.then((m) =>
          m
            ? m
            : startMirrorFromEnv(db, process.env, {
                onReport: (r) => logger[r.level === "error" ? "error" : r.level === "warn" ? "warn" : "info"](r, "folder bridge"),
              }).then(
                (started) => {
                  if (started) logger.info({ root: started.root }, "folder bridge mirroring");
                  return started;
                },
                (err: unknown) => {
                  logger.error({ err }, "could not start the folder bridge");
                  return null;
                },
              ),
        );
      },
      onLose: () => {
        told("mirror").lost();
        mirror = mirror
          .then((m) => m?.stop())
          .then(
            () => null,
            (err: unknown) => {
              logger.error({ err }, "could not stop the folder bridge");
              return null;
            },
          );
      },
    });
  }
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
    leases.start();
    const exposed = hostname === "0.0.0.0" || hostname === "::";
    const loopback = exposed || isLoopback(hostname);
    const url = `http://${loopback ? "localhost" : hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    logger.info({ url, host: hostname, database, mode: dev ? "development" : "production" }, "AgentDesk is listening");
    const reach = exposed ? `  Listening on every network interface (HOST=${hostname}).\n` : "";
    // The banner is for the person at the terminal; stdout carries only JSON log lines.
    if (countUsers({ db }) === 0) {
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

  const sweeper = setInterval(
    () => {
      if (!leases.holds("sweeper")) return;
      try {
        const r = sweepLeases({ db, actor: systemActor("lease-sweeper") });
        if (r.reminded || r.recovered) logger.info(r, "leases swept");
      } catch (err) {
        logger.error({ err }, "lease sweep failed");
      }
    },
    Number(process.env.AGENTDESK_SWEEP_MS) || 30_000,
  );
  sweeper.unref();

  // SIGTERM/SIGINT: stop accepting, end event streams, finish requests in flight, checkpoint the
  // WAL and close the database, exit 0 (lib/ops/shutdown.ts; docs/operations.md).
  installGracefulShutdown({
    server,
    log: logger,
    stopWork: () => {
      clearInterval(sweeper);
      leases.pause();
      const stopped = [mirror.then((m) => m?.stop()), runs.shutdown(), webhooks.stop(), checkpointer.stop()];
      hub.closeAll();
      // Waited for (within the drain time) before the database closes: runner children exit first.
      // Then the leases are given back, so another replica takes the jobs over at once.
      return Promise.all(stopped).then(() => leases.stop());
    },
    close: () => {
      leases.stop();
      closeDb();
      lock.release();
    },
  });
}

main().catch((err) => {
  if (err instanceof DataPathError) {
    // For the person at the terminal: one line, the path and the reason (stdout has the JSON line).
    process.stderr.write(`AgentDesk could not start: ${err.message}\n`);
    logger.fatal({ path: err.path }, err.message);
  } else if (err instanceof LockError) logger.fatal({ holder: err.holder }, err.message);
  else logger.fatal({ err }, "AgentDesk could not start");
  process.exit(1);
});
