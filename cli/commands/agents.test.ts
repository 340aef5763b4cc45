import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { loadAgentDefinitions } from "@/lib/agents";
import { repoRoot, runCli } from "@/test/cli";

// `agentdesk agents export DIR` needs no database and no server: the definitions come from AGENTS_DIR.
const AGENTS_DIR = [path.join(repoRoot, "agents"), path.join(repoRoot, "lib/agents/fixtures/claude-code")].join(path.delimiter);
const cli = (args: string[]) => runCli(args, { AGENTS_DIR });
const temps: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-export-"));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});
const slow = { timeout: 90_000 };

describe("agentdesk agents export", () => {
  test("writes one Claude Code subagent per definition; the loader reads them back the same; a foreign file is skipped (exit 1) unless --force", slow, async () => {
    const [dir, other] = [tempDir(), tempDir()];
    const foreign = path.join(other, "code-reviewer.md");
    fs.writeFileSync(foreign, "---\nname: code-reviewer\ndescription: my own\n---\nMine.\n");

    const [first, skipped, unknown] = await Promise.all([
      cli(["agents", "export", path.join(dir, ".claude", "agents")]),
      cli(["agents", "export", other, "--agent", "code-reviewer,backend-developer", "--json"]),
      cli(["agents", "export", other, "--agent", "nobody"]),
    ]);

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Exported 7 agents to .+\.claude\/agents: 0 unchanged, 0 skipped\.\n$/);
    // The one load warning (debugger's unquoted description) is shown, and does not stop the export.
    expect(first.stderr).toMatch(/debugger\.md: warning: front matter is not valid YAML as written/);
    const source = loadAgentDefinitions(AGENTS_DIR.split(path.delimiter));
    const back = loadAgentDefinitions([path.join(dir, ".claude", "agents")]);
    expect(back.problems).toEqual([]);
    const key = (a: (typeof back.agents)[number]) => [a.name, a.description, a.steps];
    expect(back.agents.map(key)).toEqual(source.agents.map(key));
    expect(fs.readFileSync(path.join(dir, ".claude", "agents", "security-specialist.md"), "utf8").split("\n")[1]).toBe(
      "# Written by agentdesk agents export from agents/security-specialist.md; edit that file and export again",
    );

    expect(skipped.code).toBe(1);
    expect(skipped.stderr).toMatch(/skipped code-reviewer: .*code-reviewer\.md exists and was not written by agentdesk agents export \(use --force to replace it\)/);
    expect(JSON.parse(skipped.stdout)).toMatchObject({ written: [expect.stringMatching(/backend-developer\.md$/)], unchanged: [], refused: [{ name: "code-reviewer" }] });
    expect(fs.readFileSync(foreign, "utf8")).toContain("Mine.");

    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^not_found: No definition of nobody in /m);

    const forced = await cli(["agents", "export", other, "--agent", "code-reviewer", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^Exported 1 agent to /);
    expect(fs.readFileSync(foreign, "utf8")).toMatch(/^---\n# Written by agentdesk agents export from lib\/agents\/fixtures\/claude-code\/code-reviewer\.md/);
  });
});
