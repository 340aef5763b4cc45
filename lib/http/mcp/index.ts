import "server-only";
import { Hono, type Context } from "hono";
import { WebStandardStreamableHTTPServerTransport, createMcpHandler, isLegacyRequest, type AuthInfo } from "@modelcontextprotocol/server";
import type { ServiceContext } from "@/lib/services";
import { actorId } from "@/lib/auth/actor";
import { getLogger } from "@/lib/log";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";
import { agentRateLimit } from "../middleware/agent-rate-limit";
import { MAX_BODY_BYTES } from "../middleware/basics";
import { MCP_TOOL_NAMES, createMcpServer } from "./tools";
import { PARSE_ERROR, checkBody, errorBody, type KnownNames } from "./jsonrpc";
import { MCP_PROMPT_NAMES } from "./prompts";

const KNOWN: KnownNames = { tools: new Set(MCP_TOOL_NAMES), prompts: new Set(MCP_PROMPT_NAMES) };

/** The request's actor rides to the server factory in authInfo (the SDK passes it through as is). */
const CTX_KEY = "agentdesk.ctx";

function ctxOf(authInfo: AuthInfo | undefined): ServiceContext {
  const ctx = authInfo?.extra?.[CTX_KEY] as ServiceContext | undefined;
  if (!ctx) throw new Error("MCP server factory called without the request's context");
  return ctx;
}

const isJson = (contentType: string | undefined) => (contentType ?? "").split(";")[0].trim().toLowerCase() === "application/json";

/**
 * /api/mcp: MCP over Streamable HTTP, stateless, with @modelcontextprotocol/server (v2). Two eras
 * on one endpoint:
 * - 2026-07-28 (current Claude Code, the v2 SDK): no handshake; `server/discover` and every request
 *   carry the protocol version in `_meta` and the MCP-Protocol-Version header. Served by the SDK's
 *   createMcpHandler, a fresh server per request.
 * - 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05: the `initialize` handshake, then requests with
 *   the MCP-Protocol-Version header. Served by a fresh server and stateless transport per request,
 *   answered as plain JSON, as before.
 * Every POST is first checked for JSON-RPC shape (./jsonrpc.ts). Each server acts as the request's
 * actor (requireActor ran before). GET (the optional server-to-client stream) and DELETE (session
 * end) have nothing to do without sessions: 405, which clients take as "no stream here".
 */
export function mcpRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>();
  const log = () => getLogger().child({ component: "mcp" });
  const modern = createMcpHandler(({ authInfo }) => createMcpServer(ctxOf(authInfo)), {
    legacy: "reject",
    maxRequestBodySize: MAX_BODY_BYTES,
    onerror: (err) => log().debug({ reason: err.message }, "MCP request refused"),
  });

  const legacy = async (c: Context<ApiEnv>, parsedBody?: unknown) => {
    const server = createMcpServer(c.get("ctx"));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, parsedBody === undefined ? undefined : { parsedBody });
    } finally {
      // In JSON mode the answer is complete once handleRequest resolves.
      void server.close().catch(() => {});
    }
  };

  r.use("*", agentRateLimit());
  r.post("/", async (c) => {
    // Not JSON: the SDK's own answer (415), before anything is read.
    if (!isJson(c.req.header("content-type"))) return legacy(c);
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return c.json(errorBody({ id: null, code: PARSE_ERROR, message: "Parse error: the body is not valid JSON" }), 400);
    }
    const bad = checkBody(body, KNOWN);
    if (bad) return c.json(errorBody(bad), bad.status);

    if (await isLegacyRequest(c.req.raw, body, { maxRequestBodySize: MAX_BODY_BYTES })) return legacy(c, body);
    const ctx = c.get("ctx");
    const authInfo: AuthInfo = { token: "", clientId: actorId(ctx.actor), scopes: [], extra: { [CTX_KEY]: ctx } };
    return modern.fetch(c.req.raw, { parsedBody: body, authInfo });
  });
  const notAllowed = (method: string) => problem(405, "method_not_allowed", `${method} is not supported on /api/mcp: this server is stateless, send JSON-RPC with POST`);
  r.get("/", (c) => problemResponse(c, notAllowed("GET"), { allow: "POST" }));
  r.delete("/", (c) => problemResponse(c, notAllowed("DELETE"), { allow: "POST" }));
  return r;
}
