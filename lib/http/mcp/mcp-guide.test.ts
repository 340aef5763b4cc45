import { describe, expect, test } from "vitest";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as StreamableHTTPClientTransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { createInstruction, createTask, getTask, sendMessage } from "@/lib/services";
import type { TestServer } from "@/test/server";
import { serverWithClosers } from "@/test/mcp";
import { MCP_TOOL_NAMES } from "./tools";
import { MCP_PROMPT_NAMES } from "./prompts";

/**
 * "MCP that helps an agent find its way" (#17): the prompts start_next_task and go_through_inbox,
 * the tools list_agents, get_thread and search_messages, and the outputSchema every tool declares,
 * against the real endpoint with the official clients (both validate structuredContent against the
 * outputSchema they listed: a mismatch makes callTool throw).
 */

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean; structuredContent?: Record<string, unknown> };

let s: TestServer;
const closers = serverWithClosers((server) => (s = server));

/** The v1 SDK client (1.32, what most hosts embed) at 2025-11-25; tools listed so callTool validates outputs. */
async function legacyClient(agent: string): Promise<ClientV1> {
  const client = new ClientV1({ name: "agentdesk-guide-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransportV1(new URL(`${s.baseUrl}/api/mcp`), { requestInit: { headers: { Authorization: `Bearer ${s.agentToken(agent).token}` } } }));
  closers.push(() => client.close());
  await client.listTools();
  return client;
}

/** The v2 SDK client pinned to 2026-07-28 (current Claude Code). */
async function modernClient(agent: string): Promise<Client> {
  const client = new Client({ name: "agentdesk-guide-test-modern", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${s.baseUrl}/api/mcp`), { requestInit: { headers: { Authorization: `Bearer ${s.agentToken(agent).token}` } } }));
  closers.push(() => client.close());
  await client.listTools();
  return client;
}

async function call(client: ClientV1 | Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok<T = any>(client: ClientV1 | Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`);
  // The text is the same JSON as structuredContent, for clients that ignore the latter.
  expect(JSON.parse(r.content[0].text)).toEqual(r.structuredContent);
  return r.structuredContent as T;
}

async function promptText(client: ClientV1 | Client, name: string): Promise<string> {
  const r = await client.getPrompt({ name });
  expect(r.messages).toHaveLength(1);
  expect(r.messages[0]).toMatchObject({ role: "user", content: { type: "text" } });
  return (r.messages[0].content as { text: string }).text;
}

function work(agent: string, title: string, extra: { priority?: "critical" | "high" | "normal" | "low"; dependsOn?: string[]; instructionId?: string } = {}) {
  const ctx = s.ctx(s.person("admin").actor);
  const instructionId = extra.instructionId ?? createInstruction(ctx, { title, body: "", tier: 1, priority: "normal" }).id;
  return createTask(ctx, { instructionId, title, assignedAgent: agent, priority: extra.priority ?? "normal", dependsOn: extra.dependsOn ?? [] });
}

describe("prompts", () => {
  test("both prompts are listed, at 2026-07-28 and in the 2025 handshake", async () => {
    for (const client of [await modernClient("security-specialist"), await legacyClient("security-specialist")]) {
      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual([...MCP_PROMPT_NAMES]);
      for (const p of prompts) {
        expect(p.title).toMatch(/\w/);
        expect(p.description?.length ?? 0).toBeGreaterThan(40);
      }
    }
  });

  test("start_next_task: the ready task of highest priority, never another agent's, nothing claimed; then the one held", async () => {
    const agent = "frontend-developer";
    const low = work(agent, "Polish the footer", { priority: "low" });
    const high = work(agent, "Build the order form", { priority: "high" });
    const dep = work("backend-developer", "Orders endpoint first", { priority: "low" });
    const waiting = work(agent, "Wire the form to the endpoint", { priority: "critical", dependsOn: [dep.id], instructionId: dep.instructionId });
    const others = work("backend-developer", "Backend only: migrate the database", { priority: "critical" });

    const fe = await modernClient(agent);
    const text = await promptText(fe, "start_next_task");
    expect(text).toContain(high.id);
    expect(text).toContain("Build the order form");
    expect(text).toMatch(/claim_task/);
    expect(text).toMatch(/update_step/);
    expect(text).toMatch(/complete_task/);
    for (const id of [low.id, waiting.id, others.id, dep.id]) expect(text).not.toContain(id);
    expect(text).not.toContain("migrate the database");
    expect(text).not.toMatch(/Run: `/);
    // A prompt only reads: the task is still pending.
    expect(getTask(s.ctx(s.person("admin").actor), high.id).status).toBe("pending");

    const claimed = await ok(fe, "claim_task", {});
    expect(claimed.id).toBe(high.id);
    const held = await promptText(fe, "start_next_task");
    expect(held).toContain(high.id);
    expect(held).toMatch(/You already hold task/);

    // The other agent's prompt is about its own task, with its dependent's id nowhere.
    const be = await legacyClient("backend-developer");
    const beText = await promptText(be, "start_next_task");
    expect(beText).toContain(others.id);
    for (const id of [high.id, low.id, waiting.id]) expect(beText).not.toContain(id);
  });

  test("start_next_task with nothing ready says so, with what is waiting", async () => {
    const agent = "security-specialist";
    const dep = work("backend-developer", "Something to wait for");
    work(agent, "Review after the dependency", { dependsOn: [dep.id], instructionId: dep.instructionId });
    const sec = await legacyClient(agent);
    const text = await promptText(sec, "start_next_task");
    expect(text).toMatch(/Nothing to start/);
    expect(text).toMatch(/1 pending task\(s\) wait for their dependencies/);
    expect(text).not.toContain(dep.id);
  });

  test("go_through_inbox: the agent's unread messages with how to answer each, nobody else's", async () => {
    const be = await legacyClient("backend-developer");
    const fe = await legacyClient("frontend-developer");
    const task = work("backend-developer", "Payments API");
    const question = await ok(be, "send_message", {
      to: "frontend-developer",
      type: "consultation",
      subject: "Currency field",
      body: "Does the payment form send the currency as ISO 4217?",
      taskId: task.id,
      stepPosition: 2,
    });
    const admin = s.person("admin");
    const fyi = sendMessage(s.ctx(admin.actor), { to: "frontend-developer", type: "status_update", subject: "Design freeze", body: "The design is frozen from Monday." });
    const notMine = await ok(fe, "send_message", { to: "security-specialist", type: "review_request", subject: "Form review", body: "Please review the card input." });

    const text = await promptText(fe, "go_through_inbox");
    expect(text).toContain(question.id);
    expect(text).toContain(fyi.id);
    expect(text).not.toContain(notMine.id);
    expect(text).toContain("Does the payment form send the currency as ISO 4217?");
    // Where the reply lands, and as what.
    expect(text).toMatch(new RegExp(`reply_to_message .*${question.id}.* lands in \`backend-developer\`'s inbox as a consultation_response`));
    expect(text).toMatch(/A question for you/);
    expect(text).toMatch(/mark_read/);
    // Oldest first.
    expect(text.indexOf(question.id)).toBeLessThan(text.indexOf(fyi.id));

    await ok(fe, "mark_read", { messageId: question.id });
    const after = await promptText(fe, "go_through_inbox");
    expect(after).not.toContain(question.id);
    expect(after).toContain(fyi.id);

    const sec = await legacyClient("security-specialist");
    const secText = await promptText(sec, "go_through_inbox");
    expect(secText).toContain(notMine.id);
    for (const id of [question.id, fyi.id]) expect(secText).not.toContain(id);
  });

  test("an unknown prompt, or __proto__, is -32602 Unknown prompt", async () => {
    const { token } = s.agentToken("backend-developer");
    for (const name of ["nope", "__proto__", "constructor"]) {
      const res = await s.request("/api/mcp", {
        token,
        body: { jsonrpc: "2.0", id: 9, method: "prompts/get", params: { name } },
        headers: { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { error: { code: number; message: string } };
      expect(answer.error).toMatchObject({ code: -32602, message: `Unknown prompt: ${name}` });
    }
  });
});

describe("list_agents, get_thread, search_messages", () => {
  test("list_agents: who exists and what they do, with their inbox, and nothing of their internals", async () => {
    const sec = await legacyClient("security-specialist");
    const answer = await ok(sec, "list_agents");
    expect(answer.peopleInbox).toBe("hitl");
    const names = answer.items.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(["backend-developer", "frontend-developer", "security-specialist"]));
    const me = answer.items.find((a: { name: string }) => a.name === "security-specialist");
    expect(me).toMatchObject({ inbox: "security-specialist", you: true, domain: "make" });
    expect(me.capabilities).toContain("threat_modeling");
    expect(me.description).toMatch(/Security reviewer/);
    for (const a of answer.items) {
      expect(Object.keys(a).sort()).toEqual(["capabilities", "description", "domain", "inbox", "name", "title", "you"]);
      if (a.name !== "security-specialist") expect(a.you).toBe(false);
    }
  });

  test("get_thread: the thread with where a reply lands; another agent's thread is not found", async () => {
    const be = await legacyClient("backend-developer");
    const fe = await legacyClient("frontend-developer");
    const sec = await legacyClient("security-specialist");
    const asked = await ok(be, "send_message", { to: "frontend-developer", type: "consultation", subject: "Date format", body: "Which date format does the picker emit?" });
    await ok(fe, "reply_to_message", { messageId: asked.id, body: "ISO 8601 dates, no time." });

    const thread = await ok(fe, "get_thread", { threadId: asked.threadId });
    expect(thread).toMatchObject({ threadId: asked.threadId, subject: "Date format" });
    expect(thread.messages.map((m: { type: string }) => m.type)).toEqual(["consultation", "consultation_response"]);
    expect(thread.messages[0]).toMatchObject({ id: asked.id, replyTo: "backend-developer", replyType: "consultation_response" });

    const refused = await call(sec, "get_thread", { threadId: asked.threadId });
    expect(refused.isError).toBe(true);
    expect(refused.content[0].text).toMatch(/^not_found: /);
    expect(refused.content[0].text).not.toMatch(/Date format|picker/);
    const unknown = await call(sec, "get_thread", { threadId: "msg_nope" });
    expect(unknown.content[0].text).toMatch(/^not_found: /);
  });

  test("search_messages: full text over the agent's own inbox, hits marked with **", async () => {
    const be = await legacyClient("backend-developer");
    const sec = await legacyClient("security-specialist");
    const sent = await ok(be, "send_message", { to: "security-specialist", type: "review_request", subject: "Token rotation", body: "Please check how the quokkarotation job stores refresh tokens." });
    await ok(be, "send_message", { to: "frontend-developer", type: "status_update", subject: "FYI", body: "quokkarotation ships on Friday." });

    const found = await ok(sec, "search_messages", { q: "quokkarotation" });
    expect(found.order).toBe("relevance");
    expect(found.items.map((m: { id: string }) => m.id)).toEqual([sent.id]);
    expect(found.items[0].snippet).toContain("**quokkarotation**");
    expect(found.items[0].snippet).not.toMatch(/[\u0002\u0003]/);

    // The sender searched its own inbox: what it sent to others is not there.
    expect((await ok(be, "search_messages", { q: "quokkarotation" })).items).toEqual([]);
    const prefix = await ok(sec, "search_messages", { q: "quokka*", limit: 5 });
    expect(prefix.items.map((m: { id: string }) => m.id)).toEqual([sent.id]);

    const bad = await call(sec, "search_messages", { q: "" });
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/^validation_failed: /);
  });
});

describe("outputSchema and structuredContent", () => {
  test("every tool declares an object outputSchema, in both eras", async () => {
    for (const client of [await modernClient("backend-developer"), await legacyClient("backend-developer")]) {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());
      for (const t of tools) {
        expect(t.outputSchema, t.name).toMatchObject({ type: "object" });
        // Listed open: a field the services add later must not fail every client's validation.
        expect(JSON.stringify(t.outputSchema), t.name).not.toContain('"additionalProperties":false');
      }
    }
  });

  test("structuredContent validates against the listed outputSchema, and the check is not vacuous", async () => {
    const agent = "security-specialist";
    const task = work(agent, "Audit the login form");
    const sec = await legacyClient(agent);
    const { tools } = await sec.listTools();
    const validator = new AjvJsonSchemaValidator();
    const schemaOf = (name: string) => tools.find((t) => t.name === name)!.outputSchema as Parameters<AjvJsonSchemaValidator["getValidator"]>[0];
    const check = (name: string, value: unknown) => validator.getValidator(schemaOf(name))(value);

    const results: Record<string, Record<string, unknown>> = {};
    results.list_tasks = await ok(sec, "list_tasks", {});
    results.claim_task = await ok(sec, "claim_task", { taskId: task.id });
    const leaseToken = (results.claim_task.lease as { token: number }).token;
    results.get_task = await ok(sec, "get_task", { taskId: task.id });
    results.heartbeat = await ok(sec, "heartbeat", { taskId: task.id, leaseToken });
    results.update_step = await ok(sec, "update_step", { taskId: task.id, position: 1, status: "in_progress", note: "Reading the form", leaseToken });
    results.submit_output = await ok(sec, "submit_output", { taskId: task.id, format: "markdown", content: "# Findings\nNone.", leaseToken });
    results.send_message = await ok(sec, "send_message", { to: "hitl", type: "escalation", subject: "Need a decision", body: "Keep the remember-me box?", taskId: task.id });
    results.block_task = await ok(sec, "block_task", { taskId: task.id, reason: "Waiting for a decision on remember-me", leaseToken });
    results.read_inbox = await ok(sec, "read_inbox", {});
    results.list_agents = await ok(sec, "list_agents");
    results.get_thread = await ok(sec, "get_thread", { threadId: results.send_message.threadId });
    results.search_messages = await ok(sec, "search_messages", { q: "anything" });
    results.claim_task_none = await ok(sec, "claim_task", {});
    expect(results.claim_task_none).toMatchObject({ task: null });

    for (const [name, value] of Object.entries(results)) {
      const tool = name === "claim_task_none" ? "claim_task" : name;
      expect(check(tool, value), `${name}: ${check(tool, value).errorMessage}`).toMatchObject({ valid: true });
    }
    expect(check("get_task", { ...results.get_task, status: "nope" }).valid).toBe(false);
    expect(check("update_step", { ...results.update_step, step: { ...(results.update_step.step as object), position: "one" } }).valid).toBe(false);
    expect(check("list_agents", { items: [{ name: "x" }], peopleInbox: "hitl" }).valid).toBe(false);
    // Open to fields added later, at every level.
    expect(check("update_step", { ...results.update_step, later: 1, progress: { ...(results.update_step.progress as object), later: 1 } }).valid).toBe(true);

    // The modern client gets the same structured answers, validated against the same schemas.
    const modern = await modernClient(agent);
    const detail = await ok(modern, "get_task", { taskId: task.id });
    expect(detail).toMatchObject({ id: task.id, status: "blocked" });
    expect(check("get_task", detail).valid).toBe(true);
  });
});
