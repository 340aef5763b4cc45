import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAgentDefinitions } from "./load";
import { parseAgentDefinition } from "./parse";

// Definitions whose steps section holds several numbered lists under sub-headings.
const FIXTURES = path.resolve(process.cwd(), "lib/agents/fixtures/workflows");

function parseFixture(name: string) {
  const file = path.join(FIXTURES, `${name}.md`);
  const result = parseAgentDefinition(fs.readFileSync(file, "utf8"), file);
  expect(result.problems).toEqual([]);
  return result.definition!;
}

describe("alternative workflows", () => {
  it("four lists of five under ### headings in ## Workflow are four workflows, not twenty steps", () => {
    const def = parseFixture("support-engineer");
    expect(def.stepsSource).toBe("workflow");
    expect(def.workflows.map((w) => w.name)).toEqual(["Bug report", "Feature request", "Data fix", "Question"]);
    for (const w of def.workflows) {
      expect(w.steps.map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
    }
    // `steps` stays the default procedure: the first workflow.
    expect(def.steps).toEqual(def.workflows[0]!.steps);
    expect(def.steps[0]).toEqual({ position: 1, title: "Reproduce", guidance: "Follow the steps in the ticket on a clean checkout" });
    // Neither the next heading nor the closing note leaks into a step's guidance.
    expect(def.workflows.flatMap((w) => w.steps).some((s) => /###|Notes for all/.test(s.guidance))).toBe(false);
    expect(def.workflows[3]!.steps[4]).toEqual({ position: 5, title: "Document", guidance: "Add the answer to the FAQ" });
  });

  it("Response Approach: bold headings are cleaned, deeper headings stay inside, sub-headings without a list are no workflow", () => {
    const def = parseFixture("release-manager");
    expect(def.stepsSource).toBe("response_approach");
    expect(def.workflows.map((w) => [w.name, w.steps.map((s) => s.title)])).toEqual([
      ["Regular release", ["Freeze", "Changelog", "Tag"]],
      ["Hotfix", ["Branch", "Patch", "Ship"]],
    ]);
    expect(def.steps.map((s) => s.title)).toEqual(["Freeze", "Changelog", "Tag"]);
    expect(def.steps[2]!.guidance).toBe("Tag and build");
  });

  it("phases ('### Phase 1', '### Phase 2') are one sequence, as before", () => {
    const def = parseFixture("phased-builder");
    expect(def.workflows).toEqual([]);
    expect(def.steps.map((s) => s.title)).toEqual(["Understand", "Design", "Implement", "Test"]);
  });

  it("numbering that continues across sub-headings is one sequence, as before", () => {
    const def = parseFixture("continued-numbering");
    expect(def.workflows).toEqual([]);
    expect(def.steps.map((s) => s.title)).toEqual(["Read", "Plan", "Implement", "Hand in"]);
  });

  it("a single list has no workflows; a list before the first sub-heading makes the section one procedure", () => {
    const single = parseAgentDefinition("---\nname: one\n---\n## Response Approach\n\n1. **A** - a\n2. **B** - b\n", "one.md").definition!;
    expect(single.workflows).toEqual([]);
    expect(single.steps.map((s) => s.title)).toEqual(["A", "B"]);

    const lead = parseAgentDefinition(
      "---\nname: lead\n---\n## Response Approach\n\n1. **Read** - r\n\n### When it is a bug\n\n1. **Fix** - f\n\n### When it is a feature\n\n1. **Build** - b\n",
      "lead.md",
    ).definition!;
    expect(lead.workflows).toEqual([]);
    expect(lead.steps[0]!.title).toBe("Read");
  });

  it("the same heading twice gets a suffix; a front matter key 'workflows' is reported as hidden", () => {
    const text =
      "---\nname: twice\nworkflows: mine\n---\n## Workflow\n\n### Fix\n\n1. **A** - a\n\n### Fix\n\n1. **B** - b\n";
    const result = parseAgentDefinition(text, "twice.md");
    expect(result.definition!.workflows.map((w) => w.name)).toEqual(["Fix", "Fix (2)"]);
    expect(result.problems).toEqual([expect.objectContaining({ severity: "warning", message: expect.stringContaining('"workflows"') })]);
  });

  it("the loader gives every fixture, and the repository's agents have no workflows", () => {
    const { agents, problems } = loadAgentDefinitions([FIXTURES]);
    expect(problems).toEqual([]);
    expect(agents.map((a) => [a.name, a.workflows.length])).toEqual([
      ["continued-numbering", 0],
      ["phased-builder", 0],
      ["release-manager", 2],
      ["support-engineer", 4],
    ]);
    const repo = loadAgentDefinitions([path.resolve(process.cwd(), "agents")]);
    expect(repo.agents.every((a) => a.workflows.length === 0)).toBe(true);
  });
});
