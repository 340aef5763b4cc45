import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, system } from "@/test/db";
import { loadAgentDefinitions } from "@/lib/agents";
import * as s from "@/lib/services";

// Claude Code subagent files (lib/agents/claude-code.test.ts reads them) synced as agents, as
// AGENTS_DIR=.claude/agents would have the server do.
const FIXTURES = path.resolve(process.cwd(), "lib/agents/fixtures/claude-code");

let t: ReturnType<typeof makeTestDb>;
const rex = () => t.ctx(people.reviewer);
const agentRow = (name: string) => t.db.query.agents.findFirst({ where: (a, { eq }) => eq(a.name, name) });

beforeEach(() => {
  t = makeTestDb();
});
afterEach(() => t.cleanup());

describe("Claude Code subagents as AgentDesk agents", () => {
  it("syncAgents stores them: tools, model inherit, steps and where they came from, no Memory Ownership, Claude Code's other keys in extra", async () => {
    const { agents, problems } = loadAgentDefinitions([FIXTURES]);
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    const summary = s.syncAgents({ db: t.db, actor: system }, agents, { roots: [FIXTURES] });
    // The repository's agents, synced by makeTestDb, are not in this folder: deactivated.
    expect(summary).toMatchObject({ added: 4, deactivated: 3 });

    const reviewer = (await agentRow("code-reviewer"))!;
    expect(reviewer).toMatchObject({
      active: true,
      sourcePath: "code-reviewer.md",
      tools: ["Read", "Grep", "Glob", "Bash"],
      model: "inherit",
      stepsSource: "when_invoked",
      capabilities: [],
      tier: null,
      domain: null,
      memory: { reads: [], writes: [] },
      extra: {},
    });
    expect(reviewer.steps).toHaveLength(3);
    expect((await agentRow("api-designer"))!.extra).toEqual({ permissionMode: "acceptEdits", skills: ["openapi"] });
    expect((await agentRow("doc-writer"))!).toMatchObject({ steps: [], stepsSource: null, tools: [], model: null });

    // Synced again: unchanged.
    expect(s.syncAgents({ db: t.db, actor: system }, agents, { roots: [FIXTURES] })).toMatchObject({ added: 0, updated: 0, unchanged: 4 });
  });

  it("a task for one of them gets its steps; a task for one without a procedure has none, and the task detail says why", () => {
    const { agents } = loadAgentDefinitions([FIXTURES]);
    s.syncAgents({ db: t.db, actor: system }, agents, { roots: [FIXTURES] });
    const instructionId = s.createInstruction(rex(), { title: "Docs and review", tier: 2 }).id;

    const review = s.createTask(rex(), { instructionId, title: "Review the login change", assignedAgent: "code-reviewer" });
    expect(review.steps.map((x) => [x.position, x.title, x.status])).toEqual([
      [1, "Run git diff to see recent changes", "pending"],
      [2, "Focus on modified files", "pending"],
      [3, "Begin review immediately", "pending"],
    ]);
    expect(s.getTask(rex(), review.id).stepsNote).toBeNull();

    const docs = s.createTask(rex(), { instructionId, title: "Document the export", assignedAgent: "doc-writer" });
    expect(docs.steps).toEqual([]);
    expect(s.getTask(rex(), docs.id).stepsNote).toBe("The definition of doc-writer has no numbered steps (no Response Approach or Workflow list).");
  });
});
