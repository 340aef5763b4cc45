import { Hono } from "hono";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";
import { agentRateLimit } from "../middleware/agent-rate-limit";
import { MAX_BODY_BYTES } from "../middleware/basics";
import { createMcpServer } from "./tools";

export { MCP_TOOL_NAMES, createMcpServer } from "./tools";

/**
 * /api/mcp: MCP over Streamable HTTP, stateless. Each POST gets its own server and transport acting
 * as the request's actor (requireActor ran before), answered as plain JSON. GET (the optional
 * server-to-client stream) and DELETE (session end) have nothing to do without sessions: 405, which
 * clients take as "no stream here" instead of holding an idle connection.
 */
export function mcpRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  r.use("*", agentRateLimit());
  r.post("/", async (c) => {
    const server = createMcpServer(c.get("ctx"));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // In JSON mode the answer is complete once handleRequest resolves.
      void server.close().catch(() => {});
    }
  });
  const notAllowed = (method: string) =>
    problem(405, "method_not_allowed", `${method} is not supported on /api/mcp: this server is stateless, send JSON-RPC with POST`);
  r.get("/", (c) => problemResponse(c, notAllowed("GET"), { allow: "POST" }));
  r.delete("/", (c) => problemResponse(c, notAllowed("DELETE"), { allow: "POST" }));
  return r;
}
