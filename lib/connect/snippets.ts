/**
 * Configuration snippets that register AgentDesk's MCP endpoint with each MCP client. Pure
 * builders: no Node, no I/O, no imports, so the dashboard's connect panel can use them in the
 * browser and `agentdesk connect` on the agent's machine. docs/connect.md explains each client.
 *
 * A snippet carries the token in one of two ways:
 * - `token` given: the secret itself (what `agentdesk connect` writes; keep the file out of git);
 * - otherwise a reference to an environment variable (`tokenEnv`, default AGENTDESK_TOKEN) in the
 *   client's own syntax, so the snippet can be committed or shown on a screen.
 */

export const DEFAULT_SERVER_NAME = "agentdesk";
export const DEFAULT_TOKEN_ENV = "AGENTDESK_TOKEN";

export interface SnippetTarget {
  /** AgentDesk's address, e.g. http://localhost:3000 (a trailing slash or /api/mcp is tolerated). */
  url: string;
  /** The agent's token itself; leave it out to reference `tokenEnv` instead. */
  token?: string;
  /** The environment variable holding the token when `token` is not given. */
  tokenEnv?: string;
  /** The server's name in the client's configuration (default "agentdesk"). */
  name?: string;
}

export type SnippetClient = "claude-code-cli" | "claude-code" | "cursor" | "vscode" | "codex" | "gemini";

export interface Snippet {
  client: SnippetClient;
  /** A person's name for the client. */
  label: string;
  /** Where it goes: a file (relative to the project, or ~/ for the user's), or "shell". */
  where: string;
  format: "json" | "toml" | "shell";
  text: string;
}

/** The MCP endpoint of an AgentDesk address: <origin and path>/api/mcp, once. */
export function mcpEndpoint(url: string): string {
  const base = url.trim().replace(/\/+$/, "");
  return base.endsWith("/api/mcp") ? base : `${base}/api/mcp`;
}

const nameOf = (t: SnippetTarget) => t.name ?? DEFAULT_SERVER_NAME;
const envOf = (t: SnippetTarget) => t.tokenEnv ?? DEFAULT_TOKEN_ENV;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** POSIX shell quoting: bare when safe, else single quotes (with ' written as '\''). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The arguments of `claude mcp add` (without "claude") that register the server over HTTP. */
export function claudeMcpAddArgs(t: SnippetTarget, scope: "local" | "project" | "user" = "local"): string[] {
  const bearer = t.token ?? `\${${envOf(t)}}`;
  return ["mcp", "add", "--transport", "http", "--scope", scope, nameOf(t), mcpEndpoint(t.url), "--header", `Authorization: Bearer ${bearer}`];
}

/**
 * Claude Code, the command line. Without a token the header references the variable in double
 * quotes, so the shell expands it and Claude Code stores the value.
 */
export function claudeCodeCommand(t: SnippetTarget, scope: "local" | "project" | "user" = "local"): string {
  const args = claudeMcpAddArgs(t, scope);
  const header = args.pop()!;
  const quotedHeader = t.token ? shellQuote(header) : `"Authorization: Bearer $${envOf(t)}"`;
  return ["claude", ...args.map(shellQuote), quotedHeader].join(" ");
}

/** Claude Code's server entry (project `.mcp.json`, or `~/.claude.json`). Claude Code expands ${VAR}. */
export function claudeCodeServer(t: SnippetTarget): { type: "http"; url: string; headers: Record<string, string> } {
  return { type: "http", url: mcpEndpoint(t.url), headers: { Authorization: `Bearer ${t.token ?? `\${${envOf(t)}}`}` } };
}

/** Claude Code's project file `.mcp.json`. */
export function claudeCodeMcpJson(t: SnippetTarget): string {
  return json({ mcpServers: { [nameOf(t)]: claudeCodeServer(t) } });
}

/** Cursor: `.cursor/mcp.json` (project) or `~/.cursor/mcp.json`; remote servers are `url` + `headers`, ${env:VAR} expanded. */
export function cursorMcpJson(t: SnippetTarget): string {
  return json({ mcpServers: { [nameOf(t)]: { url: mcpEndpoint(t.url), headers: { Authorization: `Bearer ${t.token ?? `\${env:${envOf(t)}}`}` } } } });
}

/**
 * VS Code (Copilot agent mode): `.vscode/mcp.json`, whose top key is `servers` (not mcpServers) and
 * whose HTTP servers say `type: "http"`. Without a token VS Code asks for it once (a password input)
 * and keeps it in its secret storage.
 */
export function vscodeMcpJson(t: SnippetTarget): string {
  const inputId = `${nameOf(t)}-token`;
  const server = { type: "http", url: mcpEndpoint(t.url), headers: { Authorization: `Bearer ${t.token ?? `\${input:${inputId}}`}` } };
  return json(
    t.token
      ? { servers: { [nameOf(t)]: server } }
      : { inputs: [{ type: "promptString", id: inputId, description: "AgentDesk agent token (adk_...)", password: true }], servers: { [nameOf(t)]: server } },
  );
}

/** A TOML basic string. */
export function tomlString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

/** A TOML key: bare when it may be, else quoted. */
const tomlKey = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : tomlString(k));

/**
 * Codex CLI: `~/.codex/config.toml` (or a trusted project's `.codex/config.toml`). Codex speaks
 * Streamable HTTP itself (no mcp-remote): `url`, and the token from an environment variable named by
 * `bearer_token_env_var` (Codex sends `Authorization: Bearer <its value>`). With the token itself,
 * a static `http_headers` table instead.
 */
export function codexToml(t: SnippetTarget): string {
  const lines = [`[mcp_servers.${tomlKey(nameOf(t))}]`, `url = ${tomlString(mcpEndpoint(t.url))}`];
  if (t.token) lines.push(`http_headers = { Authorization = ${tomlString(`Bearer ${t.token}`)} }`);
  else lines.push(`bearer_token_env_var = ${tomlString(envOf(t))}`);
  return `${lines.join("\n")}\n`;
}

/** Gemini CLI: `.gemini/settings.json` (project) or `~/.gemini/settings.json`; Streamable HTTP is `httpUrl`, and $VAR is expanded. */
export function geminiSettingsJson(t: SnippetTarget): string {
  return json({ mcpServers: { [nameOf(t)]: { httpUrl: mcpEndpoint(t.url), headers: { Authorization: `Bearer ${t.token ?? `\${${envOf(t)}}`}` } } } });
}

/** Every client's snippet, in the order the connect panel shows them. */
export function allSnippets(t: SnippetTarget): Snippet[] {
  return [
    { client: "claude-code-cli", label: "Claude Code (command)", where: "shell", format: "shell", text: `${claudeCodeCommand(t)}\n` },
    { client: "claude-code", label: "Claude Code (.mcp.json)", where: ".mcp.json", format: "json", text: claudeCodeMcpJson(t) },
    { client: "cursor", label: "Cursor", where: ".cursor/mcp.json", format: "json", text: cursorMcpJson(t) },
    { client: "vscode", label: "VS Code", where: ".vscode/mcp.json", format: "json", text: vscodeMcpJson(t) },
    { client: "codex", label: "Codex CLI", where: "~/.codex/config.toml", format: "toml", text: codexToml(t) },
    { client: "gemini", label: "Gemini CLI", where: ".gemini/settings.json", format: "json", text: geminiSettingsJson(t) },
  ];
}
