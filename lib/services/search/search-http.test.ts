import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { claimTask, createInstruction, createTask, sendMessage, submitOutput } from "@/lib/services";
import { system } from "@/test/db";
import { json, startTestServer, type TestServer } from "@/test/server";

/** GET /api/v1/search/all over HTTP: hostile queries are a result or a 422, never a 500; agents see their own work only. */
let s: TestServer;
let person: string;
let be: string;
let fe: string;

beforeAll(async () => {
  s = await startTestServer();
  person = s.person("viewer").token;
  be = s.agentToken("backend-developer").token;
  fe = s.agentToken("frontend-developer").token;
  const sys = { db: s.db, actor: system };
  const inst = createInstruction(sys, { title: "Wombat programme" });
  const task = createTask(sys, { instructionId: inst.id, title: "Wombat burrow", assignedAgent: "backend-developer" });
  claimTask({ db: s.db, actor: { kind: "agent", name: "backend-developer" } }, { taskId: task.id });
  submitOutput({ db: s.db, actor: { kind: "agent", name: "backend-developer" } }, { taskId: task.id, format: "text", content: "wombat output" });
  sendMessage(sys, { to: "backend-developer", body: "wombat message" });
});
afterAll(() => s.close());

const search = (query: Record<string, string>, token: string) => s.request(`/api/v1/search/all?${new URLSearchParams(query)}`, { token });

describe("GET /api/v1/search/all", () => {
  test("finds every kind for a person, with counts; an agent only its own, never instructions", async () => {
    const all = await json(await search({ q: "wombat" }, person));
    expect(all.counts).toEqual({ task: 1, output: 1, instruction: 1, message: 1 });
    expect(all.items.map((h: { kind: string }) => h.kind).sort()).toEqual(["instruction", "message", "output", "task"]);
    const mine = await json(await search({ q: "wombat" }, be));
    expect(mine.items.map((h: { kind: string }) => h.kind).sort()).toEqual(["message", "output", "task"]);
    const theirs = await json(await search({ q: "wombat" }, fe));
    expect(theirs.items).toEqual([]);
    expect(theirs.counts).toEqual({ task: 0, output: 0, instruction: 0, message: 0 });
    const filtered = await json(await search({ q: "wombat", kinds: "task,output", from: "2000-01-01", to: "2999-12-31" }, person));
    expect(filtered.items.map((h: { kind: string }) => h.kind).sort()).toEqual(["output", "task"]);
  });

  test("hostile queries answer 200 or 422, never 500", async () => {
    const hostile = ['NEAR("wombat" x', "*", '"', "'", "wombat*", "wo*", "\\", "a:b", "{title}:x", "-x", "^", "(", ")", "AND", "OR NOT", "%00", "wombat ".repeat(80), "x".repeat(501)];
    for (const q of hostile) {
      const res = await search({ q }, person);
      expect([200, 422], q).toContain(res.status);
    }
    expect((await search({ q: "x".repeat(501) }, person)).status).toBe(422);
    expect((await search({ q: "" }, person)).status).toBe(422);
    expect((await search({ q: "wombat", kinds: "task,bogus" }, person)).status).toBe(422);
    expect((await search({ q: "wombat", from: "yesterday" }, person)).status).toBe(422);
    expect((await search({ q: "wombat", cursor: "nope" }, person)).status).toBe(422);
    expect((await search({ q: "wombat", unknown: "1" }, person)).status).toBe(422);
  });
});
