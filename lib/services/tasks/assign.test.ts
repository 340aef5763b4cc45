import { describe, expect, test } from "vitest";
import { assignWork, changeInstructionPhase, createInstruction, getInstruction, getTask, listEvents, onCommitted } from "@/lib/services";
import { withTestServer } from "@/test/suite";
import { countRows, json, type TestPerson, type TestServer } from "@/test/server";
import { NARROW_AGENTS, syncWithAgents } from "@/test/memory-agents";
import { people, refusal } from "@/test/db";
import { splitText } from "./assign";

// Assign in one move (POST /api/v1/assignments): what is needed, the agent, and optionally the
// instruction; without one, a new instruction is made from the same text. One transaction.

let s: TestServer;
let rex: TestPerson;
let vi: TestPerson;
withTestServer((server) => {
  s = server;
  syncWithAgents(s.db, { "reviewer-only": NARROW_AGENTS["reviewer-only"], "quiet-worker": NARROW_AGENTS["quiet-worker"] });
  rex = s.person("reviewer");
  vi = s.person("viewer");
});

const post = (body: unknown, who: TestPerson = rex) => s.request("/api/v1/assignments", { method: "POST", cookie: who.cookie, body });

/** Sends an assignment that must be refused: status, code, field, and not a row written anywhere. */
async function refused(body: unknown, status: number, code: string, field?: string, who: TestPerson = rex) {
  const before = countRows(s.db);
  const res = await post(body, who);
  const problem = await json(res);
  expect(res.status, JSON.stringify(problem)).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(problem.code).toBe(code);
  if (field) expect(Object.keys(problem.fields ?? {})).toContain(field);
  expect(countRows(s.db)).toEqual(before);
  return problem;
}

describe("splitText", () => {
  test("the first line with visible text is the title, the rest the description", () => {
    expect(splitText("\n  Add a CSV export  \n\nColumns: id, total\nUTF-8.")).toEqual({ title: "Add a CSV export", description: "Columns: id, total\nUTF-8." });
    expect(splitText("One line")).toEqual({ title: "One line", description: "" });
    expect(splitText("Tabs\tin\u0007the title\r\nrest")).toEqual({ title: "Tabs in the title", description: "rest" });
  });

  test("a first line over 200 characters is cut with an ellipsis and kept whole in the description", () => {
    const long = "word ".repeat(60).trim();
    const { title, description } = splitText(`${long}\nmore`);
    expect(title.length).toBeLessThanOrEqual(200);
    expect(title.endsWith("…")).toBe(true);
    expect(description).toBe(`${long}\n\nmore`);
  });
});

describe("POST /api/v1/assignments", () => {
  test("without an instruction: a new one from the same text, the task in it, both events, one commit told to the live stream", async () => {
    const told: number[] = [];
    const stop = onCommitted((id) => told.push(id));
    const before = countRows(s.db);
    const res = await post({ text: "Export orders as CSV\n\nColumns: id, total, date.", assignedAgent: "backend-developer", priority: "high" });
    stop();
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.instructionCreated).toBe(true);
    expect(body.task).toMatchObject({ title: "Export orders as CSV", description: "Columns: id, total, date.", assignedAgent: "backend-developer", priority: "high", status: "pending", ref: "T1" });
    expect(body.task.instructionId).toBe(body.instructionId);

    const inst = getInstruction(s.ctx(rex.actor), body.instructionId);
    expect(inst).toMatchObject({ title: "Export orders as CSV", body: "Columns: id, total, date.", priority: "high", phase: "executing" });
    expect(getTask(s.ctx(rex.actor), body.task.id).steps.length).toBeGreaterThan(0);

    const after = countRows(s.db);
    expect(after.instructions - before.instructions).toBe(1);
    expect(after.tasks - before.tasks).toBe(1);
    const events = listEvents(s.ctx(rex.actor), { instructionId: body.instructionId, limit: 10 });
    expect(events.map((e) => e.verb).sort()).toEqual(["instruction.created", "instruction.phase_changed", "task.created"]);
    expect(new Set(events.map((e) => JSON.stringify(e.actor))).size).toBe(1);
    expect(told).toEqual([Math.max(...events.map((e) => e.id))]);
  });

  test("with an instruction: the task joins it and no instruction is made; a tier is refused there", async () => {
    const inst = createInstruction(s.ctx(rex.actor), { title: "Existing" });
    const before = countRows(s.db);
    const res = await post({ text: "Second piece", assignedAgent: "frontend-developer", instructionId: inst.id, type: "modify", acceptanceCriteria: ["It works"] });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body).toMatchObject({ instructionId: inst.id, instructionCreated: false, task: { title: "Second piece", type: "modify", acceptanceCriteria: ["It works"] } });
    expect(countRows(s.db).instructions).toBe(before.instructions);
    await refused({ text: "x", assignedAgent: "frontend-developer", instructionId: inst.id, tier: 2 }, 422, "validation_failed", "tier");
  });

  test("viewers are refused, and so is an agent token", async () => {
    await refused({ text: "Not allowed", assignedAgent: "backend-developer" }, 403, "forbidden", undefined, vi);
    const token = s.agentToken("backend-developer").token;
    const before = countRows(s.db);
    const res = await s.request("/api/v1/assignments", { method: "POST", token, body: { text: "Me too", assignedAgent: "backend-developer" } });
    expect(res.status).toBe(403);
    expect(countRows(s.db)).toEqual(before);
  });

  test("bad input: nothing written, the error on the field", async () => {
    await refused({ text: "   \n\u200b ", assignedAgent: "backend-developer" }, 422, "validation_failed", "text");
    await refused({ assignedAgent: "backend-developer" }, 422, "validation_failed", "text");
    await refused({ text: "Who?", assignedAgent: "" }, 422, "validation_failed", "assignedAgent");
    await refused({ text: "Who?", assignedAgent: "nobody-here" }, 422, "validation_failed", "assignedAgent");
    await refused({ text: "x", assignedAgent: "backend-developer", title: "not a field" }, 422, "validation_failed", "title");
    await refused({ text: "x", assignedAgent: "backend-developer", priority: "whenever" }, 422, "validation_failed", "priority");
    await refused({ text: "Hidden \u202eright-to-left", assignedAgent: "backend-developer" }, 422, "validation_failed", "text");
    await refused({ text: "x", assignedAgent: "backend-developer", instructionId: "inst_19990101_001" }, 404, "not_found");
    // A dependency can only be on a task of the same instruction: a new one has none (the instruction is rolled back too).
    await refused({ text: "x", assignedAgent: "backend-developer", dependsOn: ["T1"] }, 422, "validation_failed", "dependsOn");
  });

  test("Memory Ownership: an agent that does not work on tasks is refused on assignedAgent, and the new instruction is not kept", async () => {
    const problem = await refused({ text: "Review the API", assignedAgent: "reviewer-only" }, 422, "validation_failed", "assignedAgent");
    expect(problem.fields.assignedAgent[0]).toMatch(/Memory Ownership of reviewer-only/);
    const res = await post({ text: "Quiet work", assignedAgent: "quiet-worker" });
    expect(res.status).toBe(201);
  });

  test("a failed instruction takes no more tasks (409), as createTask says", async () => {
    const inst = createInstruction(s.ctx(rex.actor), { title: "Doomed" });
    changeInstructionPhase(s.ctx(rex.actor), { id: inst.id, phase: "failed" });
    await refused({ text: "Too late", assignedAgent: "backend-developer", instructionId: inst.id }, 409, "illegal_transition");
  });
});

test("the verb refuses viewers before reading anything, like createTask", () => {
  const err = refusal(() => assignWork(s.ctx(people.viewer), { text: "x", assignedAgent: "backend-developer" }));
  expect(err.code).toBe("forbidden");
});
