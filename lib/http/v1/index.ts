import "server-only";
import { OpenAPIHono } from "@hono/zod-openapi";
import { Hono } from "hono";
import type { ApiEnv } from "../types";
import { agentRateLimit } from "../middleware/agent-rate-limit";
import { idempotency } from "../middleware/idempotency";
import { renderDocsPage } from "./docs";
import { registerAccountRoutes } from "./routes/account";
import { registerAdminRoutes } from "./routes/admin";
import { registerAssignmentRoutes } from "./routes/assignments";
import { registerInstructionRoutes } from "./routes/instructions";
import { registerMessageRoutes } from "./routes/messages";
import { registerOutputRoutes } from "./routes/outputs";
import { registerRunRoutes } from "./routes/runs";
import { registerSearchRoutes } from "./routes/search";
import { registerTaskRoutes } from "./routes/tasks";
import { registerUsageRoutes } from "./routes/usage";
import { registerWebhookRoutes } from "./routes/webhooks";
import { prepareJsonBody, validationHook } from "./validation";
import { IDEMPOTENCY_KEY_PARAMETER } from "./route-kit";

type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

export const OPENAPI_CONFIG: Parameters<OpenAPIHono["getOpenAPI31Document"]>[0] = {
  openapi: "3.1.0",
  info: {
    title: "AgentDesk API",
    version: "1.0.0",
    description:
      "REST API of AgentDesk: agents claim tasks, report the steps of their Response Approach, submit outputs and exchange messages; people create instructions and tasks, review outputs and answer inboxes. " +
      "Authenticate with `Authorization: Bearer <token>` (agents, scripts) or the session cookie (the dashboard). Errors are `application/problem+json` with a stable `code`. " +
      "Every POST accepts an `Idempotency-Key` header.",
  },
  servers: [{ url: "/api/v1" }],
  security: [{ bearerAuth: [] as string[] }, { sessionCookie: [] as string[] }],
};

/** The routes alone (no middleware): also used to build the OpenAPI document for /api/docs. */
function buildRoutes(): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "An agent's token (`adk_...`), minted by an admin: `npx agentdesk token create --agent NAME`",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "sessionCookie", { type: "apiKey", in: "cookie", name: "agentdesk_session" });
  return app;
}

function registerAll(app: OpenAPIHono<ApiEnv>) {
  registerAccountRoutes(app);
  registerTaskRoutes(app);
  registerAssignmentRoutes(app);
  registerMessageRoutes(app);
  registerInstructionRoutes(app);
  registerOutputRoutes(app);
  registerRunRoutes(app);
  registerUsageRoutes(app);
  registerSearchRoutes(app);
  registerAdminRoutes(app);
  registerWebhookRoutes(app);
}

let cachedDocument: OpenApiDocument | null = null;

/** A declared operation: method, OpenAPI path (`/tasks/{taskId}`, under /api/v1) and its responses (zod schemas per status and media type). */
export interface V1Operation {
  method: string;
  path: string;
  operationId?: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** Every operation the routes declare, with the zod schemas the OpenAPI document is generated from (for contract tests). */
export function v1Operations(): V1Operation[] {
  const app = buildRoutes();
  registerAll(app);
  return app.openAPIRegistry.definitions.flatMap((d) => (d.type === "route" ? [d.route as unknown as V1Operation] : []));
}

/** The OpenAPI 3.1 document, generated once from the same zod schemas the routes validate with. */
export function v1OpenApiDocument(): OpenApiDocument {
  if (!cachedDocument) {
    const app = buildRoutes();
    registerAll(app);
    const doc = app.getOpenAPI31Document(OPENAPI_CONFIG);
    for (const item of Object.values(doc.paths ?? {})) {
      const post = (item as { post?: { parameters?: unknown[] } }).post;
      if (post) post.parameters = [...(post.parameters ?? []), { ...IDEMPOTENCY_KEY_PARAMETER }];
    }
    cachedDocument = doc;
  }
  return cachedDocument;
}

/**
 * /api/v1: REST for agents, scripts and the browser. Routes are declared with zod-openapi so the
 * OpenAPI document is generated from the same schemas the handlers validate with. Order: the rate
 * limit (bearer tokens), the body read once (malformed JSON → 400), idempotent replay, the route.
 */
export function v1Routes() {
  const app = buildRoutes();
  // No onError of its own: a sub-app with an error handler has Hono wrap each of its middleware and
  // handlers in one more composition per request. createApiApp's handler maps every error.
  app.use("*", agentRateLimit());
  app.use("*", prepareJsonBody);
  app.use("*", idempotency);
  registerAll(app);
  app.get("/openapi.json", (c) => c.json(v1OpenApiDocument()));
  app.get("/docs", (c) => {
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(renderDocsPage(v1OpenApiDocument()));
  });
  return app;
}

/** GET /api/docs: the readable API page, outside /api/v1 so the dashboard can link to it. */
export function docsRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.get("/", (c) => {
    c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(renderDocsPage(v1OpenApiDocument()));
  });
  return r;
}
