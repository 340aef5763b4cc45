import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import next from "next";
import { getRequestListener } from "@hono/node-server";
import { closeDb, defaultDatabasePath, getDb } from "@/db/client";
import { agentDirsFromEnv, formatAgentProblem, loadAgentDefinitions } from "@/lib/agents";
import { countUsers, sweepLeases, syncAgents } from "@/lib/services";
import { systemActor } from "@/lib/auth/actor";
import { createApiApp } from "@/lib/http/app";

/**
 * One process: /api/* goes to the Hono app (the agents' hot path stays off Next's request
 * pipeline), everything else to Next. Both share the one database connection.
 */
const dev = process.env.NODE_ENV !== "production";
const port = Number(process.env.PORT) || 3000;
const hostname = process.env.HOST || "0.0.0.0";

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), msg, ...extra }));

async function main() {
  const db = getDb();
  const dirs = agentDirsFromEnv();
  const { agents, problems } = loadAgentDefinitions(dirs);
  for (const p of problems) console.warn(`agents: ${formatAgentProblem(p)}`);
  const synced = syncAgents({ db, actor: systemActor("startup") }, agents);
  log("agents synced", { dirs, loaded: agents.length, problems: problems.length, ...synced });

  const { app: api, hub } = createApiApp(db);
  const apiListener = getRequestListener(api.fetch);
  const nextApp = next({ dev, hostname: "localhost", port, turbopack: dev });
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
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;

  server.listen(port, hostname, () => {
    const url = `http://localhost:${port}`;
    log("AgentDesk is listening", { url, database: defaultDatabasePath(), mode: dev ? "development" : "production" });
    if (countUsers({ db }) === 0) {
      console.log(
        `\n  AgentDesk is ready at ${url}\n` +
          `  No account exists yet. Create the first admin either way:\n` +
          `    - open ${url}/setup in a browser on this machine, or\n` +
          `    - run: npx agentdesk user create --email you@example.com --role admin\n` +
          `  Demo data: npm run seed (then sign in with the account it prints).\n`,
      );
    } else {
      console.log(`\n  AgentDesk is ready at ${url}. Sign in at ${url}/sign-in\n`);
    }
  });

  // Leases: remind quiet agents and take their work back after the grace period.
  const sweeper = setInterval(() => {
    try {
      const r = sweepLeases({ db, actor: systemActor("lease-sweeper") });
      if (r.reminded || r.recovered) log("leases swept", r);
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "lease sweep failed", err: String(err) }));
    }
  }, Number(process.env.AGENTDESK_SWEEP_MS) || 30_000);
  sweeper.unref();

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log("shutting down", { signal });
    const force = setTimeout(() => {
      console.error("shutdown took longer than 10 s; exiting");
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(() => {
      closeDb();
      log("stopped cleanly");
      process.exit(0);
    });
    clearInterval(sweeper);
    hub.closeAll();
    server.closeIdleConnections();
    // Event streams never end by themselves: end them so close() can finish.
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
