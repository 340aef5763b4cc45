import "server-only";
import { Hono } from "hono";
import type { Db } from "@/db/client";
import type { ApiEnv } from "./types";
import { problem, problemResponse, toProblem } from "./problem";
import { limitBody, requestId } from "./middleware/basics";
import { requireActor } from "./middleware/actor";
import { authRoutes } from "./routes/auth";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { docsRoutes, v1OpenApiDocument, v1Routes } from "./v1";
import { mcpRoutes } from "./mcp";
import { LiveHub } from "./live";
import { getLogger, requestLogging } from "@/lib/log";
import { isShuttingDown } from "@/lib/ops/shutdown";

export interface ApiApp {
  app: Hono<ApiEnv>;
  hub: LiveHub;
}

/** The whole HTTP API, mounted at /api by server.ts. Everything else goes to Next. */
export function createApiApp(db: Db): ApiApp {
  const hub = new LiveHub(db);
  const app = new Hono<ApiEnv>();
  app.use("*", requestId);
  app.use("*", requestLogging());
  app.use("*", async (c, next) => {
    c.set("db", db);
    await next();
  });
  app.use("*", limitBody);

  // While draining for shutdown: not ready (load balancers stop sending), and no new event streams.
  app.use("*", async (c, next) => {
    if (isShuttingDown() && (c.req.path === "/api/ready" || c.req.path.startsWith("/api/events"))) {
      return problemResponse(c, problem(503, "unavailable", "The server is shutting down"), { connection: "close", "retry-after": "1" });
    }
    await next();
  });

  app.route("/api", healthRoutes());
  app.route("/api/auth", authRoutes);
  // The API's description is public (no data in it): code generators, Postman and agents read it
  // before they have a token. Registered before requireActor, so these answer first.
  app.route("/api/docs", docsRoutes());
  app.route("/api/v1/docs", docsRoutes());
  app.get("/api/v1/openapi.json", (c) => c.json(v1OpenApiDocument()));

  app.use("/api/v1/*", requireActor);
  app.route("/api/v1", v1Routes());
  app.use("/api/mcp", requireActor);
  app.route("/api/mcp", mcpRoutes());

  app.use("/api/events", requireActor);
  app.route("/api/events", eventRoutes(hub));

  app.notFound((c) => problemResponse(c, problem(404, "not_found", `No API route ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => {
    const doc = toProblem(err);
    if (doc.status >= 500) getLogger().error({ requestId: c.get("requestId"), err, code: (err as { code?: string })?.code }, "request failed");
    return problemResponse(c, doc);
  });
  return { app, hub };
}
