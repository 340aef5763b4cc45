import "server-only";
import { Hono } from "hono";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

export function healthRoutes() {
  const r = new Hono<ApiEnv>();
  /** Alive, and the database answers a read. */
  r.get("/health", (c) => {
    try {
      c.get("db").$engine.ping();
      return c.json({ status: "ok", database: "reachable" });
    } catch (err) {
      return problemResponse(c, problem(503, "unavailable", `The database is not reachable: ${(err as Error).message}`));
    }
  });
  /** Ready to work: migrations applied and the database takes writes (db/engine: ready()). */
  r.get("/ready", (c) => {
    try {
      const { migrations } = c.get("db").$engine.ready();
      return c.json({ status: "ready", migrations });
    } catch (err) {
      return problemResponse(c, problem(503, "unavailable", `Not ready: ${(err as Error).message}`));
    }
  });
  return r;
}
