import { describe, expect, test } from "vitest";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createInstruction, createTask } from "@/lib/services";
import { json, type TestServer } from "@/test/server";
import { serverWithClosers } from "@/test/mcp";
import { MCP_TOOL_NAMES } from "./tools";

/**
 * Protocol versions (#15): current clients (Claude Code 2.1.x, the v2 SDK) open with the stateless
 * 2026-07-28 revision (a `server/discover` probe, then every request carries its version in
 * `_meta` and the MCP-Protocol-Version header). Older clients run the `initialize` handshake at
 * 2025-11-25, 2025-06-18, 2025-03-26 or 2024-11-05. Both must work against the real endpoint.
 */

const MODERN = "2026-07-28";
type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

let s: TestServer;
const closers = serverWithClosers((server) => (s = server));

function transport(token: string) {
  return new StreamableHTTPClientTransport(new URL(`${s.baseUrl}/api/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
}

function newTask(agent: string, title: string) {
  const admin = s.person("admin");
  const ctx = s.ctx(admin.actor);
  const inst = createInstruction(ctx, { title, body: "", tier: 1, priority: "normal" });
  return createTask(ctx, { instructionId: inst.id, title, assignedAgent: agent });
}

function text(r: unknown): string {
  return (r as ToolResult).content[0].text;
}

describe("2026-07-28 with the v2 SDK client", () => {
  test("pinned to 2026-07-28: discover, list, claim, a step, a refusal", async () => {
    const task = newTask("backend-developer", "Modern client task");
    const client = new Client({ name: "agentdesk-test-modern", version: "1.0.0" }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(transport(s.agentToken("backend-developer").token));
    closers.push(() => client.close());

    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect(client.getServerVersion()).toMatchObject({ name: "agentdesk" });
    expect(client.getInstructions()).toMatch(/claim_task/);

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());

    const claimed = await client.callTool({ name: "claim_task", arguments: { taskId: task.id } });
    expect(claimed.isError).toBeFalsy();
    const body = JSON.parse(text(claimed));
    expect(body).toMatchObject({ id: task.id, status: "in_progress" });
    expect(claimed.structuredContent).toMatchObject({ id: task.id });

    const step = await client.callTool({ name: "update_step", arguments: { taskId: task.id, position: 1, status: "in_progress", leaseToken: body.lease.token } });
    expect(JSON.parse(text(step)).step.status).toBe("in_progress");

    const refused = await client.callTool({ name: "update_step", arguments: { taskId: task.id, position: "first", status: "done" } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^validation_failed: /);
    const unknown = await client.callTool({ name: "get_task", arguments: { taskId: "tsk_nope" } });
    expect(text(unknown)).toMatch(/^not_found: /);
  });

  test("auto negotiation picks 2026-07-28", async () => {
    const client = new Client({ name: "agentdesk-test-auto", version: "1.0.0" }, { versionNegotiation: { mode: "auto" } });
    await client.connect(transport(s.agentToken("backend-developer").token));
    closers.push(() => client.close());
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect((await client.listTools()).tools).toHaveLength(MCP_TOOL_NAMES.length);
  });
});

describe("older clients keep working", () => {
  test.each(["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"])("the initialize handshake at %s", async (version) => {
    const task = newTask("frontend-developer", `Legacy ${version}`);
    const client = new Client({ name: "agentdesk-test-legacy", version: "1.0.0" }, { supportedProtocolVersions: [version] });
    await client.connect(transport(s.agentToken("frontend-developer").token));
    closers.push(() => client.close());
    expect(client.getNegotiatedProtocolVersion()).toBe(version);
    expect((await client.listTools()).tools).toHaveLength(MCP_TOOL_NAMES.length);
    const claimed = await client.callTool({ name: "claim_task", arguments: { taskId: task.id } });
    expect(JSON.parse(text(claimed))).toMatchObject({ id: task.id, status: "in_progress" });
  });

  test("the v1 SDK client (1.32, what most hosts embed) at its default version", async () => {
    const client = new ClientV1({ name: "agentdesk-test-v1", version: "1.0.0" });
    const t = new StreamableHTTPClientTransportV1(new URL(`${s.baseUrl}/api/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${s.agentToken("security-specialist").token}` } },
    });
    await client.connect(t);
    closers.push(() => client.close());
    expect(t.protocolVersion).toBe("2025-11-25");
    expect((await client.listTools()).tools).toHaveLength(MCP_TOOL_NAMES.length);
    const unknown = await client.callTool({ name: "get_task", arguments: { taskId: "tsk_nope" } });
    expect(text(unknown)).toMatch(/^not_found: /);
  });
});

describe("2026-07-28 on the wire", () => {
  const envelope = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1.0.0" },
  };
  const post = (token: string, body: unknown, headers: Record<string, string>) => s.request("/api/mcp", { token, body, headers: { accept: "application/json, text/event-stream", ...headers } });

  test("server/discover offers 2026-07-28; a tools/call at 2026-07-28 answers at that version", async () => {
    const { token } = s.agentToken("backend-developer");
    const discover = await post(token, { jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: envelope } }, { "mcp-protocol-version": MODERN, "mcp-method": "server/discover" });
    expect(discover.status).toBe(200);
    const d = await json(discover);
    expect(d.id).toBe(1);
    expect(d.result.supportedVersions).toContain(MODERN);
    expect(d.result.capabilities.tools).toBeDefined();
    expect(d.result._meta["io.modelcontextprotocol/serverInfo"]).toMatchObject({ name: "agentdesk" });

    const list = await post(token, { jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: envelope } }, { "mcp-protocol-version": MODERN, "mcp-method": "tools/list" });
    expect(list.status).toBe(200);
    const l = await json(list);
    expect(l.result.tools).toHaveLength(MCP_TOOL_NAMES.length);
    expect(l.result.resultType).toBe("complete");
  });

  test("the 2025 server said 400 Unsupported protocol version to a 2026-07-28 request; now it is served", async () => {
    const { token } = s.agentToken("backend-developer");
    const res = await post(token, { jsonrpc: "2.0", id: 3, method: "tools/list", params: { _meta: envelope } }, { "mcp-protocol-version": MODERN, "mcp-method": "tools/list" });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await json(res))).not.toMatch(/Unsupported protocol version/i);
  });

  test("initialize is the 2025 handshake: asked for 2026-07-28 it answers the newest 2025 version; asked for 2025-06-18 it agrees", async () => {
    // 2026-07-28 has no initialize (SEP-2575); a client offering it there gets the newest version the
    // handshake speaks, as the spec's version negotiation says, and the 2026 client uses server/discover.
    const { token } = s.agentToken("backend-developer");
    const init = (protocolVersion: string, id: number) =>
      post(token, { jsonrpc: "2.0", id, method: "initialize", params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1.0.0" } } }, {});
    const modern = await init(MODERN, 4);
    expect(modern.status).toBe(200);
    expect((await json(modern)).result.protocolVersion).toBe("2025-11-25");
    const old = await init("2025-06-18", 5);
    expect((await json(old)).result).toMatchObject({ protocolVersion: "2025-06-18", serverInfo: { name: "agentdesk" } });
  });
});
