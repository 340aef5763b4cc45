import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_DEFINITION_BYTES } from "./definition";
import { agentDirsFromEnv, loadAgentDefinitions } from "./load";

const SAMPLES = path.resolve(process.cwd(), "../shared/agents-sample");
const REPO_AGENTS = path.resolve(process.cwd(), "agents");

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-agents-"));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(dir, name);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

const definition = (name: string, description = `The ${name} agent`) =>
  `---\nname: ${name}\ndescription: ${description}\n---\n\n## Response Approach\n\n1. **Work** - on it\n`;

describe("loadAgentDefinitions", () => {
  it("loads the three definitions in agents/ without problems", () => {
    const { agents, problems } = loadAgentDefinitions([REPO_AGENTS]);
    expect(problems).toEqual([]);
    expect(agents.map((a) => a.name)).toEqual(["backend-developer", "frontend-developer", "security-specialist"]);
    for (const agent of agents) {
      expect(agent.tier).toBe("execution");
      expect(agent.domain).toBe("make");
      expect(agent.model).toBe("sonnet");
      expect(agent.color).toMatch(/\S/);
      expect(agent.capabilities.length).toBeGreaterThan(0);
      expect(agent.tools).toEqual(["Read", "Grep", "Glob", "Write", "Bash", "TodoWrite"]);
      expect(agent.stepsSource).toBe("response_approach");
      expect(agent.memory.reads.length).toBeGreaterThan(0);
      expect(agent.memory.writes.length).toBeGreaterThan(0);
      expect(agent.memory.reads.map((r) => r.path)).toContain(`Agent_Memory/_communication/inbox/${agent.name}/`);
    }
  });

  it("gives frontend-developer a step for API contract consultations and security-specialist one for review requests", () => {
    const { agents } = loadAgentDefinitions([REPO_AGENTS]);
    const byName = new Map(agents.map((a) => [a.name, a]));
    const frontend = byName.get("frontend-developer")!;
    expect(frontend.steps.some((s) => /consultation/i.test(s.title) && /API contract and data shape/.test(s.guidance))).toBe(true);
    const security = byName.get("security-specialist")!;
    expect(security.steps.some((s) => /review request/i.test(`${s.title} ${s.guidance}`))).toBe(true);
  });

  it("loads every sample, both <name>.md and <name>/SKILL.md, sorted by name", () => {
    const { agents, problems } = loadAgentDefinitions([SAMPLES]);
    expect(problems).toEqual([]);
    expect(agents.map((a) => a.name)).toEqual(["architect", "frontend-developer", "security-specialist", "tech-lead"]);
    expect(agents.find((a) => a.name === "frontend-developer")!.sourcePath).toBe(
      path.join(SAMPLES, "frontend-developer", "SKILL.md"),
    );
  });

  it("skips README.md, non-markdown files, hidden files and folders without SKILL.md", () => {
    const dir = tempDir({
      "README.md": "# About these agents\n",
      "notes.txt": "not markdown",
      ".draft.md": "---\nname: [broken\n",
      "resources/api-patterns.md": "# Patterns\n",
      "zeta.md": definition("zeta"),
      "alpha/SKILL.md": definition("alpha"),
      "alpha/resources/extra.md": "# not a definition\n",
    });
    const { agents, problems } = loadAgentDefinitions([dir]);
    expect(problems).toEqual([]);
    expect(agents.map((a) => a.name)).toEqual(["alpha", "zeta"]);
  });

  it("reports a malformed file and still loads the others", () => {
    const dir = tempDir({
      "good.md": definition("good"),
      "broken.md": "---\nname: broken\ncapabilities: [a, b\n---\n",
      "evil.md": "---\nname: ../evil\n---\n",
    });
    const { agents, problems } = loadAgentDefinitions([dir]);
    expect(agents.map((a) => a.name)).toEqual(["good"]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatchObject({ file: path.join(dir, "broken.md"), severity: "error" });
    expect(problems[0]!.message).toMatch(/^front matter is not valid YAML \(line \d+/);
    expect(problems[1]).toMatchObject({ file: path.join(dir, "evil.md"), severity: "error" });
    expect(problems[1]!.message).toContain('"../evil"');
  });

  it("reports a file over 1 MiB without parsing it", () => {
    const dir = tempDir({
      "big.md": definition("big") + "x".repeat(MAX_DEFINITION_BYTES),
      "small.md": definition("small"),
    });
    const { agents, problems } = loadAgentDefinitions([dir]);
    expect(agents.map((a) => a.name)).toEqual(["small"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/larger than 1 MiB/);
  });

  it("reports a missing folder as a problem and loads the rest", () => {
    const dir = tempDir({ "solo.md": definition("solo") });
    const missing = path.join(dir, "does-not-exist");
    const { agents, problems } = loadAgentDefinitions([missing, dir]);
    expect(agents.map((a) => a.name)).toEqual(["solo"]);
    expect(problems).toEqual([{ file: missing, message: "agents folder does not exist", severity: "error" }]);
  });

  it("keeps the first of two definitions with the same name and reports the later one", () => {
    const first = tempDir({ "shared.md": definition("shared", "from the first folder") });
    const second = tempDir({
      "shared.md": definition("shared", "from the second folder"),
      "other.md": definition("other"),
    });
    const { agents, problems } = loadAgentDefinitions([first, second]);
    expect(agents.map((a) => a.name)).toEqual(["other", "shared"]);
    expect(agents.find((a) => a.name === "shared")!.description).toBe("from the first folder");
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe(path.join(second, "shared.md"));
    expect(problems[0]!.message).toContain('duplicate agent name "shared"');
    expect(problems[0]!.message).toContain(path.join(first, "shared.md"));
  });

  it("reports duplicates inside one folder too (a file named differently from its agent)", () => {
    const dir = tempDir({ "a.md": definition("same"), "b.md": definition("same") });
    const { agents, problems } = loadAgentDefinitions([dir]);
    expect(agents.map((a) => a.sourcePath)).toEqual([path.join(dir, "a.md")]);
    expect(problems.map((p) => p.file)).toEqual([path.join(dir, "b.md")]);
  });

  it("reads a folder listed twice only once", () => {
    const dir = tempDir({ "once.md": definition("once") });
    const { agents, problems } = loadAgentDefinitions([dir, dir]);
    expect(agents).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it("keeps a definition with a missing name, named after its file, with a warning", () => {
    const dir = tempDir({ "nameless.md": "---\ndescription: no name here\n---\n" });
    const { agents, problems } = loadAgentDefinitions([dir]);
    expect(agents.map((a) => a.name)).toEqual(["nameless"]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.severity).toBe("warning");
  });
});

describe("agentDirsFromEnv", () => {
  it("defaults to ./agents", () => {
    expect(agentDirsFromEnv({})).toEqual([path.join(process.cwd(), "agents")]);
    expect(agentDirsFromEnv({ AGENTS_DIR: " " })).toEqual([path.join(process.cwd(), "agents")]);
  });

  it("splits several folders and ignores empty entries", () => {
    expect(agentDirsFromEnv({ AGENTS_DIR: "/a/one::/b/two:" })).toEqual(["/a/one", "/b/two"]);
    expect(agentDirsFromEnv({ AGENTS_DIR: "rel" })).toEqual([path.resolve("rel")]);
  });

  it("loads from two folders named in AGENTS_DIR", () => {
    const one = tempDir({ "first.md": definition("first") });
    const two = tempDir({ "second/SKILL.md": definition("second") });
    const dirs = agentDirsFromEnv({ AGENTS_DIR: `${one}:${two}` });
    expect(dirs).toEqual([one, two]);
    const { agents, problems } = loadAgentDefinitions(dirs);
    expect(problems).toEqual([]);
    expect(agents.map((a) => a.name)).toEqual(["first", "second"]);
  });
});
