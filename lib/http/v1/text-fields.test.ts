import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { claimTask, createInstruction, createTask, sendMessage, type TaskDto } from "@/lib/services";
import { system } from "@/test/db";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";

/** Titles, subjects, names and labels are one visible line; bodies may be anything but NUL. */
let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
let agent: string;
let inst: { id: string };
let task: TaskDto;
let messageId: string;

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  agent = s.agentToken("backend-developer").token;
  const sys = { db: s.db, actor: system };
  inst = createInstruction(sys, { title: "Text fields" });
  task = createTask(sys, { instructionId: inst.id, title: "T", assignedAgent: "backend-developer" });
  claimTask({ db: s.db, actor: { kind: "agent", name: "backend-developer" } }, { taskId: task.id });
  messageId = sendMessage(sys, { to: "backend-developer", body: "hello" }).id;
});
afterAll(() => s.close());

const BAD_LINES: [string, string][] = [
  ["zero-width spaces only", "\u200b\u200b\u200b"],
  ["zero-width joiners, word joiner and BOM only", " \u200c\u200d\u2060\ufeff "],
  ["a right-to-left override", "invoice\u202Egpj.exe"],
  ["a left-to-right embedding", "a\u202Ab"],
  ["an isolate", "a\u2066b\u2069"],
  ["NUL", "a\u0000b"],
  ["a newline", "first\nsecond"],
  ["a tab", "a\tb"],
  ["an escape", "a\u001b[31mred"],
  ["DEL", "a\u007fb"],
  ["a C1 control", "a\u0085b"],
];

async function refused(path: string, init: Parameters<TestServer["request"]>[1], field: string, what: string) {
  const before = countRows(s.db);
  const res = await s.request(path, init);
  const p = await json(res);
  expect(res.status, `${path} ${field} ${what}: ${JSON.stringify(p)}`).toBe(422);
  expect(p.code).toBe("validation_failed");
  expect(p.fields?.[field], `${path} ${field} ${what}: ${JSON.stringify(p.fields)}`).toEqual([expect.any(String)]);
  expect(countRows(s.db)).toEqual(before);
}

describe("single-line fields refuse invisible-only text, control and bidirectional characters", () => {
  for (const [what, bad] of BAD_LINES) {
    test(what, async () => {
      const a = { token: admin.token };
      await refused("/api/v1/instructions", { ...a, body: { title: bad, body: "", tier: 1, priority: "normal" } }, "title", what);
      await refused(`/api/v1/instructions/${inst.id}`, { ...a, method: "PATCH", body: { title: bad } }, "title", what);
      await refused("/api/v1/tasks", { ...a, body: { instructionId: inst.id, title: bad, assignedAgent: "backend-developer" } }, "title", what);
      await refused("/api/v1/messages", { token: agent, body: { to: "hitl", subject: bad, body: "fine" } }, "subject", what);
      await refused("/api/v1/tokens", { ...a, body: { agent: "backend-developer", label: bad } }, "label", what);
      await refused("/api/v1/users", { ...a, body: { email: "new@example.com", name: bad, role: "viewer", password: "a long enough password" } }, "name", what);
    });
  }

  test("ordinary text is still fine: accents, emoji, right-to-left script, inner spaces, an empty optional field", async () => {
    for (const title of ["Résumé 🚀 review", "مراجعة الكود", "  padded  ", "a\u200db (a joiner between letters)"]) {
      const res = await s.request("/api/v1/instructions", { token: admin.token, body: { title, body: "", tier: 1, priority: "normal" } });
      expect(res.status, title).toBe(201);
      expect((await json(res)).title).toBe(title.trim());
    }
    const sent = await s.request("/api/v1/messages", { token: agent, body: { to: "hitl", subject: "", body: "no subject" } });
    expect(sent.status).toBe(201);
    const tok = await s.request("/api/v1/tokens", { token: admin.token, body: { agent: "backend-developer", label: "" } });
    expect(tok.status).toBe(201);
  });
});

describe("bodies keep newlines, tabs and bidirectional text but never NUL", () => {
  test("NUL is refused in every body-like field", async () => {
    const nul = "before\u0000after";
    const a = { token: admin.token };
    await refused("/api/v1/instructions", { ...a, body: { title: "x", body: nul, tier: 1, priority: "normal" } }, "body", "NUL");
    await refused(`/api/v1/instructions/${inst.id}`, { ...a, method: "PATCH", body: { body: nul } }, "body", "NUL");
    await refused("/api/v1/tasks", { ...a, body: { instructionId: inst.id, title: "x", description: nul, assignedAgent: "backend-developer" } }, "description", "NUL");
    await refused("/api/v1/tasks", { ...a, body: { instructionId: inst.id, title: "x", acceptanceCriteria: ["ok", nul], assignedAgent: "backend-developer" } }, "acceptanceCriteria.1", "NUL");
    await refused("/api/v1/messages", { token: agent, body: { to: "hitl", body: nul } }, "body", "NUL");
    await refused(`/api/v1/messages/${messageId}/reply`, { token: agent, body: { body: nul } }, "body", "NUL");
    await refused(`/api/v1/tasks/${task.id}/outputs`, { token: agent, body: { format: "text", content: nul } }, "content", "NUL");
    await refused(`/api/v1/tasks/${task.id}/steps/1`, { token: agent, body: { status: "in_progress", note: nul } }, "note", "NUL");
    await refused(`/api/v1/tasks/${task.id}/block`, { token: agent, body: { reason: nul } }, "reason", "NUL");
  });

  test("a body with newlines, tabs and right-to-left text is kept as written", async () => {
    const body = "line one\n\tindented\nשלום \u202Bembedded\u202C";
    const res = await s.request("/api/v1/messages", { token: agent, body: { to: "hitl", subject: "Multi-line", body } });
    expect(res.status).toBe(201);
    expect((await json(res)).body).toBe(body);
  });
});
