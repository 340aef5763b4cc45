import { describe, expect, test } from "vitest";
import { json, type TestServer } from "@/test/server";
import { withTestServer } from "@/test/suite";

let s: TestServer;
let token: string;
withTestServer((server) => {
  s = server;
  token = s.agentToken("backend-developer").token;
});

describe("the generated OpenAPI document and the docs page", () => {
  test("openapi.json is an OpenAPI 3.1 document of every route, from the zod schemas", async () => {
    const res = await s.request("/api/v1/openapi.json", { token });
    expect(res.status).toBe(200);
    const doc = await json(res);
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(doc.info.title).toBe("AgentDesk API");
    expect(doc.servers).toEqual([{ url: "/api/v1" }]);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });

    const paths = Object.keys(doc.paths);
    for (const p of [
      "/me",
      "/tasks",
      "/tasks/claim",
      "/tasks/board",
      "/tasks/{taskId}",
      "/tasks/{taskId}/heartbeat",
      "/tasks/{taskId}/steps/{position}",
      "/tasks/{taskId}/outputs",
      "/tasks/{taskId}/complete",
      "/tasks/{taskId}/block",
      "/tasks/{taskId}/unblock",
      "/tasks/{taskId}/cancel",
      "/tasks/{taskId}/reassign",
      "/tasks/{taskId}/move",
      "/tasks/{taskId}/events",
      "/inbox",
      "/inbox/{agentName}",
      "/inboxes",
      "/messages",
      "/messages/{messageId}",
      "/messages/{messageId}/read",
      "/messages/{messageId}/reply",
      "/messages/{messageId}/unread",
      "/messages/{messageId}/archive",
      "/messages/{messageId}/unarchive",
      "/threads/{threadId}",
      "/search",
      "/instructions",
      "/instructions/{instructionId}",
      "/instructions/{instructionId}/phase",
      "/events",
      "/outputs",
      "/outputs/{outputId}",
      "/outputs/{outputId}/approve",
      "/outputs/{outputId}/request-changes",
      "/agents",
      "/agents/{agentName}",
      "/overview",
      "/counts",
      "/tokens",
      "/tokens/{tokenId}/revoke",
      "/users",
      "/users/{userId}",
    ]) {
      expect(paths, p).toContain(p);
    }

    const ops = Object.values(doc.paths).flatMap((item) => Object.values(item as Record<string, { operationId: string }>));
    const opIds = ops.map((o) => o.operationId);
    expect(opIds.every(Boolean)).toBe(true);
    expect(new Set(opIds).size).toBe(opIds.length);

    // Request bodies come from the service schemas and refuse unknown fields.
    const step = doc.paths["/tasks/{taskId}/steps/{position}"].post;
    const stepBody = step.requestBody.content["application/json"].schema;
    expect(stepBody.additionalProperties).toBe(false);
    expect(stepBody.required).toEqual(["status"]);
    expect(stepBody.properties.status.enum).toEqual(["in_progress", "done", "skipped", "blocked"]);
    expect(step.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(["path:taskId", "path:position", "header:Idempotency-Key"]));
    expect(step.responses["409"].content["application/problem+json"].schema.$ref).toBe("#/components/schemas/Problem");
    const createTask = doc.paths["/tasks"].post.requestBody.content["application/json"].schema;
    expect(createTask.required).toEqual(expect.arrayContaining(["instructionId", "title", "assignedAgent"]));
    expect(doc.paths["/tasks/claim"].post.responses).toHaveProperty("204");
    expect(doc.components.schemas).toHaveProperty("Task");
    expect(doc.components.schemas).toHaveProperty("Problem");
  });

  test("/api/docs is a self-contained HTML page listing the operations", async () => {
    const res = await s.request("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("<!doctype html>");
    expect(html).toContain("/api/v1/tasks/claim");
    expect(html).toContain("/api/v1/tasks/{taskId}/steps/{position}");
    expect(html).toContain("Idempotency-Key");
    expect(html).not.toMatch(/<script|<link|src=|@import|https?:\/\/(?!agentdesk\.dev|localhost)/i);
  });
});
