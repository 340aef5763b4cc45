import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createInstruction, createTask } from "@/lib/services";
import { json, startTestServer, type TestServer } from "@/test/server";
import { MCP_TOOL_NAMES } from "./tools";

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean; structuredContent?: Record<string, unknown> };

let s: TestServer;
const clients: Client[] = [];

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await s.close();
});

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: "agentdesk-test", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(`${s.baseUrl}/api/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** A successful tool call's JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok<T = any>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = await call(client, name, args);
  if (r.isError) throw new Error(`${name} failed: ${r.content[0]?.text}`);
  return JSON.parse(r.content[0].text) as T;
}

describe("MCP endpoint with the official SDK client", () => {
  test("a full ten-step run: claim, steps, consultation answered, outputs, review request, complete", async () => {
    const admin = s.person("admin");
    const ctx = s.ctx(admin.actor);
    const inst = createInstruction(ctx, { title: "Orders API", body: "Add an orders endpoint", tier: 2, priority: "high" });
    const task = createTask(ctx, {
      instructionId: inst.id,
      title: "Build POST /orders",
      assignedAgent: "backend-developer",
      acceptanceCriteria: ["Validates input", "Returns 201"],
      filesToCreate: ["src/orders.ts"],
    });
    const be = await connect(s.agentToken("backend-developer").token);
    const fe = await connect(s.agentToken("frontend-developer").token);

    const { tools } = await be.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOL_NAMES].sort());
    for (const t of tools) {
      expect(t.description?.length ?? 0).toBeGreaterThan(60);
      expect(t.inputSchema.type).toBe("object");
    }

    const claimed = await ok(be, "claim_task", {});
    expect(claimed).toMatchObject({ id: task.id, status: "in_progress" });
    const leaseToken = claimed.lease.token as number;
    expect(leaseToken).toBeGreaterThan(0);

    const detail = await ok(be, "get_task", { taskId: task.id });
    expect(detail.steps).toHaveLength(10);

    let consultationId = "";
    let v2Id = "";
    for (let position = 1; position <= 10; position++) {
      const started = await ok(be, "update_step", { taskId: task.id, position, status: "in_progress", note: `Starting step ${position}`, leaseToken });
      expect(started.step.status).toBe("in_progress");

      if (position === 4) {
        const sent = await ok(be, "send_message", {
          to: "frontend-developer",
          type: "consultation",
          subject: "Order form fields",
          body: "Which fields does the order form send?",
          taskId: task.id,
          stepPosition: 4,
          leaseToken,
        });
        consultationId = sent.id;
        const inbox = await ok(fe, "read_inbox", { unread: true });
        const received = inbox.items.find((m: { id: string }) => m.id === consultationId);
        expect(received).toMatchObject({ type: "consultation", from: { kind: "agent", name: "backend-developer" }, taskId: task.id, stepPosition: 4 });
        const reply = await ok(fe, "reply_to_message", { messageId: consultationId, body: "sku, quantity and an optional coupon." });
        expect(reply).toMatchObject({ type: "consultation_response", to: "backend-developer", inReplyTo: consultationId, threadId: sent.threadId });
        await ok(fe, "mark_read", { messageId: consultationId });
        const mine = await ok(be, "read_inbox", { unread: true });
        expect(mine.items.map((m: { inReplyTo: string | null }) => m.inReplyTo)).toContain(consultationId);
      }
      if (position === 5) {
        const out = await ok(be, "submit_output", {
          taskId: task.id,
          format: "markdown",
          content: "# Design\nPOST /orders takes sku, quantity, coupon.",
          files: [{ path: "docs/orders.md", action: "created" }],
          stepPosition: 5,
          leaseToken,
        });
        expect(out).toMatchObject({ version: 1, status: "pending_review", stepPosition: 5 });
      }
      if (position === 8) {
        const rr = await ok(be, "send_message", {
          to: "security-specialist",
          type: "review_request",
          subject: "Review the orders endpoint",
          body: "Please check input validation.",
          taskId: task.id,
          stepPosition: 8,
        });
        expect(rr).toMatchObject({ to: "security-specialist", type: "review_request" });
      }
      if (position === 9) {
        const out = await ok(be, "submit_output", {
          taskId: task.id,
          format: "code",
          language: "typescript",
          content: "export const createOrder = () => {};",
          files: [{ path: "src/orders.ts", action: "created", additions: 1 }],
          leaseToken,
        });
        expect(out).toMatchObject({ version: 2, stepPosition: 9 });
        v2Id = out.id;
      }
      const done = await ok(be, "update_step", { taskId: task.id, position, status: "done", note: `Finished step ${position}`, leaseToken });
      expect(done.progress.done).toBe(position);
    }

    const completed = await ok(be, "complete_task", { taskId: task.id, summary: "Endpoint built and documented", leaseToken });
    expect(completed.status).toBe("in_review");

    // Checked through REST, as a person.
    const res = await s.request(`/api/v1/tasks/${task.id}`, { token: admin.token });
    expect(res.status).toBe(200);
    const t = await json(res);
    expect(t.status).toBe("in_review");
    expect(t.steps).toHaveLength(10);
    expect(t.steps.every((st: { status: string; note: string }, i: number) => st.status === "done" && st.note === `Finished step ${i + 1}`)).toBe(true);
    expect(t.outputs.map((o: { version: number; status: string }) => [o.version, o.status])).toEqual([
      [1, "superseded"],
      [2, "pending_review"],
    ]);
    const consultation = t.messages.find((m: { id: string }) => m.id === consultationId);
    const answer = t.messages.find((m: { inReplyTo: string | null }) => m.inReplyTo === consultationId);
    expect(answer).toMatchObject({ type: "consultation_response", threadId: consultation.threadId, from: { name: "frontend-developer" } });
    expect(t.messages.some((m: { type: string; to: string }) => m.type === "review_request" && m.to === "security-specialist")).toBe(true);
    expect(t.steps[3].messageIds).toContain(consultationId);

    const thread = await json(await s.request(`/api/v1/threads/${consultation.threadId}`, { token: admin.token }));
    expect(thread.messages.map((m: { type: string }) => m.type)).toEqual(["consultation", "consultation_response"]);
    expect(thread.messages[0].answeredAt).not.toBeNull();

    const output = await json(await s.request(`/api/v1/outputs/${v2Id}`, { token: admin.token }));
    expect(output.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(output.output).toMatchObject({ format: "code", language: "typescript", content: "export const createOrder = () => {};" });
  });

  test("service errors come back as isError with `code: message`; bad arguments as validation_failed", async () => {
    const admin = s.person("admin");
    const inst = createInstruction(s.ctx(admin.actor), { title: "Errors", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Small job", assignedAgent: "security-specialist" });
    const sec = await connect(s.agentToken("security-specialist").token);

    const notClaimed = await call(sec, "update_step", { taskId: task.id, position: 1, status: "done" });
    expect(notClaimed.isError).toBe(true);
    expect(notClaimed.content[0].text).toMatch(/^illegal_transition: Task .* has not been claimed yet/);

    const unknown = await call(sec, "get_task", { taskId: "tsk_nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.content[0].text).toMatch(/^not_found: /);

    const badArgs = await call(sec, "update_step", { taskId: task.id, position: "first", status: "done" });
    expect(badArgs.isError).toBe(true);
    expect(badArgs.content[0].text).toMatch(/^validation_failed: /);

    const none = await ok(sec, "claim_task", { taskId: task.id });
    expect(none.status).toBe("in_progress");
    const nothing = await call(sec, "claim_task", {});
    expect(nothing.isError).toBeFalsy();
    expect(JSON.parse(nothing.content[0].text)).toMatchObject({ task: null });

    const blocked = await call(sec, "update_step", { taskId: task.id, position: 1, status: "blocked" });
    expect(blocked.content[0].text).toMatch(/^validation_failed: .*note/);
  });

  test("GET and DELETE answer 405; no token 401; a revoked token is refused", async () => {
    const { token, id } = s.agentToken("backend-developer");
    const get = await s.request("/api/mcp", { token });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await s.request("/api/mcp", { token, method: "DELETE" })).status).toBe(405);

    const anon = await s.request("/api/mcp", { body: { jsonrpc: "2.0", id: 1, method: "tools/list" }, headers: { accept: "application/json, text/event-stream" } });
    expect(anon.status).toBe(401);

    const client = await connect(token);
    expect((await client.listTools()).tools).toHaveLength(MCP_TOOL_NAMES.length);
    const admin = s.person("admin");
    expect((await s.request(`/api/v1/tokens/${id}/revoke`, { token: admin.token, method: "POST" })).status).toBe(200);
    // Refused for its credential (401), not failing for some other reason.
    await expect(client.listTools()).rejects.toThrow(/401|unauthenticated|unauthorized/i);
  });
});
