/**
 * The edits `agentdesk connect` makes to Claude Code's project files, as pure functions on parsed
 * JSON: add (and later take back) the AgentDesk server in `.mcp.json` and the AgentDesk hooks in
 * `.claude/settings.json`, leaving everything else where it was. No Node, no I/O.
 *
 * Claude Code's hook format (settings.json, checked against Claude Code 2.1 and its hooks reference):
 *   { "hooks": { "<Event>": [ { "matcher"?: "<tool regex>", "hooks": [ { "type": "command", "command": "...", "timeout"?: seconds } ] } ] } }
 * `matcher` applies to the tool events (PostToolUse: "*" is every tool); SessionStart's matches the
 * session source (startup, resume, clear, compact: left out, every one); UserPromptSubmit and Stop have none.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const HOOK_EVENTS = ["SessionStart", "PostToolUse", "UserPromptSubmit", "Stop"] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

export interface HookGroup {
  matcher?: string;
  hooks: { type: "command"; command: string; timeout: number }[];
  [key: string]: Json | undefined;
}

export const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

/** The hook groups AgentDesk adds, one per event, each running `commandFor(event)`. Timeouts in seconds. */
export function agentdeskHookGroups(commandFor: (event: HookEvent) => string): Record<HookEvent, HookGroup> {
  const run = (event: HookEvent) => [{ type: "command" as const, command: commandFor(event), timeout: 5 }];
  return {
    SessionStart: { hooks: run("SessionStart") },
    PostToolUse: { matcher: "*", hooks: run("PostToolUse") },
    UserPromptSubmit: { hooks: run("UserPromptSubmit") },
    Stop: { hooks: run("Stop") },
  };
}

/** What adding the hooks created (so removing them can take back exactly that): "hooks", "hooks.<Event>". */
export interface HooksEdit {
  settings: JsonObject;
  created: string[];
}

/** settings.json with AgentDesk's groups appended after the user's own, per event. Throws on a shape Claude Code would not read either. */
export function addHooks(settings: JsonObject, groups: Record<HookEvent, HookGroup>): HooksEdit {
  const next = clone(settings);
  const created: string[] = [];
  if (next.hooks === undefined) {
    next.hooks = {};
    created.push("hooks");
  }
  if (!isObject(next.hooks)) throw new Error(`"hooks" is not an object`);
  for (const event of HOOK_EVENTS) {
    if (next.hooks[event] === undefined) {
      next.hooks[event] = [];
      created.push(`hooks.${event}`);
    }
    const list = next.hooks[event];
    if (!Array.isArray(list)) throw new Error(`"hooks.${event}" is not an array`);
    if (!list.some((g) => jsonEqual(g, groups[event]))) list.push(clone(groups[event]) as Json);
  }
  return { settings: next, created };
}

/** Takes AgentDesk's groups back out, and the containers it created if they are empty again. */
export function removeHooks(settings: JsonObject, groups: Record<HookEvent, HookGroup>, created: readonly string[]): JsonObject {
  const next = clone(settings);
  if (!isObject(next.hooks)) return next;
  const hooks = next.hooks;
  for (const event of HOOK_EVENTS) {
    const list = hooks[event];
    if (!Array.isArray(list)) continue;
    const kept = list.filter((g) => !jsonEqual(g, groups[event]));
    if (kept.length === 0 && created.includes(`hooks.${event}`)) delete hooks[event];
    else hooks[event] = kept;
  }
  if (Object.keys(hooks).length === 0 && created.includes("hooks")) delete next.hooks;
  return next;
}

/** What setting the server replaced: its earlier entry (null: none), and whether "mcpServers" was created. */
export interface McpEdit {
  config: JsonObject;
  previous: Json | null;
  createdServers: boolean;
}

/** `.mcp.json` (or any `mcpServers` file) with `name` set to `server`, the rest untouched. */
export function setMcpServer(config: JsonObject, name: string, server: Json): McpEdit {
  const next = clone(config);
  let createdServers = false;
  if (next.mcpServers === undefined) {
    next.mcpServers = {};
    createdServers = true;
  }
  if (!isObject(next.mcpServers)) throw new Error(`"mcpServers" is not an object`);
  const previous = next.mcpServers[name] === undefined ? null : clone(next.mcpServers[name]);
  next.mcpServers[name] = clone(server);
  return { config: next, previous, createdServers };
}

/** Takes the server back out: the earlier entry returns if there was one; an emptied "mcpServers" that was created goes. */
export function unsetMcpServer(config: JsonObject, name: string, edit: Omit<McpEdit, "config">): JsonObject {
  const next = clone(config);
  if (!isObject(next.mcpServers)) return next;
  if (edit.previous !== null) next.mcpServers[name] = clone(edit.previous);
  else delete next.mcpServers[name];
  if (Object.keys(next.mcpServers).length === 0 && edit.createdServers) delete next.mcpServers;
  return next;
}

/** The JSON text AgentDesk writes: two-space indentation and a final newline, as Claude Code writes its own. */
export const jsonText = (v: Json): string => `${JSON.stringify(v, null, 2)}\n`;
