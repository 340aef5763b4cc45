import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, system } from "@/test/db";
import { loadAgentDefinitions } from "@/lib/agents";
import * as s from "@/lib/services";
import { ServiceError } from "../errors";
import { agentWorkflows, stepsNote } from "./task-steps";
import { exec, one } from "@/test/sql";

// Definitions with several alternative workflows (lib/agents/workflows.test.ts parses them).
const FIXTURES = path.resolve(process.cwd(), "lib/agents/fixtures/workflows");

let t: ReturnType<typeof makeTestDb>;
let instructionId: string;
const rex = () => t.ctx(people.reviewer);
const agentRow = (name: string) => t.db.query.agents.findFirst({ where: (a, { eq }) => eq(a.name, name) });

beforeEach(() => {
  t = makeTestDb();
  // The repository's agents and the fixtures together, as AGENTS_DIR=agents:fixtures would load them.
  const { agents } = loadAgentDefinitions([path.resolve("agents"), FIXTURES]);
  s.syncAgents({ db: t.db, actor: system }, agents, { roots: [path.resolve("agents"), FIXTURES] });
  instructionId = s.createInstruction(rex(), { title: "Support", tier: 2 }).id;
});
afterEach(() => t.cleanup());

describe("alternative workflows on the agent row and in createTask", () => {
  it("syncAgents keeps the workflows in extra.workflows; steps stay the first workflow's", async () => {
    const row = (await agentRow("support-engineer"))!;
    expect(row.steps.map((x) => x.title)).toEqual(["Reproduce", "Locate", "Fix", "Regression test", "Reply"]);
    expect(agentWorkflows(row).map((w) => [w.name, w.steps.length])).toEqual([
      ["Bug report", 5],
      ["Feature request", 5],
      ["Data fix", 5],
      ["Question", 5],
    ]);
    // A single procedure stores nothing extra.
    const backend = (await agentRow("backend-developer"))!;
    expect(backend.extra).toEqual({});
    expect(agentWorkflows(backend)).toEqual([]);
    // The agent as the API gives it carries them too.
    expect((s.getAgent(rex(), "support-engineer").extra as { workflows: unknown[] }).workflows).toHaveLength(4);
    // Pickers get the names only.
    expect(s.agentSummary(s.getAgent(rex(), "support-engineer")).workflows).toEqual(["Bug report", "Feature request", "Data fix", "Question"]);
    expect(s.agentSummary(s.getAgent(rex(), "backend-developer")).workflows).toEqual([]);
  });

  it("a row synced before workflows were parsed (one long list, same file) is rewritten at the next sync, then left alone", async () => {
    const defs = loadAgentDefinitions([path.resolve("agents"), FIXTURES]).agents;
    const roots = [path.resolve("agents"), FIXTURES];
    const long = agentWorkflows((await agentRow("support-engineer"))!).flatMap((w) => w.steps);
    exec(t.db, "UPDATE agents SET steps = ?, extra = '{}' WHERE name = 'support-engineer'", JSON.stringify(long));
    expect(s.syncAgents({ db: t.db, actor: system }, defs, { roots })).toMatchObject({ updated: 1 });
    const row = (await agentRow("support-engineer"))!;
    expect(row.steps).toHaveLength(5);
    expect(agentWorkflows(row)).toHaveLength(4);
    expect(s.syncAgents({ db: t.db, actor: system }, defs, { roots })).toMatchObject({ updated: 0, unchanged: defs.length });
  });

  it("createTask: no workflow gives the first one's steps; a named workflow (any case) gives its own", () => {
    const plain = s.createTask(rex(), { instructionId, title: "Crash on save", assignedAgent: "support-engineer" });
    expect(plain.steps.map((x) => x.title)).toEqual(["Reproduce", "Locate", "Fix", "Regression test", "Reply"]);

    const data = s.createTask(rex(), { instructionId, title: "Fix the totals", assignedAgent: "support-engineer", workflow: " data FIX " });
    expect(data.steps.map((x) => [x.position, x.title])).toEqual([
      [1, "Snapshot"],
      [2, "Write the script"],
      [3, "Dry run"],
      [4, "Apply"],
      [5, "Verify"],
    ]);
    const created = one(t.db, "SELECT after FROM events WHERE verb = 'task.created' AND task_id = ?", data.id) as { after: string };
    expect(JSON.parse(created.after)).toMatchObject({ steps: 5, workflow: "Data fix" });
  });

  it("createTask: an unknown workflow is a 422 listing the ones there are; an agent with one procedure takes none", () => {
    const unknown = (() => {
      try {
        s.createTask(rex(), { instructionId, title: "x", assignedAgent: "support-engineer", workflow: "Refund" });
      } catch (e) {
        return e;
      }
    })() as ServiceError;
    expect(unknown).toBeInstanceOf(ServiceError);
    expect(unknown.status).toBe(422);
    expect(unknown.message).toBe('Agent support-engineer has no workflow "Refund" (its workflows: Bug report, Feature request, Data fix, Question)');
    expect(unknown.fields).toEqual({ workflow: [unknown.message] });
    expect(unknown.details).toEqual({ workflows: ["Bug report", "Feature request", "Data fix", "Question"] });

    expect(() => s.createTask(rex(), { instructionId, title: "x", assignedAgent: "backend-developer", workflow: "Bug report" })).toThrow(
      "Agent backend-developer has a single procedure: leave the workflow out",
    );
    // Nothing was created by the refused calls.
    expect(one(t.db, "SELECT count(*) AS n FROM tasks")).toEqual({ n: 0 });
  });

  it("stepsNote says why a task has no steps", () => {
    const agent = { active: true, steps: [{ position: 1, title: "A", guidance: "" }], stepsSource: "response_approach" };
    expect(stepsNote({ status: "pending", assignedAgent: "a" }, 3, agent)).toBeNull();
    expect(stepsNote({ status: "pending", assignedAgent: "architect" }, 0, { ...agent, active: false })).toMatch(/No definition of architect is loaded/);
    expect(stepsNote({ status: "pending", assignedAgent: "a" }, 0, { ...agent, steps: [], stepsSource: null })).toMatch(/has no numbered steps/);
    expect(stepsNote({ status: "in_progress", assignedAgent: "a" }, 0, agent)).toMatch(/keeps what it has/);
  });
});
