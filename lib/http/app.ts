import { Hono } from "hono";
import type { Db } from "@/db/client";
import type { ApiEnv } from "./types";
import { problem, problemResponse, toProblem } from "./problem";
import { apiHeaders, limitBody, requestId } from "./middleware/basics";
import { requireActor } from "./middleware/actor";
import { authRoutes } from "./routes/auth";
import { eventRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { v1Routes } from "./v1";
import { LiveHub } from "./live";

export interface ApiApp {
  app: Hono<ApiEnv>;
  hub: LiveHub;
}

/** The whole HTTP API, mounted at /api by server.ts. Everything else goes to Next. */
export function createApiApp(db: Db): ApiApp {
  const hub = new LiveHub(db);
  const app = new Hono<ApiEnv>();
  app.use("*", requestId);
  app.use("*", apiHeaders);
  app.use("*", async (c, next) => {
    c.set("db", db);
    await next();
  });
  app.use("*", limitBody);

  app.route("/api", healthRoutes());
  app.route("/api/auth", authRoutes);

  app.use("/api/v1/*", requireActor);
  app.route("/api/v1", v1Routes());

  app.use("/api/events", requireActor);
  app.route("/api/events", eventRoutes(hub));

  app.notFound((c) => problemResponse(c, problem(404, "not_found", `No API route ${c.req.method} ${new URL(c.req.url).pathname}`)));
  app.onError((err, c) => {
    const doc = toProblem(err);
    if (doc.status >= 500) console.error(JSON.stringify({ level: "error", requestId: c.get("requestId"), msg: "request failed", err: String((err as Error)?.stack ?? err) }));
    return problemResponse(c, doc);
  });
  return { app, hub };
}
