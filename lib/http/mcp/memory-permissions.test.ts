import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createInstruction, createTask } from "@/lib/services";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";
import { NARROW_AGENTS, syncWithAgents } from "@/test/memory-agents";

// Memory Ownership (docs/permissions.md) through the two agent transports: REST answers 403
// `forbidden` with the rule in `details`, MCP an isError result with `forbidden: …`; nothing is written.

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

let s: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  s = await startTestServer();
  syncWithAgents(s.db, { ...NARROW_AGENTS, "no-section": null });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await s.close();
});

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "agentdesk-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${s.baseUrl}/api/mcp`), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}
const call = async (c: Client, name: string, args: Record<string, unknown> = {}) => (await c.callTool({ name, arguments: args })) as ToolResult;

/**
 * A task of `agentName`. Nobody assigns work an agent's Memory Ownership refuses, so a narrow agent's
 * task was assigned while its definition declared nothing, and the definition narrowed afterwards.
 */
function setup(agentName: string) {
  const admin = s.person("admin");
  const inst = createInstruction(s.ctx(admin.actor), { title: "Work", body: "", tier: 1, priority: "normal" });
  const narrow = agentName in NARROW_AGENTS;
  if (narrow) syncWithAgents(s.db, { ...NARROW_AGENTS, [agentName]: null, "no-section": null });
  const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: `For ${agentName}`, assignedAgent: agentName });
  if (narrow) syncWithAgents(s.db, { ...NARROW_AGENTS, "no-section": null });
  return { admin, inst, task, token: s.agentToken(agentName).token };
}

describe("REST", () => {
  test("the seed agent's loop is untouched: claim, step, output, message any agent", async () => {
    const { task, token } = setup("backend-developer");
    const claimed = await s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } });
    expect(claimed.status).toBe(200);
    expect((await s.request(`/api/v1/tasks/${task.id}/steps/1`, { token, body: { status: "in_progress" } })).status).toBe(200);
    expect((await s.request(`/api/v1/tasks/${task.id}/outputs`, { token, body: { format: "text", content: "v1" } })).status).toBe(201);
    expect((await s.request("/api/v1/messages", { token, body: { to: "security-specialist", body: "review?" } })).status).toBe(201);
  });

  test("a send outside the Writes is 403 forbidden naming the rule; nothing is written", async () => {
    const { token } = setup("narrow-sender");
    const before = countRows(s.db);
    const res = await s.request("/api/v1/messages", { token, body: { to: "qa-engineer", body: "hi" } });
    // An unknown agent is still "no such recipient" first.
    expect(res.status).toBe(422);
    const refused = await s.request("/api/v1/messages", { token, body: { to: "backend-developer", body: "hi" } });
    expect(refused.status).toBe(403);
    const p = await json(refused);
    expect(p).toMatchObject({
      code: "forbidden",
      detail:
        "Memory Ownership of narrow-sender (agents/narrow-sender.md, Writes) does not include Agent_Memory/_communication/inbox/backend-developer/: it may send to frontend-developer and the people",
      details: { rule: "memory_ownership", section: "writes", needed: "Agent_Memory/_communication/inbox/backend-developer/" },
    });
    expect(countRows(s.db)).toEqual(before);
    expect((await s.request("/api/v1/messages", { token, body: { to: "frontend-developer", body: "hi" } })).status).toBe(201);
    expect((await s.request("/api/v1/messages", { token, body: { to: "hitl", type: "escalation", body: "help" } })).status).toBe(201);
  });

  test("claiming and handing in without the patterns are 403 with the rule", async () => {
    const { task, token } = setup("reviewer-only");
    const before = countRows(s.db);
    const claim = await s.request("/api/v1/tasks/claim", { token, body: { taskId: task.id } });
    expect(claim.status).toBe(403);
    expect(await json(claim)).toMatchObject({ code: "forbidden", details: { rule: "memory_ownership", section: "reads_or_writes" } });
    const next = await s.request("/api/v1/tasks/claim", { token, body: {} });
    expect(next.status).toBe(403);
    expect(countRows(s.db)).toEqual(before);

    const qw = setup("quiet-worker");
    expect((await s.request("/api/v1/tasks/claim", { token: qw.token, body: { taskId: qw.task.id } })).status).toBe(200);
    expect((await s.request(`/api/v1/tasks/${qw.task.id}/outputs`, { token: qw.token, body: { format: "text", content: "v1" } })).status).toBe(201);
    const toAgent = await s.request("/api/v1/messages", { token: qw.token, body: { to: "backend-developer", body: "hi" } });
    expect(toAgent.status).toBe(403);
    expect((await json(toAgent)).detail).toMatch(/: it may send only to the people$/);
  });

  test("the agent sees its own permissions on /agents/{name}", async () => {
    const { token } = setup("reviewer-only");
    const me = await json(await s.request("/api/v1/agents/reviewer-only", { token }));
    expect(me.permissions).toEqual({ declared: true, sendTo: [], broadcast: false, outputs: [], tasks: [], otherInboxReads: ["backend-developer"] });
  });
});

describe("MCP", () => {
  test("the seed agent works as before; a narrowed one gets `forbidden: Memory Ownership …` and nothing changes", async () => {
    const be = setup("backend-developer");
    const beClient = await connect(be.token);
    expect((await call(beClient, "claim_task", { taskId: be.task.id })).isError).toBeFalsy();
    expect((await call(beClient, "update_step", { taskId: be.task.id, position: 1, status: "in_progress" })).isError).toBeFalsy();
    expect((await call(beClient, "submit_output", { taskId: be.task.id, format: "text", content: "v1" })).isError).toBeFalsy();
    const toQuiet = await call(beClient, "send_message", { to: "quiet-worker", type: "consultation", body: "which one?" });
    expect(toQuiet.isError).toBeFalsy();
    const question = JSON.parse(toQuiet.content[0]!.text) as { id: string };

    const narrow = await connect(setup("narrow-sender").token);
    const reviewer = setup("reviewer-only");
    const ro = await connect(reviewer.token);
    const quiet = await connect(s.agentToken("quiet-worker").token);
    const before = countRows(s.db);
    const r = await call(narrow, "send_message", { to: "backend-developer", body: "hi" });
    expect(r.isError).toBe(true);
    expect(r.content[0]!.text).toBe(
      "forbidden: Memory Ownership of narrow-sender (agents/narrow-sender.md, Writes) does not include Agent_Memory/_communication/inbox/backend-developer/: it may send to frontend-developer and the people",
    );

    const claim = await call(ro, "claim_task", { taskId: reviewer.task.id });
    expect(claim.isError).toBe(true);
    expect(claim.content[0]!.text).toMatch(
      /^forbidden: Memory Ownership of reviewer-only \(agents\/reviewer-only\.md, Reads or Writes\) does not include Agent_Memory\/inst_[^/]+\/tasks\/: it does not work on tasks$/,
    );

    // A reply is a send to the replied-to sender.
    const reply = await call(quiet, "reply_to_message", { messageId: question.id, body: "this one" });
    expect(reply.isError).toBe(true);
    expect(reply.content[0]!.text).toMatch(/inbox\/backend-developer\/: it may send only to the people$/);
    expect(countRows(s.db)).toEqual(before);
  });

  test("a definition without the section keeps today's defaults", async () => {
    const ns = setup("no-section");
    const c = await connect(ns.token);
    expect((await call(c, "claim_task", {})).isError).toBeFalsy();
    expect((await call(c, "update_step", { taskId: ns.task.id, position: 1, status: "done" })).isError).toBeFalsy();
    expect((await call(c, "submit_output", { taskId: ns.task.id, format: "text", content: "v1" })).isError).toBeFalsy();
    expect((await call(c, "send_message", { to: "reviewer-only", body: "hi" })).isError).toBeFalsy();
  });
});
