import "server-only";
import { Hono } from "hono";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";

export function healthRoutes() {
  const r = new Hono<ApiEnv>();
  /** Alive, and the database answers a read. */
  r.get("/health", (c) => {
    try {
      c.get("db").$client.prepare("SELECT 1").get();
      return c.json({ status: "ok", database: "reachable" });
    } catch (err) {
      return problemResponse(c, problem(503, "unavailable", `The database is not reachable: ${(err as Error).message}`));
    }
  });
  /** Ready to work: migrations applied and the database takes a write lock. */
  r.get("/ready", (c) => {
    const sqlite = c.get("db").$client;
    try {
      const n = sqlite.prepare(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get() as { n: number };
      // A read-only handle takes BEGIN IMMEDIATE without complaint, so ask for it directly.
      if (sqlite.readonly || sqlite.pragma("query_only", { simple: true })) throw new Error("the database is open read-only");
      sqlite.exec("BEGIN IMMEDIATE");
      sqlite.exec("ROLLBACK");
      return c.json({ status: "ready", migrations: n.n });
    } catch (err) {
      if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
      return problemResponse(c, problem(503, "unavailable", `Not ready: ${(err as Error).message}`));
    }
  });
  return r;
}
