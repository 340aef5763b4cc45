import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AgentDefinition, formatAgentProblem, MAX_DEFINITION_BYTES } from "./definition";
import { parseAgentDefinition } from "./parse";

// Beside the repository both here and in CI.
const SAMPLES = path.resolve(process.cwd(), "../shared/agents-sample");
const SEED = path.resolve(process.cwd(), "agents/backend-developer.md");

function parseFile(file: string): AgentDefinition {
  const result = parseAgentDefinition(fs.readFileSync(file, "utf8"), file);
  expect(result.problems).toEqual([]);
  expect(result.definition).toBeDefined();
  return result.definition!;
}

function parseText(text: string, sourcePath = "agents/fixture.md") {
  return parseAgentDefinition(text, sourcePath);
}

function parseOk(text: string, sourcePath = "agents/fixture.md"): AgentDefinition {
  const result = parseText(text, sourcePath);
  expect(result.problems).toEqual([]);
  return result.definition!;
}

const front = (extra = "") => `---\nname: fixture\n${extra}---\n`;

describe("parseAgentDefinition on the real sample files", () => {
  it("architect.md: long-form Response Approach with 10 steps and full guidance", () => {
    const def = parseFile(path.join(SAMPLES, "architect.md"));
    expect(def.name).toBe("architect");
    expect(def.title).toBe("Architect Agent");
    expect(def.tier).toBe("controller");
    expect(def.model).toBe("opus");
    expect(def.stepsSource).toBe("response_approach");
    expect(def.steps).toHaveLength(10);
    expect(def.steps.map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(def.steps[0]!.title).toBe("Understand requirements and constraints");
    expect(def.steps[0]!.guidance).toMatch(/^Gather functional requirements \(what the system must do\)/);
    expect(def.steps[0]!.guidance).toMatch(/team skills, existing systems\)\.$/);
    expect(def.steps[9]!.title).toBe("Update knowledge base and patterns");
    expect(def.steps[9]!.guidance).toContain("`_knowledge/procedural/`");
    // The intro line and the numbered "Example Interactions" lists are not steps.
    expect(def.steps.some((s) => s.title.includes("When you receive"))).toBe(false);
    expect(def.steps.some((s) => s.title.includes("✅"))).toBe(false);
    expect(def.capabilities).toHaveLength(30);
    expect(def.capabilities[0]).toBe("system_design");
    expect(def.extra.coordination_style).toBe("question_based");
    expect(def.extra.typical_questions).toHaveLength(3);
    expect(def.extra).not.toHaveProperty("name");
  });

  it("architect.md: bold-label Memory Ownership with paths and notes", () => {
    const def = parseFile(path.join(SAMPLES, "architect.md"));
    expect(def.memory.reads).toHaveLength(5);
    expect(def.memory.writes).toHaveLength(5);
    expect(def.memory.reads[0]).toEqual({
      path: "Agent_Memory/{instruction_id}/instruction.yaml",
      note: "Original request and requirements",
    });
    expect(def.memory.writes[0]).toEqual({
      path: "Agent_Memory/{instruction_id}/decisions/architect_*.yaml",
      note: "Architecture Decision Records (ADRs)",
    });
  });

  it("tech-lead.md: 10 steps and bold-label memory", () => {
    const def = parseFile(path.join(SAMPLES, "tech-lead.md"));
    expect(def.name).toBe("tech-lead");
    expect(def.steps).toHaveLength(10);
    expect(def.steps[0]!.title).toBe("Assess the request scope and impact");
    expect(def.steps[9]!.title).toBe("Document decisions and broadcast updates");
    expect(def.steps[6]!.guidance).toMatch(/^Track task completion via TodoWrite/);
    expect(def.memory.reads).toContainEqual({
      path: "Agent_Memory/{instruction_id}/tasks/",
      note: "All task states (pending, in_progress, completed, blocked)",
    });
    expect(def.memory.reads).toHaveLength(5);
    expect(def.memory.writes).toHaveLength(4);
    expect(def.memory.writes.map((w) => w.path)).toContain("Agent_Memory/_communication/broadcast/");
  });

  it("frontend-developer/SKILL.md: short style, 9 steps, ### memory shape, tools split", () => {
    const def = parseFile(path.join(SAMPLES, "frontend-developer/SKILL.md"));
    expect(def.name).toBe("frontend-developer");
    expect(def.steps).toHaveLength(9);
    expect(def.steps[0]).toEqual({
      position: 1,
      title: "Understand requirements",
      guidance: "Read design specs, user stories",
    });
    expect(def.steps[8]).toEqual({ position: 9, title: "Document", guidance: "Props, usage examples" });
    expect(def.tools).toEqual(["Read", "Grep", "Glob", "Write", "Bash", "TodoWrite"]);
    expect(def.capabilities).toHaveLength(8);
    expect(def.memory.reads).toEqual([
      { path: "Agent_Memory/{instruction_id}/tasks/" },
      { path: "Design files, Figma specs" },
    ]);
    expect(def.memory.writes).toEqual([
      { path: "Agent_Memory/{instruction_id}/outputs/partial/" },
      { path: "Component implementations" },
    ]);
    expect(def.resources).toEqual([
      "resources/component-patterns.md",
      "resources/accessibility-guide.md",
      "resources/performance-tips.md",
    ]);
  });

  it("security-specialist/SKILL.md: no Response Approach, steps from Review Priorities", () => {
    const def = parseFile(path.join(SAMPLES, "security-specialist/SKILL.md"));
    expect(def.stepsSource).toBe("review_priorities");
    expect(def.steps).toHaveLength(5);
    expect(def.steps[0]).toEqual({
      position: 1,
      title: "Authentication",
      guidance: "Password hashing, token security",
    });
    expect(def.steps[4]!.title).toBe("Secrets");
    expect(def.memory.reads).toEqual([
      { path: "Code files for security review" },
      { path: "Agent_Memory/_communication/inbox/security-specialist/" },
    ]);
    expect(def.memory.writes).toEqual([{ path: "Agent_Memory/{instruction_id}/reviews/security_review_*.yaml" }]);
    expect(def.color).toBe("bright_white");
  });
});

describe("parseAgentDefinition on the backend-developer seed", () => {
  const text = fs.readFileSync(SEED, "utf8");
  const def = parseOk(text, SEED);

  it("has exactly the 10 Response Approach steps", () => {
    expect(def.steps).toHaveLength(10);
    expect(def.steps[0]!.title).toBe("Understand requirements");
    expect(def.steps[3]).toEqual({ position: 4, title: "Consult frontend", guidance: "On API contract and data shape" });
    expect(def.steps[7]!.title).toBe("Request security review");
    expect(def.steps[9]).toEqual({ position: 10, title: "Document", guidance: "API endpoints with examples" });
  });

  it("keeps front matter, resources, memory, body and a content hash", () => {
    expect(def.name).toBe("backend-developer");
    expect(def.description).toMatch(/^Backend specialist/);
    expect(def.tier).toBe("execution");
    expect(def.domain).toBe("make");
    expect(def.model).toBe("sonnet");
    expect(def.color).toBe("bright_yellow");
    expect(def.capabilities).toHaveLength(8);
    expect(def.tools).toHaveLength(6);
    expect(def.extra).toEqual({});
    expect(def.resources).toEqual([
      "resources/api-patterns.md",
      "resources/database-optimization.md",
      "resources/examples.md",
    ]);
    expect(def.memory.reads.map((r) => r.path)).toEqual([
      "Agent_Memory/{instruction_id}/tasks/",
      "Agent_Memory/_communication/inbox/backend-developer/",
    ]);
    expect(def.memory.writes.map((w) => w.path)).toEqual([
      "Agent_Memory/{instruction_id}/outputs/partial/",
      "Agent_Memory/_communication/inbox/{agent}/",
    ]);
    expect(def.title).toBe("Backend Developer Agent");
    expect(def.body.startsWith("\n# Backend Developer Agent") || def.body.startsWith("# Backend Developer Agent")).toBe(true);
    expect(def.body).not.toContain("tier: execution");
    expect(def.sourcePath).toBe(SEED);
    expect(def.contentHash).toBe(createHash("sha256").update(text).digest("hex"));
    expect(AgentDefinition.parse(def)).toEqual(def);
  });

  it("changes the hash when the text changes", () => {
    const changed = parseOk(text.replace("Pragmatic", "Practical"), SEED);
    expect(changed.contentHash).not.toBe(def.contentHash);
  });
});

describe("Response Approach styles", () => {
  it("short style: **Title** - guidance", () => {
    const def = parseOk(
      `${front()}\n## Response Approach\n\n1. **Read** - The spec\n2. **Build** — With tests\n3. **Ship** – Carefully\n`,
    );
    expect(def.steps).toEqual([
      { position: 1, title: "Read", guidance: "The spec" },
      { position: 2, title: "Build", guidance: "With tests" },
      { position: 3, title: "Ship", guidance: "Carefully" },
    ]);
  });

  it("long form: intro line, blank-separated items, continuation lines and trailing text", () => {
    const text = `${front()}
## Response Approach

When you receive a request:

1. **Understand the ask** - First paragraph of guidance
that wraps onto a second line.

2. **Plan** - Decide the approach.
   - indented detail one
   - indented detail two

Paragraph between items that belongs to step 2.

3. **Deliver** - Hand it over.

See @resources/delivery.md for more.

## Behavioral Traits

1. **Not a step** - ignored
`;
    const def = parseOk(text);
    expect(def.steps.map((s) => s.title)).toEqual(["Understand the ask", "Plan", "Deliver"]);
    expect(def.steps[0]!.guidance).toBe("First paragraph of guidance\nthat wraps onto a second line.");
    expect(def.steps[1]!.guidance).toBe(
      "Decide the approach.\n- indented detail one\n- indented detail two\n\nParagraph between items that belongs to step 2.",
    );
    expect(def.steps[2]!.guidance).toBe("Hand it over.");
    expect(def.resources).toEqual(["resources/delivery.md"]);
  });

  it("plain style: dash, colon, bold-colon, bare titles and 1) numbering", () => {
    const text = `${front()}
## Response Approach
1. Gather context - read the task
2) Check constraints: budget and time
3. **Decide**: pick one option
4. **Record:** write it down
5. Celebrate
6. Follow up on https://example.com/a:b - later
`;
    const def = parseOk(text);
    expect(def.steps).toEqual([
      { position: 1, title: "Gather context", guidance: "read the task" },
      { position: 2, title: "Check constraints", guidance: "budget and time" },
      { position: 3, title: "Decide", guidance: "pick one option" },
      { position: 4, title: "Record", guidance: "write it down" },
      { position: 5, title: "Celebrate", guidance: "" },
      { position: 6, title: "Follow up on https://example.com/a:b", guidance: "later" },
    ]);
  });

  it("renumbers positions and does not take nested numbered lists for steps", () => {
    const text = `${front()}
## Response Approach
1. **One** - a
   1. nested sub-step
   2. another sub-step
1. **Two** - b
1. **Three** - c
`;
    const def = parseOk(text);
    expect(def.steps.map((s) => [s.position, s.title])).toEqual([
      [1, "One"],
      [2, "Two"],
      [3, "Three"],
    ]);
    expect(def.steps[0]!.guidance).toBe("a\n1. nested sub-step\n2. another sub-step");
  });

  it("ignores headings, rules and numbers inside fenced code", () => {
    const text = `${front()}
\`\`\`yaml
# not the title
\`\`\`

# Real Title

## Response Approach

1. **Write config** - like this:
   \`\`\`yaml
   ---
   ## still guidance
   2. not a step
   \`\`\`
2. **Apply** - done
`;
    const def = parseOk(text);
    expect(def.title).toBe("Real Title");
    expect(def.steps.map((s) => s.title)).toEqual(["Write config", "Apply"]);
    expect(def.steps[0]!.guidance).toContain("## still guidance");
  });

  it("stops the section at a --- rule", () => {
    const def = parseOk(`${front()}\n## Response Approach\n\n1. **A** - a\n\n---\n\n2. **B** - after the rule\n`);
    expect(def.steps.map((s) => s.title)).toEqual(["A"]);
  });

  it("falls back to ## Workflow and records its slug", () => {
    const def = parseOk(`${front()}\n## Workflow\n\n1. Plan\n2. Do\n`);
    expect(def.stepsSource).toBe("workflow");
    expect(def.steps.map((s) => s.title)).toEqual(["Plan", "Do"]);
  });

  it("prefers Response Approach over a fallback section", () => {
    const def = parseOk(`${front()}\n## Process\n\n1. Not this\n\n## Response Approach\n\n1. This\n`);
    expect(def.stepsSource).toBe("response_approach");
    expect(def.steps.map((s) => s.title)).toEqual(["This"]);
  });

  it("has no steps and a null source without any procedure section", () => {
    const def = parseOk(`${front()}\n# Agent\n\n## Notes\n\n1. just a list\n`);
    expect(def.steps).toEqual([]);
    expect(def.stepsSource).toBeNull();
  });

  it("warns about a Response Approach with no numbered steps", () => {
    const result = parseText(`${front()}\n## Response Approach\n\nWe improvise.\n`);
    expect(result.definition?.steps).toEqual([]);
    expect(result.problems).toEqual([
      { file: "agents/fixture.md", message: "the Response Approach section has no numbered steps", severity: "warning" },
    ]);
  });
});

describe("front matter fields", () => {
  it("accepts capabilities as a comma string and tools as a YAML list", () => {
    const def = parseOk(front("capabilities: a, b ,, c, a\ntools:\n  - Read\n  - Bash\n"));
    expect(def.capabilities).toEqual(["a", "b", "c"]);
    expect(def.tools).toEqual(["Read", "Bash"]);
  });

  it("reads YAML 1.2, not js-yaml 1.1", () => {
    const def = parseOk(front("model: sonnet\nenabled: no\nat: 1:30\n"));
    expect(def.extra).toEqual({ enabled: "no", at: "1:30" });
  });

  it("collects unique @resources references without trailing punctuation", () => {
    const def = parseOk(`${front()}\nSee @resources/a.md. Also @resources/b/c.md, and (@resources/a.md); mail x@resources/no.md\n`);
    expect(def.resources).toEqual(["resources/a.md", "resources/b/c.md"]);
  });

  it("strips a byte order mark and accepts CRLF line endings", () => {
    const def = parseOk("\uFEFF---\r\nname: crlf\r\n---\r\n## Response Approach\r\n\r\n1. **A** - a\r\n2. **B** - b\r\n");
    expect(def.name).toBe("crlf");
    expect(def.steps.map((s) => s.guidance)).toEqual(["a", "b"]);
  });
});

describe("names", () => {
  it("falls back to the file name with a warning when name is missing", () => {
    const result = parseText("---\ndescription: x\n---\n# X\n", "/tmp/agents/qa-lead.md");
    expect(result.definition?.name).toBe("qa-lead");
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.severity).toBe("warning");
    expect(result.problems[0]!.message).toContain('"qa-lead"');
  });

  it("falls back to the folder name for SKILL.md", () => {
    const result = parseText("---\nname: ''\n---\n", "/tmp/agents/planner/SKILL.md");
    expect(result.definition?.name).toBe("planner");
    expect(result.problems.map((p) => p.severity)).toEqual(["warning"]);
  });

  it.each(["../evil", "a/b", "Evil", "-dash", ".hidden", "a".repeat(65), "sp ace"])(
    "rejects the name %j",
    (name) => {
      const result = parseText(`---\nname: ${JSON.stringify(name)}\n---\n`);
      expect(result.definition).toBeUndefined();
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.severity).toBe("error");
      expect(result.problems[0]!.message).toContain("is not a valid agent name");
    },
  );

  it("rejects a fallback file name that is not a valid name", () => {
    const result = parseText("---\ntier: x\n---\n", "agents/Bad Name.md");
    expect(result.definition).toBeUndefined();
    expect(result.problems[0]!.message).toContain("no name");
  });

  it("trims the name", () => {
    expect(parseOk("---\nname: '  tidy  '\n---\n").name).toBe("tidy");
  });
});

describe("malformed files", () => {
  function expectError(text: string, pattern: RegExp) {
    const result = parseText(text, "agents/foo.md");
    expect(result.definition).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.file).toBe("agents/foo.md");
    expect(result.problems[0]!.severity).toBe("error");
    expect(result.problems[0]!.message).toMatch(pattern);
    return result.problems[0]!;
  }

  it("reports invalid YAML with the file line", () => {
    const problem = expectError("---\nname: foo\ncapabilities: [a, b\ntools: Read\n---\n", /^front matter is not valid YAML \(line \d+: .+\)$/);
    expect(problem.message).not.toContain("\n");
    expect(formatAgentProblem(problem)).toMatch(/^agents\/foo\.md: front matter is not valid YAML/);
  });

  it("reports the file line of the YAML error", () => {
    expectError("---\nname: foo\ntier: x\nmodel: a: b\ntools: [Read\n---\n", /\(line 4: /);
    expectError("---\nname: foo\ntier: \"open\n---\n", /\(line 3: /);
  });

  it("reports duplicate keys", () => {
    expectError("---\nname: foo\nname: bar\n---\n", /not valid YAML/);
  });

  it("rejects front matter that is not a mapping", () => {
    expectError("---\n- a\n- b\n---\n", /not a mapping .*a list/);
    expectError("---\njust words\n---\n", /not a mapping .*a string/);
  });

  it("rejects capabilities and tools of the wrong type", () => {
    expectError(front("capabilities:\n  a: 1\n"), /^capabilities must be a list or a comma-separated string, not a mapping$/);
    expectError(front("tools: 7\n"), /^tools must be a list/);
    expectError(front("capabilities:\n  - ok\n  - {nested: true}\n"), /^capabilities item 2 must be text/);
    expectError(front("description:\n  - a\n"), /^description must be text/);
  });

  it("rejects a file over 1 MiB", () => {
    expectError(front() + "x".repeat(MAX_DEFINITION_BYTES), /larger than 1 MiB/);
  });

  it("rejects a file without front matter, or with unclosed front matter", () => {
    expectError("# Just markdown\n", /no YAML front matter/);
    expectError("---\nname: foo\n# no closing line\n", /not closed/);
  });

  it("never evaluates JavaScript front matter", () => {
    const g = globalThis as { __agentdeskPwned?: boolean };
    expectError("---js\n{ name: (globalThis.__agentdeskPwned = true, 'x') }\n---\n", /must be YAML/);
    expect(g.__agentdeskPwned).toBeUndefined();
  });

  it("limits YAML alias expansion", () => {
    // MAX_ALIAS_COUNT (lib/protocol/yaml.ts) is 100, as for every YAML the app reads.
    const aliases = Array.from({ length: 120 }, () => "  - *a").join("\n");
    expectError(`---\nname: foo\nbase: &a [1, 2]\nmany:\n${aliases}\n---\n`, /^front matter is not valid YAML \(.*alias/i);
  });
});
