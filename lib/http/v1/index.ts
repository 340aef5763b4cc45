import { OpenAPIHono } from "@hono/zod-openapi";
import { getShellCounts } from "@/lib/services";
import type { ApiEnv } from "../types";

/**
 * /api/v1: REST for agents, scripts and the browser. Routes are declared with zod-openapi so the
 * OpenAPI document is generated from the same schemas the handlers validate with.
 */
export function v1Routes() {
  const app = new OpenAPIHono<ApiEnv>();
  app.get("/me", (c) => {
    const actor = c.get("actor");
    return c.json(actor.kind === "person" ? { kind: "person", id: actor.id, email: actor.email, name: actor.name, role: actor.role } : actor);
  });
  app.get("/counts", (c) => c.json(getShellCounts(c.get("ctx"))));
  return app;
}
