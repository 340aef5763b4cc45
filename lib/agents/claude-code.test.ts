import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { claudeCodeColor, EXPORT_MARKER, exportClaudeCodeAgents, isExported, toClaudeCodeSubagent } from "./claude-code";
import { loadAgentDefinitions } from "./load";
import { numberResponseApproach, parseAgentDefinition } from "./parse";
import type { AgentDefinition } from "./definition";

// Files in Claude Code's subagent format (.claude/agents/<name>.md), as Claude Code reads them: see
// the comment at the top of claude-code.ts for where the format was checked.
const FIXTURES = path.resolve(process.cwd(), "lib/agents/fixtures/claude-code");
const REPO_AGENTS = path.resolve(process.cwd(), "agents");
const WORKFLOWS = path.resolve(process.cwd(), "lib/agents/fixtures/workflows");

const temps: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-cc-"));
  temps.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const parseOk = (text: string, file = "/x/agent.md") => {
  const r = parseAgentDefinition(text, file);
  expect(r.problems.filter((p) => p.severity === "error")).toEqual([]);
  return r.definition!;
};

describe("Claude Code subagent files (AGENTS_DIR=.claude/agents)", () => {
  const { agents, problems } = loadAgentDefinitions([FIXTURES]);
  const byName = Object.fromEntries(agents.map((a) => [a.name, a]));

  it("loads every file; the one warning is the unquoted description Claude Code also accepts", () => {
    expect(agents.map((a) => a.name)).toEqual(["api-designer", "code-reviewer", "debugger", "doc-writer"]);
    expect(problems).toEqual([
      {
        file: path.join(FIXTURES, "debugger.md"),
        severity: "warning",
        message: expect.stringMatching(/^front matter is not valid YAML as written; read as Claude Code reads it, with the value of description taken as text/),
      },
    ]);
  });

  it("code-reviewer (the documentation's example): tools as a comma string, model inherit, steps from 'When invoked:'", () => {
    const a = byName["code-reviewer"]!;
    expect(a.tools).toEqual(["Read", "Grep", "Glob", "Bash"]);
    expect(a.model).toBe("inherit");
    expect(a.color).toBeNull();
    expect(a.stepsSource).toBe("when_invoked");
    expect(a.steps).toEqual([
      { position: 1, title: "Run git diff to see recent changes", guidance: "" },
      { position: 2, title: "Focus on modified files", guidance: "" },
      { position: 3, title: "Begin review immediately", guidance: "" },
    ]);
    // No AgentDesk sections: no capabilities, tier or domain, default Memory Ownership, no title.
    expect(a).toMatchObject({ capabilities: [], tier: null, domain: null, title: null, memory: { reads: [], writes: [] }, resources: [], workflows: [], extra: {} });
    expect(a.body).toContain("You are a senior code reviewer");
  });

  it("api-designer: tools as a YAML list, a Response Approach, Claude Code's other keys kept in extra", () => {
    const a = byName["api-designer"]!;
    expect(a.tools).toEqual(["Read", "Write", "Grep", "WebFetch"]);
    expect(a).toMatchObject({ model: "sonnet", color: "blue", title: "API Designer", stepsSource: "response_approach" });
    expect(a.description).toBe("REST and GraphQL API designer. Use when: a new endpoint, a breaking change, or an API review is needed.");
    expect(a.steps.map((s) => s.title)).toEqual(["Read the request", "Survey existing endpoints", "Draft the contract", "Review compatibility", "Hand over"]);
    expect(a.extra).toEqual({ permissionMode: "acceptEdits", skills: ["openapi"] });
  });

  it("debugger: '\\n' in the description is a line break, a comma inside parentheses does not split tools, steps from ## Workflow", () => {
    const a = byName["debugger"]!;
    expect(a.description).toBe("Debugging specialist for errors, test failures, and unexpected behavior.\n\n<example>\nuser: the build fails on CI\nassistant: I will use the debugger agent\n</example>");
    expect(a.tools).toEqual(["Read", "Edit", "Bash(git diff, git log)", "Grep"]);
    expect(a).toMatchObject({ model: "opus", color: "orange", stepsSource: "workflow" });
    expect(a.steps.map((s) => s.title)).toEqual(["Capture", "Reproduce", "Isolate", "Fix", "Verify"]);
    expect(a.steps[1]!.guidance).toBe("Identify the smallest reproduction\nWrite it down as a failing test when you can.");
  });

  it("doc-writer: no tools (all of them), no model, no procedure: no steps (a numbered list of rules is not one)", () => {
    const a = byName["doc-writer"]!;
    expect(a).toMatchObject({ tools: [], model: null, color: null, steps: [], stepsSource: null, workflows: [] });
  });

  it("tools '*' is every tool, model INHERIT is inherit, '**Workflow:**' and '### Process' label a list, a later list does not join it", () => {
    const star = parseOk("---\nname: star\ndescription: d\ntools: '*'\nmodel: INHERIT\n---\nBody\n");
    expect(star.tools).toEqual([]);
    expect(star.model).toBe("inherit");

    const bold = parseOk("---\nname: b\ndescription: d\n---\nIntro.\n\n**Workflow:**\n\n1. First - one\n2. Second\n\nOutput format:\n1. Summary\n2. Details\n");
    expect(bold.stepsSource).toBe("workflow");
    expect(bold.steps.map((s) => s.title)).toEqual(["First", "Second"]);

    const sub = parseOk("---\nname: c\ndescription: d\n---\n## Instructions\n\n### Review process\n\n1. Read\n\n   Carefully.\n\n2. Comment\n\n### Tone\n\n1. Kind\n");
    expect(sub.stepsSource).toBe("review_process");
    expect(sub.steps).toEqual([
      { position: 1, title: "Read", guidance: "Carefully." },
      { position: 2, title: "Comment", guidance: "" },
    ]);

    // A list in fenced code under a label is not a procedure.
    expect(parseOk("---\nname: f\ndescription: d\n---\nWhen invoked:\n```\n1. not a step\n```\n").steps).toEqual([]);
  });
});

describe("toClaudeCodeSubagent", () => {
  const base: Pick<AgentDefinition, "name" | "title" | "description" | "model" | "color" | "tools" | "body"> = {
    name: "writer",
    title: "Writer Agent",
    description: "Writes: things, with \"quotes\" and # hashes",
    model: null,
    color: null,
    tools: [],
    body: "# Writer Agent\n\nHello.\n",
  };

  it("writes name and description, tools as a comma string only when listed, model when set, color when it maps", () => {
    const plain = toClaudeCodeSubagent(base);
    expect(plain).toBe(`---\n${EXPORT_MARKER}\nname: writer\ndescription: 'Writes: things, with "quotes" and # hashes'\n---\n\n# Writer Agent\n\nHello.\n`);
    const full = toClaudeCodeSubagent({ ...base, tools: ["Read", "Bash(git add, git commit)"], model: "inherit", color: "bright_yellow" }, { source: "agents/writer.md" });
    expect(full.split("\n").slice(0, 7)).toEqual([
      "---",
      `${EXPORT_MARKER} from agents/writer.md; edit that file and export again`,
      "name: writer",
      "description: 'Writes: things, with \"quotes\" and # hashes'",
      "tools: Read, Bash(git add, git commit)",
      "model: inherit",
      "color: yellow",
    ]);
    // Claude Code refuses a file without a description: the title (else the name) stands in.
    expect(toClaudeCodeSubagent({ ...base, description: null })).toContain("\ndescription: Writer Agent\n");
    expect(toClaudeCodeSubagent({ ...base, description: null, title: null })).toContain("\ndescription: writer agent\n");
    expect(isExported(full)).toBe(true);
    expect(isExported("---\nname: writer\n---\n")).toBe(false);
  });

  it("maps AgentDesk's terminal colors onto Claude Code's eight", () => {
    expect(["bright_yellow", "bright_red", "Blue", "magenta", "cyan", "bright_white", "black", null].map((c) => claudeCodeColor(c))).toEqual(["yellow", "red", "blue", "purple", "cyan", null, null, null]);
  });

  it("numbers a bulleted Response Approach (same steps), leaves a numbered one and the rest alone", () => {
    const body = "# A\n\n## Response Approach\n\n- **Read** - the brief\n  more on reading\n- **Write** - it\n\n## Notes\n\n- not a step\n";
    const numbered = numberResponseApproach(body);
    expect(numbered).toBe("# A\n\n## Response Approach\n\n1. **Read** - the brief\n  more on reading\n2. **Write** - it\n\n## Notes\n\n- not a step\n");
    const before = parseOk(`---\nname: a\n---\n${body}`);
    const after = parseOk(`---\nname: a\n---\n${numbered}`);
    expect(after.steps).toEqual(before.steps);
    expect(numberResponseApproach(numbered)).toBe(numbered);
    expect(numberResponseApproach("No procedure.\n")).toBe("No procedure.\n");
  });
});

describe("exportClaudeCodeAgents", () => {
  const key = (a: AgentDefinition) => ({ name: a.name, description: a.description, steps: a.steps, workflows: a.workflows, tools: a.tools, model: a.model, memory: a.memory });

  it("round trip: the repository's agents, the workflow fixtures and the Claude Code files load back with the same names, descriptions and steps", () => {
    const source = loadAgentDefinitions([REPO_AGENTS, WORKFLOWS, FIXTURES]);
    const dir = tempDir();
    const result = exportClaudeCodeAgents(source.agents, dir);
    expect(result.refused).toEqual([]);
    expect(result.written.map((f) => path.basename(f))).toEqual(source.agents.map((a) => `${a.name}.md`));

    const back = loadAgentDefinitions([dir]);
    expect(back.problems).toEqual([]);
    expect(back.agents.map(key)).toEqual(source.agents.map(key));
    // Every file has what Claude Code requires, and colors it knows.
    for (const a of back.agents) {
      expect(a.description).toBeTruthy();
      expect(a.color === null || ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"].includes(a.color)).toBe(true);
    }
    expect(fs.readFileSync(path.join(dir, "backend-developer.md"), "utf8")).toMatch(/\ntools: Read, Grep, Glob, Write, Bash, TodoWrite\nmodel: sonnet\ncolor: yellow\n---\n\n# Backend Developer Agent\n/);

    // Again: nothing to write.
    expect(exportClaudeCodeAgents(source.agents, dir)).toEqual({ written: [], unchanged: result.written, refused: [] });
  });

  it("replaces its own files, refuses other files unless forced, and never writes a definition's own file", () => {
    const dir = tempDir();
    const [def] = loadAgentDefinitions([FIXTURES]).agents;
    const file = path.join(dir, `${def!.name}.md`);

    fs.writeFileSync(file, "---\nname: api-designer\ndescription: mine\n---\nHand written.\n");
    const refused = exportClaudeCodeAgents([def!], dir);
    expect(refused.written).toEqual([]);
    expect(refused.refused).toEqual([{ name: "api-designer", file, reason: expect.stringMatching(/was not written by agentdesk agents export \(use --force/) }]);
    expect(fs.readFileSync(file, "utf8")).toContain("Hand written.");

    expect(exportClaudeCodeAgents([def!], dir, { force: true }).written).toEqual([fs.realpathSync(file)]);
    // Its own file, edited by the export's next version (description changed): replaced without --force.
    expect(exportClaudeCodeAgents([{ ...def!, description: "new words" }], dir).written).toHaveLength(1);
    expect(fs.readFileSync(file, "utf8")).toContain("description: new words");

    // Exporting into the definitions' own folder: refused even with --force.
    const own = exportClaudeCodeAgents([def!], FIXTURES, { force: true });
    expect(own.refused).toEqual([{ name: "api-designer", file: path.join(FIXTURES, "api-designer.md"), reason: expect.stringMatching(/is the definition being exported/) }]);
  });

  it("refuses names that are paths, and replaces a symbolic link instead of writing through it (only with --force)", () => {
    const dir = tempDir();
    const outside = tempDir();
    const def = parseOk("---\nname: evil\ndescription: d\n---\nBody\n");
    for (const name of ["../evil", "a/b", "..", ".hidden", "Evil", ""]) {
      const r = exportClaudeCodeAgents([{ ...def, name }], dir);
      expect(r.refused).toEqual([expect.objectContaining({ name, reason: expect.stringMatching(/is not an agent name/) })]);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(path.dirname(dir)).includes("evil.md")).toBe(false);

    const target = path.join(outside, "victim.md");
    fs.writeFileSync(target, "precious\n");
    fs.symlinkSync(target, path.join(dir, "evil.md"));
    expect(exportClaudeCodeAgents([def], dir).refused).toEqual([expect.objectContaining({ name: "evil", reason: expect.stringMatching(/use --force/) })]);
    expect(exportClaudeCodeAgents([def], dir, { force: true }).written).toHaveLength(1);
    expect(fs.readFileSync(target, "utf8")).toBe("precious\n");
    expect(fs.lstatSync(path.join(dir, "evil.md")).isFile()).toBe(true);
  });
});
