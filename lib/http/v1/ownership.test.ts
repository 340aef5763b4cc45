import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createInstruction, createTask, sendMessage } from "@/lib/services";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

describe("ownership: an agent's token reaches only its own work", () => {
  test("another agent cannot read the inbox (403) or the task (404), nor change steps or outputs", async () => {
    const admin = s.person("admin");
    const inst = createInstruction(s.ctx(admin.actor), { title: "Ownership", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Backend only", assignedAgent: "backend-developer" });
    const be = s.agentToken("backend-developer").token;
    const fe = s.agentToken("frontend-developer").token;

    expect((await s.request("/api/v1/tasks/claim", { token: be, method: "POST" })).status).toBe(200);
    await s.request(`/api/v1/tasks/${task.id}/steps/1`, { token: be, body: { status: "in_progress" } });
    const out = await json(await s.request(`/api/v1/tasks/${task.id}/outputs`, { token: be, body: { format: "text", content: "draft" } }));
    const note = sendMessage(s.ctx(admin.actor), { to: "backend-developer", type: "status_update", body: "For backend only", taskId: task.id });

    const before = countRows(s.db);
    const refused: [string, Parameters<TestServer["request"]>[1], number, string][] = [
      ["/api/v1/inbox/backend-developer", { token: fe }, 403, "forbidden"],
      [`/api/v1/tasks/${task.id}`, { token: fe }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/events`, { token: fe }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/steps/1`, { token: fe, body: { status: "done", note: "not mine" } }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/outputs`, { token: fe, body: { format: "text", content: "hijack" } }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/heartbeat`, { token: fe, method: "POST" }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/complete`, { token: fe, method: "POST" }, 404, "not_found"],
      [`/api/v1/tasks/${task.id}/block`, { token: fe, body: { reason: "sabotage" } }, 404, "not_found"],
      [`/api/v1/tasks/claim`, { token: fe, body: { taskId: task.id } }, 404, "not_found"],
      [`/api/v1/outputs/${out.id}`, { token: fe }, 404, "not_found"],
      [`/api/v1/messages/${note.id}`, { token: fe }, 404, "not_found"],
      [`/api/v1/messages/${note.id}/read`, { token: fe, method: "POST" }, 404, "not_found"],
      [`/api/v1/messages/${note.id}/reply`, { token: fe, body: { body: "not for me" } }, 404, "not_found"],
      [`/api/v1/threads/${note.threadId}`, { token: fe }, 404, "not_found"],
      // Agents do not do people's work.
      [`/api/v1/tasks/${task.id}/cancel`, { token: fe, method: "POST" }, 403, "forbidden"],
      ["/api/v1/instructions", { token: fe }, 403, "forbidden"],
      ["/api/v1/tasks", { token: fe, body: { instructionId: inst.id, title: "x", assignedAgent: "frontend-developer" } }, 403, "forbidden"],
      ["/api/v1/tokens", { token: fe }, 403, "forbidden"],
      ["/api/v1/events", { token: fe }, 403, "forbidden"],
    ];
    for (const [path, init, status, code] of refused) {
      const res = await s.request(path, init);
      expect(res.status, `${init?.method ?? (init?.body ? "POST" : "GET")} ${path}`).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect((await json(res)).code).toBe(code);
    }
    expect(countRows(s.db)).toEqual(before);

    // Its own list does not show the other agent's task, and the owner still sees everything.
    const list = await json(await s.request("/api/v1/tasks", { token: fe }));
    expect(list.items.map((t: { id: string }) => t.id)).not.toContain(task.id);
    const mine = await json(await s.request(`/api/v1/tasks/${task.id}`, { token: be }));
    expect(mine.steps[0]).toMatchObject({ status: "in_progress" });
    expect(mine.outputs).toHaveLength(1);
    expect((await s.request("/api/v1/inbox/backend-developer", { token: be })).status).toBe(200);
  });

  test("people's roles: a viewer reads but cannot write; a reviewer cannot administer", async () => {
    const viewer = s.person("viewer");
    const reviewer = s.person("reviewer");
    expect((await s.request("/api/v1/instructions", { token: viewer.token })).status).toBe(200);
    const res = await s.request("/api/v1/instructions", { token: viewer.token, body: { title: "No", body: "", tier: 1, priority: "normal" } });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe("forbidden");
    const mint = await s.request("/api/v1/tokens", { token: reviewer.token, body: { agent: "backend-developer" } });
    expect(mint.status).toBe(403);
    const user = await s.request("/api/v1/users", { token: reviewer.token, body: { email: "x@example.com", role: "admin", password: "long enough password" } });
    expect(user.status).toBe(403);
  });

  test("a revoked token is refused at once (401)", async () => {
    const admin = s.person("admin");
    const { token, id } = s.agentToken("backend-developer");
    expect((await s.request("/api/v1/me", { token })).status).toBe(200);
    const revoked = await s.request(`/api/v1/tokens/${id}/revoke`, { token: admin.token, method: "POST" });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).revokedAt).not.toBeNull();
    const after = await s.request("/api/v1/me", { token });
    expect(after.status).toBe(401);
    expect(after.headers.get("www-authenticate")).toBe("Bearer");
    expect((await json(after)).code).toBe("unauthenticated");
    expect((await s.request("/api/v1/tasks/claim", { token, method: "POST" })).status).toBe(401);
    expect((await s.request("/api/v1/me", { token: "adk_not-a-real-token" })).status).toBe(401);
    expect((await s.request("/api/v1/me")).status).toBe(401);
  });
});
