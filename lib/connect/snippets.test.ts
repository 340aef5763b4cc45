import fs from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, test } from "vitest";
import { allSnippets, claudeCodeCommand, claudeMcpAddArgs, codexToml, mcpEndpoint, shellQuote, type SnippetTarget } from "./snippets";

const withToken: SnippetTarget = { url: "https://desk.example.com/", token: "adk_abc-DEF_123" };
const withEnv: SnippetTarget = { url: "http://localhost:3000" };
// A value that would break a careless builder in every format.
const nasty: SnippetTarget = { url: 'http://h:1/a"b\\c', token: "adk_'q\"\\x", name: "desk one" };

describe("connect snippets", () => {
  test("the endpoint is <address>/api/mcp, once", () => {
    expect(mcpEndpoint("http://localhost:3000")).toBe("http://localhost:3000/api/mcp");
    expect(mcpEndpoint("https://desk.example.com//")).toBe("https://desk.example.com/api/mcp");
    expect(mcpEndpoint("https://desk.example.com/api/mcp")).toBe("https://desk.example.com/api/mcp");
  });

  test.each([withToken, withEnv, nasty])("every snippet parses in its own format (%o)", (t) => {
    for (const s of allSnippets(t)) {
      if (s.format === "json") expect(() => JSON.parse(s.text), s.client).not.toThrow();
      if (s.format === "toml") expect(() => parseToml(s.text), s.client).not.toThrow();
      expect(s.text.endsWith("\n")).toBe(true);
    }
  });

  test("each client's shape: the keys its documentation names", () => {
    const by = Object.fromEntries(allSnippets(withToken).map((s) => [s.client, s.format === "toml" ? parseToml(s.text) : s.format === "json" ? JSON.parse(s.text) : s.text]));
    const url = "https://desk.example.com/api/mcp";
    const headers = { Authorization: "Bearer adk_abc-DEF_123" };
    expect(by["claude-code"]).toEqual({ mcpServers: { agentdesk: { type: "http", url, headers } } });
    expect(by.cursor).toEqual({ mcpServers: { agentdesk: { url, headers } } });
    expect(by.vscode).toEqual({ servers: { agentdesk: { type: "http", url, headers } } });
    expect(by.gemini).toEqual({ mcpServers: { agentdesk: { httpUrl: url, headers } } });
    expect(by.codex).toEqual({ mcp_servers: { agentdesk: { url, http_headers: headers } } });
    expect(by["claude-code-cli"]).toBe(`claude mcp add --transport http --scope local agentdesk ${url} --header 'Authorization: Bearer adk_abc-DEF_123'\n`);
  });

  test("without a token, each references the variable in its client's syntax", () => {
    const by = Object.fromEntries(allSnippets(withEnv).map((s) => [s.client, s.text]));
    expect(JSON.parse(by["claude-code"]).mcpServers.agentdesk.headers.Authorization).toBe("Bearer ${AGENTDESK_TOKEN}");
    expect(JSON.parse(by.cursor).mcpServers.agentdesk.headers.Authorization).toBe("Bearer ${env:AGENTDESK_TOKEN}");
    const vscode = JSON.parse(by.vscode);
    expect(vscode.servers.agentdesk.headers.Authorization).toBe("Bearer ${input:agentdesk-token}");
    expect(vscode.inputs).toEqual([expect.objectContaining({ id: "agentdesk-token", type: "promptString", password: true })]);
    expect(JSON.parse(by.gemini).mcpServers.agentdesk.headers.Authorization).toBe("Bearer ${AGENTDESK_TOKEN}");
    expect(parseToml(by.codex)).toEqual({ mcp_servers: { agentdesk: { url: "http://localhost:3000/api/mcp", bearer_token_env_var: "AGENTDESK_TOKEN" } } });
    // The shell expands the variable (double quotes), so Claude Code stores the value.
    expect(by["claude-code-cli"]).toBe('claude mcp add --transport http --scope local agentdesk http://localhost:3000/api/mcp --header "Authorization: Bearer $AGENTDESK_TOKEN"\n');
  });

  test("odd characters survive every format", () => {
    const toml = parseToml(codexToml(nasty)) as { mcp_servers: Record<string, { url: string; http_headers: { Authorization: string } }> };
    expect(toml.mcp_servers["desk one"]).toEqual({ url: 'http://h:1/a"b\\c/api/mcp', http_headers: { Authorization: "Bearer adk_'q\"\\x" } });
    // The shell command, split back the way sh would, gives the argv exactly.
    const cmd = claudeCodeCommand(nasty);
    expect(cmd).toContain(shellQuote("Authorization: Bearer adk_'q\"\\x"));
    expect(claudeMcpAddArgs(nasty).at(-1)).toBe("Authorization: Bearer adk_'q\"\\x");
  });

  test("snippets.ts imports nothing (the dashboard bundles it for the browser)", () => {
    const src = fs.readFileSync(path.join(import.meta.dirname, "snippets.ts"), "utf8");
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src).not.toMatch(/\brequire\(/);
  });
});
