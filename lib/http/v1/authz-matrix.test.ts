import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "@/test/server";
import { v1OpenApiDocument } from "@/lib/http/v1";
import * as s from "@/lib/services";
import { system } from "@/test/db";

/**
 * The authorisation matrix over HTTP: every mutating route of /api/v1 (read from the generated
 * OpenAPI document, so a new route without a row here fails the test) against every role and an
 * agent. Each cell gets fresh fixtures and a valid body, so a refusal can only come from
 * authorisation, never from validation.
 */
let srv: TestServer;
beforeAll(async () => (srv = await startTestServer()));
afterAll(async () => srv.close());

type Who = "admin" | "reviewer" | "viewer" | "owner-agent" | "other-agent";
const who: Who[] = ["admin", "reviewer", "viewer", "owner-agent", "other-agent"];

/**
 * `inReview`: the agent also walks every step of the task and completes it, so v1 waits in review
 * (a review decision is only taken on the latest version of a task in review, docs/task-rules.md
 * rule 1); otherwise the task stays in progress with v1 handed in.
 */
function fixture(inReview = false) {
  const sys = { db: srv.db, actor: system };
  const be = { db: srv.db, actor: { kind: "agent" as const, name: "backend-developer" } };
  const inst = s.createInstruction(sys, { title: "Matrix" });
  const task = s.createTask(sys, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  const spare = s.createTask(sys, { instructionId: inst.id, title: "Spare", assignedAgent: "backend-developer" });
  s.claimTask(be, { taskId: task.id });
  if (inReview) for (const step of task.steps) s.updateStep(be, { taskId: task.id, position: step.position, status: "done" });
  const output = s.submitOutput(be, { taskId: task.id, format: "text", content: "v1" });
  // Step 2 under way, for tool activity (recorded on a step in progress only).
  if (!inReview) s.updateStep(be, { taskId: task.id, position: 2, status: "in_progress" });
  if (inReview) {
    s.completeTask(be, { taskId: task.id });
    expect(s.getTask(sys, task.id).status).toBe("in_review");
  }
  const toBackend = s.sendMessage({ db: srv.db, actor: { kind: "agent", name: "frontend-developer" } }, { to: "backend-developer", body: "hi" });
  const token = s.createToken(sys, { agent: "security-specialist", label: "m" });
  const victim = s.createUser(sys, { email: `victim${Math.random()}@x.dev`, role: "viewer", passwordHash: "scrypt$1$1$1$aaaaaaaaaaaaaaaa$bbbbbbbbbbbbbbbb" });
  return { inst, task, spare, output, toBackend, token, victim };
}
type F = ReturnType<typeof fixture>;

/** A fresh webhook for the webhook routes (admin only: the cells check the refusal, not the fixture). */
const webhookOf = () => s.createWebhook({ db: srv.db, actor: system }, { url: "https://hooks.example.com/m", events: ["task.*"] }).id;

// method path → how to call it on a fixture, and who may; `inReview`: on a fixture whose task is in review.
const routes: Record<string, { path: (f: F) => string; body?: (f: F) => unknown; allow: Who[]; inReview?: true }> = {
  "POST /tasks": { path: () => "/api/v1/tasks", body: (f) => ({ instructionId: f.inst.id, title: "x", assignedAgent: "backend-developer" }), allow: ["admin", "reviewer"] },
  "POST /assignments": { path: () => "/api/v1/assignments", body: () => ({ text: "x", assignedAgent: "backend-developer" }), allow: ["admin", "reviewer"] },
  "POST /tasks/claim": { path: () => "/api/v1/tasks/claim", body: (f) => ({ taskId: f.spare.id }), allow: ["owner-agent"] },
  "POST /tasks/{taskId}/heartbeat": { path: (f) => `/api/v1/tasks/${f.task.id}/heartbeat`, allow: ["owner-agent"] },
  "POST /tasks/{taskId}/steps/{position}/activity": { path: (f) => `/api/v1/tasks/${f.task.id}/steps/2/activity`, body: () => ({ tool: "Edit", summary: "src/a.ts" }), allow: ["owner-agent"] },
  "POST /tasks/{taskId}/steps/{position}": { path: (f) => `/api/v1/tasks/${f.task.id}/steps/1`, body: () => ({ status: "in_progress", note: "n" }), allow: ["owner-agent", "admin", "reviewer"] },
  "POST /tasks/{taskId}/outputs": { path: (f) => `/api/v1/tasks/${f.task.id}/outputs`, body: () => ({ format: "text", content: "v2" }), allow: ["owner-agent"] },
  "POST /tasks/{taskId}/complete": { path: (f) => `/api/v1/tasks/${f.task.id}/complete`, allow: [] },
  "POST /tasks/{taskId}/block": { path: (f) => `/api/v1/tasks/${f.task.id}/block`, body: () => ({ reason: "stuck" }), allow: ["owner-agent", "admin", "reviewer"] },
  "POST /tasks/{taskId}/unblock": { path: (f) => `/api/v1/tasks/${f.task.id}/unblock`, allow: [] },
  "POST /tasks/{taskId}/cancel": { path: (f) => `/api/v1/tasks/${f.task.id}/cancel`, allow: ["admin", "reviewer"] },
  "POST /tasks/{taskId}/reassign": { path: (f) => `/api/v1/tasks/${f.task.id}/reassign`, body: () => ({ agent: "frontend-developer" }), allow: ["admin", "reviewer"] },
  "POST /tasks/{taskId}/move": { path: (f) => `/api/v1/tasks/${f.task.id}/move`, body: () => ({ to: "blocked", reason: "r" }), allow: ["admin", "reviewer"] },
  "POST /messages": { path: () => "/api/v1/messages", body: () => ({ to: "hitl", body: "hello" }), allow: ["admin", "reviewer", "owner-agent", "other-agent"] },
  // frontend-developer (other-agent) sent that message: its follow-up in the thread is allowed.
  "POST /messages/{messageId}/reply": { path: (f) => `/api/v1/messages/${f.toBackend.id}/reply`, body: () => ({ body: "ok" }), allow: ["admin", "reviewer", "owner-agent", "other-agent"] },
  "POST /messages/{messageId}/read": { path: (f) => `/api/v1/messages/${f.toBackend.id}/read`, allow: ["admin", "reviewer", "owner-agent"] },
  "POST /messages/{messageId}/unread": { path: (f) => `/api/v1/messages/${f.toBackend.id}/unread`, allow: ["admin", "reviewer", "owner-agent"] },
  "POST /messages/{messageId}/archive": { path: (f) => `/api/v1/messages/${f.toBackend.id}/archive`, allow: ["admin", "reviewer", "owner-agent"] },
  "POST /messages/{messageId}/unarchive": { path: (f) => `/api/v1/messages/${f.toBackend.id}/unarchive`, allow: ["admin", "reviewer", "owner-agent"] },
  "POST /instructions": { path: () => "/api/v1/instructions", body: () => ({ title: "new", body: "", tier: 1, priority: "normal" }), allow: ["admin", "reviewer"] },
  "PATCH /instructions/{instructionId}": { path: (f) => `/api/v1/instructions/${f.inst.id}`, body: () => ({ title: "renamed" }), allow: ["admin", "reviewer"] },
  "POST /instructions/{instructionId}/phase": { path: (f) => `/api/v1/instructions/${f.inst.id}/phase`, body: () => ({ phase: "validating" }), allow: ["admin", "reviewer"] },
  "POST /outputs/{outputId}/approve": { path: (f) => `/api/v1/outputs/${f.output.id}/approve`, allow: ["admin", "reviewer"], inReview: true },
  "POST /outputs/{outputId}/request-changes": { path: (f) => `/api/v1/outputs/${f.output.id}/request-changes`, body: () => ({ comment: "again" }), allow: ["admin", "reviewer"], inReview: true },
  "POST /tokens": { path: () => "/api/v1/tokens", body: () => ({ agent: "backend-developer" }), allow: ["admin"] },
  "POST /tokens/{tokenId}/revoke": { path: (f) => `/api/v1/tokens/${f.token.id}/revoke`, allow: ["admin"] },
  "POST /users": { path: () => "/api/v1/users", body: () => ({ email: `n${Math.random()}@x.dev`, role: "viewer", password: "a long enough password" }), allow: ["admin"] },
  "DELETE /users/{userId}": { path: (f) => `/api/v1/users/${f.victim.id}`, allow: ["admin"] },
  "PATCH /users/{userId}": { path: (f) => `/api/v1/users/${f.victim.id}`, body: () => ({ role: "reviewer" }), allow: ["admin"] },
  "POST /users/{userId}/password": { path: (f) => `/api/v1/users/${f.victim.id}/password`, body: () => ({ password: "a new long enough password" }), allow: ["admin"] },
  "POST /webhooks": { path: () => "/api/v1/webhooks", body: () => ({ url: "https://hooks.example.com/m", events: ["task.*"] }), allow: ["admin"] },
  "PATCH /webhooks/{webhookId}": { path: () => `/api/v1/webhooks/${webhookOf()}`, body: () => ({ active: false }), allow: ["admin"] },
  "DELETE /webhooks/{webhookId}": { path: () => `/api/v1/webhooks/${webhookOf()}`, allow: ["admin"] },
  "POST /webhooks/{webhookId}/rotate-secret": { path: () => `/api/v1/webhooks/${webhookOf()}/rotate-secret`, allow: ["admin"] },
  "POST /webhooks/{webhookId}/test": { path: () => `/api/v1/webhooks/${webhookOf()}/test`, allow: ["admin"] },
};
// Runs are started and stopped by people; their rows need a configured runner, covered in lib/runners tests.
const elsewhere = new Set(["POST /tasks/{taskId}/runs", "POST /runs/{runId}/cancel", "POST /runs/{runId}/retry"]);

describe("authorisation matrix over HTTP", () => {
  it("covers every mutating route of the OpenAPI document", () => {
    const doc = v1OpenApiDocument() as unknown as { paths: Record<string, Record<string, unknown>> };
    const ops = Object.entries(doc.paths).flatMap(([p, m]) =>
      Object.keys(m)
        .filter((k) => k !== "get")
        .map((k) => `${k.toUpperCase()} ${p}`),
    );
    expect(ops.filter((o) => !routes[o] && !elsewhere.has(o))).toEqual([]);
  });

  for (const [op, r] of Object.entries(routes)) {
    for (const w of who) {
      // complete and unblock are legal for nobody on this fixture's state: they check the refusal is authorisation or state, not a crash.
      const allowed = r.allow.includes(w);
      it(`${w} ${allowed ? "may" : "may not"} ${op}`, async () => {
        const f = fixture(r.inReview);
        const people = { admin: srv.person("admin"), reviewer: srv.person("reviewer"), viewer: srv.person("viewer") };
        const auth =
          w === "owner-agent" ? { token: srv.agentToken("backend-developer").token } : w === "other-agent" ? { token: srv.agentToken("frontend-developer").token } : { cookie: people[w].cookie };
        const res = await srv.request(r.path(f), { method: op.split(" ")[0], body: r.body ? r.body(f) : {}, ...auth });
        if (allowed) expect(res.status, await res.clone().text()).toBeLessThan(300);
        else if (r.allow.length === 0) expect([403, 404, 409]).toContain(res.status);
        else expect([403, 404], await res.clone().text()).toContain(res.status);
      });
    }
  }
});
