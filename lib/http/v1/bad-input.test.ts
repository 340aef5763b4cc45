import http from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createInstruction, createTask, type TaskDto } from "@/lib/services";
import { countRows, json, startTestServer, type RequestOptions, type TestServer } from "@/test/server";

let s: TestServer;
let agent: string;
let admin: ReturnType<TestServer["person"]>;
let task: TaskDto;

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  agent = s.agentToken("backend-developer").token;
  const inst = createInstruction(s.ctx(admin.actor), { title: "Bad input", body: "", tier: 1, priority: "normal" });
  task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Target", assignedAgent: "backend-developer" });
  const claim = await s.request("/api/v1/tasks/claim", { token: agent, method: "POST" });
  expect(claim.status).toBe(200);
  await s.request(`/api/v1/tasks/${task.id}/steps/1`, { token: agent, body: { status: "done", note: "first step" } });
});
afterAll(() => s.close());

/**
 * A POST on its own connection (node:http, no keep-alive pool): the server answers 413 without
 * reading the rest of the body and then drops the connection, which must not poison a shared pool.
 * `streamed` sends it chunked, without Content-Length.
 */
function postOnFreshConnection(path: string, token: string, body: Buffer, streamed: boolean) {
  return new Promise<{ status: number; contentType: string | undefined; body: string }>((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    if (!streamed) headers["content-length"] = body.length;
    const req = http.request(`${s.baseUrl}${path}`, { method: "POST", agent: false, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"], body: text }));
    });
    // The server may close while we still write: only the answer matters.
    req.on("error", (err) => (req.writableEnded ? undefined : reject(err)));
    if (streamed) {
      for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

/** Sends a request that must be refused, and checks status, problem document, code, and that nothing changed. */
async function refused(path: string, init: RequestOptions, status: number, code: string) {
  const before = countRows(s.db);
  const res = await s.request(path, init);
  const body = await json(res);
  expect(res.status, `${path}: ${JSON.stringify(body)}`).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(body).toMatchObject({ status, code, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), detail: expect.any(String) });
  expect(body.requestId).toBe(res.headers.get("x-request-id"));
  expect(countRows(s.db)).toEqual(before);
  return body;
}

describe("bad input is refused with a problem document and leaves the database unchanged", () => {
  test("malformed JSON → 400 malformed_json", async () => {
    await refused("/api/v1/messages", { token: agent, rawBody: '{"to": "hitl", "body": ' }, 400, "malformed_json");
    await refused(`/api/v1/tasks/${task.id}/outputs`, { token: agent, rawBody: "{bad json}" }, 400, "malformed_json");
  });

  test("wrong types → 422 validation_failed with field errors", async () => {
    const p = await refused(`/api/v1/tasks/${task.id}/steps/2`, { token: agent, body: { status: 5, note: ["x"] } }, 422, "validation_failed");
    expect(Object.keys(p.fields).sort()).toEqual(["note", "status"]);
    const q = await refused("/api/v1/messages", { token: agent, body: { to: "hitl", body: 42, stepPosition: "two" } }, 422, "validation_failed");
    expect(q.fields).toHaveProperty("body");
    expect(q.fields).toHaveProperty("stepPosition");
    await refused(`/api/v1/tasks/${task.id}/steps/0`, { token: agent, body: { status: "done" } }, 422, "validation_failed");
    await refused("/api/v1/tasks?limit=lots", { token: agent }, 422, "validation_failed");
    await refused("/api/v1/messages", { token: agent, body: [1, 2, 3] }, 422, "validation_failed");
    // A rule the service owns (a blocked step needs a reason) comes back the same way.
    const r = await refused(`/api/v1/tasks/${task.id}/steps/2`, { token: agent, body: { status: "blocked" } }, 422, "validation_failed");
    expect(r.fields).toHaveProperty("note");
  });

  test("unknown fields → 422, named in fields", async () => {
    const p = await refused(`/api/v1/tasks/${task.id}/steps/2`, { token: agent, body: { status: "done", colour: "blue" } }, 422, "validation_failed");
    expect(p.fields).toEqual({ colour: ["Unknown field"] });
    await refused("/api/v1/instructions", { token: admin.token, body: { title: "x", body: "", tier: 1, priority: "normal", owner: "me" } }, 422, "validation_failed");
    await refused("/api/v1/tasks?colour=blue", { token: agent }, 422, "validation_failed");
  });

  test("a 2 MiB body → 413 payload_too_large", async () => {
    const big = Buffer.from(JSON.stringify({ to: "hitl", type: "status_update", body: "x".repeat(2 * 1024 * 1024) }));
    for (const streamed of [false, true]) {
      const before = countRows(s.db);
      const res = await postOnFreshConnection("/api/v1/messages", agent, big, streamed);
      expect(res.status, streamed ? "streamed" : "with Content-Length").toBe(413);
      expect(res.contentType).toBe("application/problem+json");
      expect(JSON.parse(res.body).code).toBe("payload_too_large");
      expect(countRows(s.db)).toEqual(before);
    }
  });

  test("unknown ids → 404 not_found", async () => {
    await refused("/api/v1/tasks/tsk_nope", { token: agent }, 404, "not_found");
    await refused("/api/v1/tasks/tsk_nope/complete", { token: agent, method: "POST" }, 404, "not_found");
    await refused(`/api/v1/tasks/${task.id}/steps/99`, { token: agent, body: { status: "done" } }, 404, "not_found");
    await refused("/api/v1/messages/msg_nope/reply", { token: agent, body: { body: "hello?" } }, 404, "not_found");
    await refused("/api/v1/outputs/out_nope/approve", { token: admin.token, method: "POST" }, 404, "not_found");
    await refused("/api/v1/instructions/inst_19990101_001", { token: admin.token }, 404, "not_found");
    await refused("/api/v1/agents/nobody", { token: admin.token }, 404, "not_found");
    await refused("/api/v1/inbox/nobody", { token: admin.token }, 404, "not_found");
    await refused("/api/v1/no-such-route", { token: agent }, 404, "not_found");
  });

  test("illegal moves → 409 with a stable code", async () => {
    await refused(`/api/v1/tasks/${task.id}/steps/1`, { token: agent, body: { status: "in_progress" } }, 409, "illegal_transition");
    await refused(`/api/v1/tasks/${task.id}/complete`, { token: agent, method: "POST" }, 409, "illegal_transition");
    await refused(`/api/v1/tasks/${task.id}/move`, { token: admin.token, body: { to: "completed" } }, 409, "illegal_transition");
    await refused(`/api/v1/tasks/${task.id}/unblock`, { token: agent, method: "POST" }, 409, "illegal_transition");
    await refused(`/api/v1/tasks/${task.id}/steps/2`, { token: agent, body: { status: "done", expectedVersion: 7 } }, 409, "version_conflict");
    await refused(`/api/v1/tasks/${task.id}/steps/2`, { token: agent, body: { status: "done", leaseToken: 99 } }, 409, "lease_lost");
  });

  test("another content type → 415; and the server still answers /api/health afterwards", async () => {
    const res = await s.request("/api/v1/messages", { token: agent, rawBody: "to=hitl", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const health = await s.request("/api/health");
    expect(health.status).toBe(200);
    expect(await json(health)).toMatchObject({ status: "ok" });
  });
});
