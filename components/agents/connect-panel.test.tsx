import { describe, expect, it } from "vitest";
import * as React from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConnectPanel, ConnectSnippets, TOKEN_PLACEHOLDER, connectSnippets, connectTokenLabel } from "./connect-panel";

// The agent page's "Connect this agent" panel, rendered to HTML (no browser), and its snippets.

const html = (node: React.ReactElement) => renderToStaticMarkup(<QueryClientProvider client={new QueryClient()}>{node}</QueryClientProvider>);
const clients = ["claude-code-cli", "claude-code", "cursor", "vscode", "codex", "gemini", "agentdesk-connect"];
const token = "adk_s3cretS3cret";
const snippetsOf = (out: string) => [...out.matchAll(/data-testid="connect-snippet" data-client="([^"]+)"/g)].map((m) => m[1]);

describe("ConnectPanel", () => {
  it("shows a non-admin every snippet with the <token> placeholder and says who can create one", () => {
    const out = html(<ConnectPanel agent="backend-developer" serverOrigin="https://desk.example.com" canCreateToken={false} />);
    expect(out).toContain('data-testid="connect-panel"');
    expect(snippetsOf(out)).toEqual(clients);
    expect(out).not.toContain("Create a token");
    expect(out).toMatch(/Only an admin can create one/);
    expect(out).toContain("npx agentdesk token create --agent backend-developer");
    // Every snippet carries the placeholder (escaped in HTML) and the server's origin.
    for (const part of out.split('data-testid="connect-snippet"').slice(1)) {
      expect(part).toContain("&lt;token&gt;");
      expect(part).toContain("https://desk.example.com");
    }
    expect(out).not.toContain('data-testid="token-secret"');
  });

  it("offers an admin the Create a token button, before any secret exists", () => {
    const out = html(<ConnectPanel agent="backend-developer" serverOrigin="http://localhost:3000" canCreateToken />);
    expect(out).toMatch(/<button[^>]*>.*Create a token<\/button>/);
    expect(out).toContain("Its secret is shown once");
    expect(snippetsOf(out)).toEqual(clients);
  });

  it("fills a created token into every snippet, each with its own copy button", () => {
    const out = html(<ConnectSnippets snippets={connectSnippets({ agent: "backend-developer", url: "http://localhost:3000", token })} />);
    const parts = out.split('data-testid="connect-snippet"').slice(1);
    expect(parts).toHaveLength(clients.length);
    for (const part of parts) {
      expect(part).toContain(token);
      expect(part).toMatch(/aria-label="Copy [^"]+"/);
    }
    expect(out).not.toContain("&lt;token&gt;");
  });

  it("names the token connect:<agent>:<date>", () => {
    expect(connectTokenLabel("backend-developer", new Date(2026, 0, 5, 23, 0))).toBe("connect:backend-developer:2026-01-05");
    expect(TOKEN_PLACEHOLDER).toBe("<token>");
  });
});

describe("connect snippets (lib/connect/snippets, plus agentdesk connect)", () => {
  const all = connectSnippets({ agent: "backend-developer", url: "https://desk.example.com/", token });
  const by = (c: string) => all.find((s) => s.client === c)!;

  it("puts the token and the MCP endpoint into every client's snippet", () => {
    expect(all.map((s) => s.client)).toEqual(clients);
    for (const s of all) expect(s.text, s.client).toContain(token);
    for (const s of all.filter((x) => x.client !== "agentdesk-connect")) expect(s.text, s.client).toContain("https://desk.example.com/api/mcp");
    expect(by("claude-code-cli").text).toMatch(/^claude mcp add --transport http .*agentdesk https:\/\/desk\.example\.com\/api\/mcp --header 'Authorization: Bearer adk_s3cretS3cret'/);
    for (const c of ["claude-code", "cursor", "vscode", "gemini"]) expect(() => JSON.parse(by(c).text), c).not.toThrow();
  });

  it("the agentdesk connect command uses the minted agent token", () => {
    expect(by("agentdesk-connect").text.trim()).toBe(`npx agentdesk connect backend-developer --url https://desk.example.com --agent-token ${token}`);
    // The placeholder is quoted for the shell.
    expect(connectSnippets({ agent: "a", url: "http://x", token: TOKEN_PLACEHOLDER }).find((s) => s.client === "agentdesk-connect")!.text).toContain("--agent-token '<token>'");
  });
});
