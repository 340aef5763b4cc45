import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { json, type TestServer } from "@/test/server";
import { repoRoot, runCli, type CliRun } from "@/test/cli";
import { withTestServer } from "@/test/suite";

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
withTestServer((server) => {
  s = server;
  admin = s.person("admin");
});

/** `agentdesk connect` as a person on the agent's machine would run it: only the URL and their token. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { AGENTDESK_URL: s.baseUrl, AGENTDESK_TOKEN: admin.token, ...env });
}

const project = () => fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-connect-"));
/** Every file under a folder with its bytes, to compare a folder before and after. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out[path.relative(dir, p) + (e.isDirectory() ? "/" : "")] = e.isDirectory() ? "" : fs.readFileSync(p, "utf8");
  }
  return out;
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const slow = { timeout: 120_000 };

describe("agentdesk connect", () => {
  test("an empty project: mints a token, writes .mcp.json, the hooks and the record; --remove leaves the folder empty and revokes the token", slow, async () => {
    const dir = project();
    const r = await cli(["connect", "backend-developer", "--dir", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Connected .+ as agent backend-developer \(new token tok_/);

    const record = readJson(path.join(dir, ".claude", "agentdesk.json"));
    expect(fs.statSync(path.join(dir, ".claude", "agentdesk.json")).mode & 0o777).toBe(0o600);
    expect(record).toMatchObject({ version: 1, url: s.baseUrl, agent: "backend-developer", tokenId: expect.stringMatching(/^tok_/), stop: "block", heartbeatSeconds: 30 });
    const mcp = readJson(path.join(dir, ".mcp.json"));
    expect(mcp).toEqual({ mcpServers: { agentdesk: { type: "http", url: `${s.baseUrl}/api/mcp`, headers: { Authorization: `Bearer ${record.token}` } } } });
    expect(await json(await s.request("/api/v1/me", { token: record.token }))).toMatchObject({ kind: "agent", name: "backend-developer" });

    const settings = readJson(path.join(dir, ".claude", "settings.json"));
    const hook = path.join(repoRoot, "bin", "agentdesk-hook.mjs");
    expect(settings).toEqual({
      hooks: {
        SessionStart: [{ hooks: [{ type: "command", command: `node ${hook} SessionStart`, timeout: 5 }] }],
        PostToolUse: [{ matcher: "*", hooks: [{ type: "command", command: `node ${hook} PostToolUse`, timeout: 5 }] }],
        UserPromptSubmit: [{ hooks: [{ type: "command", command: `node ${hook} UserPromptSubmit`, timeout: 5 }] }],
        Stop: [{ hooks: [{ type: "command", command: `node ${hook} Stop`, timeout: 5 }] }],
      },
    });

    // Once is enough: a second connect says so and changes nothing.
    const before = snapshot(dir);
    const again = await cli(["connect", "backend-developer", "--dir", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^conflict: .* is already connected/);
    expect(snapshot(dir)).toEqual(before);

    const removed = await cli(["connect", "--remove", "--dir", dir]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`token ${record.tokenId}: revoked`);
    expect(snapshot(dir)).toEqual({});
    expect((await s.request("/api/v1/me", { token: record.token })).status).toBe(401);
  });

  test("a project with its own .mcp.json and settings: merged, and --remove restores both byte for byte", slow, async () => {
    const dir = project();
    fs.mkdirSync(path.join(dir, ".claude"));
    // Formatted the user's way (4 spaces, key order, no final newline): the restore must keep it.
    const mcpBefore = `{\n    "mcpServers": {\n        "github": { "command": "gh-mcp", "args": ["--stdio"] }\n    }\n}`;
    const settingsBefore = JSON.stringify(
      {
        model: "opus",
        hooks: {
          PostToolUse: [{ matcher: "Write|Edit", hooks: [{ type: "command", command: "npx prettier --write" }] }],
          SessionStart: [{ matcher: "startup", hooks: [{ type: "command", command: "echo hi" }] }],
        },
      },
      null,
      "\t",
    );
    fs.writeFileSync(path.join(dir, ".mcp.json"), mcpBefore);
    fs.writeFileSync(path.join(dir, ".claude", "settings.json"), settingsBefore);
    fs.writeFileSync(path.join(dir, "README.md"), "mine\n");
    const before = snapshot(dir);

    const agentToken = s.agentToken("frontend-developer").token;
    const r = await cli(["connect", "frontend-developer", "--dir", dir, "--agent-token", agentToken, "--stop", "remind"], { AGENTDESK_TOKEN: "" });
    expect(r.code, r.stderr).toBe(0);
    const mcp = readJson(path.join(dir, ".mcp.json"));
    expect(Object.keys(mcp.mcpServers)).toEqual(["github", "agentdesk"]);
    expect(mcp.mcpServers.github).toEqual({ command: "gh-mcp", args: ["--stdio"] });
    expect(mcp.mcpServers.agentdesk.headers.Authorization).toBe(`Bearer ${agentToken}`);
    const settings = readJson(path.join(dir, ".claude", "settings.json"));
    expect(settings.model).toBe("opus");
    expect(settings.hooks.PostToolUse).toHaveLength(2);
    expect(settings.hooks.PostToolUse[0]).toEqual({ matcher: "Write|Edit", hooks: [{ type: "command", command: "npx prettier --write" }] });
    expect(settings.hooks.SessionStart[0].hooks[0].command).toBe("echo hi");
    expect(settings.hooks.SessionStart[1].hooks[0].command).toMatch(/agentdesk-hook\.mjs SessionStart$/);
    expect(readJson(path.join(dir, ".claude", "agentdesk.json"))).toMatchObject({ tokenId: null, stop: "remind", createdDirs: [] });

    const removed = await cli(["connect", "--remove", "--dir", dir], { AGENTDESK_TOKEN: "" });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/\.claude\/settings\.json: restored\n\.mcp\.json: restored\n/);
    expect(snapshot(dir)).toEqual(before);
    // A token connect did not mint is left alone.
    expect((await s.request("/api/v1/me", { token: agentToken })).status).toBe(200);
  });

  test("edited after connect: --remove takes out only AgentDesk's entries; a token for another agent is refused with nothing written", slow, async () => {
    const dir = project();
    const wrong = s.agentToken("security-specialist").token;
    const other = project();
    const [r, refused] = await Promise.all([cli(["connect", "backend-developer", "--dir", dir]), cli(["connect", "backend-developer", "--dir", other, "--agent-token", wrong])]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^usage: That token acts as agent security-specialist, not as agent backend-developer/);
    expect(snapshot(other)).toEqual({});
    expect(r.code, r.stderr).toBe(0);

    const file = path.join(dir, ".claude", "settings.json");
    const edited = readJson(file);
    edited.hooks.Stop.unshift({ hooks: [{ type: "command", command: "say done" }] });
    edited.permissions = { allow: ["Read"] };
    fs.writeFileSync(file, JSON.stringify(edited, null, 2));

    const removed = await cli(["connect", "--remove", "--dir", dir]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(".claude/settings.json: edited since connect, took out AgentDesk's entries only");
    expect(readJson(file)).toEqual({ hooks: { Stop: [{ hooks: [{ type: "command", command: "say done" }] }] }, permissions: { allow: ["Read"] } });
    expect(fs.existsSync(path.join(dir, ".mcp.json"))).toBe(false);
    expect(fs.existsSync(path.join(dir, ".claude", "agentdesk.json"))).toBe(false);
  });

  test("--use-claude-cli registers the server with the real `claude mcp add`, and --remove with `claude mcp remove`", slow, async () => {
    const dir = project();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-home-"));
    const claudeBin = path.join(repoRoot, "node_modules", ".bin", "claude");
    const r = await cli(["connect", "backend-developer", "--dir", dir, "--use-claude-cli", "--claude-bin", claudeBin], { HOME: home });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, ".mcp.json"))).toBe(false);
    const token = readJson(path.join(dir, ".claude", "agentdesk.json")).token;
    const stored = readJson(path.join(home, ".claude.json")).projects[fs.realpathSync(dir)].mcpServers;
    expect(stored).toEqual({ agentdesk: { type: "http", url: `${s.baseUrl}/api/mcp`, headers: { Authorization: `Bearer ${token}` } } });

    const removed = await cli(["connect", "--remove", "--dir", dir], { HOME: home });
    expect(removed.code, removed.stderr).toBe(0);
    expect(readJson(path.join(home, ".claude.json")).projects[fs.realpathSync(dir)].mcpServers).toEqual({});
    expect(snapshot(dir)).toEqual({});
  });
});
