import "server-only";
// Claude Code subagents (`.claude/agents/<name>.md`) as AgentDesk definitions, and back.
//
// The format, as Claude Code 2.1.332 reads it (node_modules/@anthropic-ai/claude-code/bin/claude.exe,
// the agent-file parser next to the strings 'Missing required "name" field in frontmatter' and
// 'Missing required "description" field in frontmatter'): markdown with YAML front matter;
// - `name` (required, text: no leading "-", no ":"; the documentation asks for lower case and
//   hyphens, which AGENT_NAME_PATTERN enforces here) and `description` (required, non-empty; a
//   literal "\n" in it is a line break);
// - `tools` (optional): a comma-separated string (`Read, Grep, Glob, Bash`, commas inside
//   parentheses do not split: `Bash(git add, git commit)`) or a YAML list; absent or "*" = every tool;
//   `disallowedTools` the same shape;
// - `model` (optional): `sonnet`, `opus`, `haiku`, a full model id, or `inherit` (any case) for the
//   session's model;
// - `color` (optional): one of red, blue, green, yellow, purple, orange, pink, cyan; anything else
//   is ignored;
// - others it reads and AgentDesk keeps in `extra`: permissionMode, skills, mcpServers, hooks,
//   maxTurns, effort, memory (user | project | local: Claude Code's own memory, not AgentDesk's
//   Memory Ownership), background, isolation, initialPrompt...
// The body, trimmed, is the subagent's system prompt. parse.ts reads all of that; this module holds
// the other direction, `agentdesk agents export DIR` (cli/commands/agents.ts). Checked against that
// binary: with lib/agents/fixtures/claude-code/*.md, and with the export of agents/ and those
// fixtures, in a project's .claude/agents, `claude -p --output-format stream-json --verbose` lists
// every one of them in its init message's `agents`.
import fs from "node:fs";
import path from "node:path";
import { Document } from "yaml";
import { AGENT_NAME_PATTERN, type AgentDefinition } from "./definition";
import { numberResponseApproach } from "./parse";

/** The colors Claude Code accepts in a subagent's front matter. */
export const CLAUDE_CODE_COLORS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan"] as const;
export type ClaudeCodeColor = (typeof CLAUDE_CODE_COLORS)[number];

// AgentDesk definitions use terminal color names ("bright_yellow", "magenta", "bright_white").
const COLOR_ALIASES: Record<string, ClaudeCodeColor> = { magenta: "purple", violet: "purple", teal: "cyan", aqua: "cyan" };

/** The Claude Code color for an AgentDesk one ("bright_yellow" → "yellow"); null when none fits (white, black, gray). */
export function claudeCodeColor(color: string | null): ClaudeCodeColor | null {
  if (!color) return null;
  const base = color
    .trim()
    .toLowerCase()
    .replace(/^(?:bright|light|dark)[_ -]?/, "");
  if ((CLAUDE_CODE_COLORS as readonly string[]).includes(base)) return base as ClaudeCodeColor;
  return COLOR_ALIASES[base] ?? null;
}

/** The first line of every file `agentdesk agents export` writes: how it knows a file it may replace. */
export const EXPORT_MARKER = "# Written by agentdesk agents export";

export type ExportableDefinition = Pick<AgentDefinition, "name" | "title" | "description" | "model" | "color" | "tools" | "body"> & { sourcePath?: string | null };

/**
 * A definition as a Claude Code subagent file: front matter `name`, `description` (the title, else
 * the name, when the definition has none: Claude Code refuses a file without one), `tools` as a
 * comma string when the definition lists tools (none listed: every tool, as in Claude Code),
 * `model` when set, `color` when it maps; the body as written, with a bulleted Response Approach
 * numbered so the subagent follows it in order. A YAML comment on the first line marks the file as
 * written by the export (`source` says where from, relative to the agents folder when given so).
 */
export function toClaudeCodeSubagent(def: ExportableDefinition, opts: { source?: string } = {}): string {
  const front: Record<string, string> = { name: def.name, description: def.description ?? def.title ?? `${def.name} agent` };
  if (def.tools.length > 0) front.tools = def.tools.join(", ");
  if (def.model) front.model = def.model;
  const color = claudeCodeColor(def.color);
  if (color) front.color = color;
  const yaml = new Document(front).toString({ lineWidth: 0 });
  const source = opts.source ?? def.sourcePath ?? null;
  const marker = source ? `${EXPORT_MARKER} from ${source.replace(/[\r\n]+/g, " ")}; edit that file and export again` : EXPORT_MARKER;
  const body = numberResponseApproach(def.body).replace(/^\n+/, "");
  return `---\n${marker}\n${yaml}---\n\n${body.endsWith("\n") || body === "" ? body : `${body}\n`}`;
}

export interface ExportClaudeCodeResult {
  /** Files written (absolute paths). */
  written: string[];
  /** Files left alone: same content already there. */
  unchanged: string[];
  /** Definitions not written, and why. */
  refused: { name: string; file: string; reason: string }[];
}

/**
 * Writes one `<name>.md` per definition into `dir` (created if missing). A file already there is
 * replaced only when this export wrote it (its first front matter line is EXPORT_MARKER) or with
 * `force`; never a definition's own source file, nor through a symbolic link (the new file replaces
 * the link). A name that is not a plain agent name (a path, "..") is refused.
 */
export function exportClaudeCodeAgents(
  definitions: readonly ExportableDefinition[],
  dir: string,
  opts: { force?: boolean; sourceOf?: (def: ExportableDefinition) => string | undefined } = {},
): ExportClaudeCodeResult {
  const result: ExportClaudeCodeResult = { written: [], unchanged: [], refused: [] };
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });
  const realRoot = fs.realpathSync(root);
  const sources = new Set(definitions.flatMap((d) => (d.sourcePath && path.isAbsolute(d.sourcePath) ? [realOrSelf(d.sourcePath)] : [])));
  const seen = new Set<string>();
  for (const def of definitions) {
    const file = path.join(root, `${def.name}.md`);
    const refuse = (reason: string) => result.refused.push({ name: def.name, file, reason });
    if (!AGENT_NAME_PATTERN.test(def.name) || path.basename(file) !== `${def.name}.md` || path.dirname(path.join(realRoot, `${def.name}.md`)) !== realRoot) {
      refuse(`"${def.name}" is not an agent name (1-64 lower-case letters, digits, '-' or '_'): it could name a path outside the folder`);
      continue;
    }
    if (seen.has(def.name)) {
      refuse(`"${def.name}" is exported once already`);
      continue;
    }
    seen.add(def.name);
    const target = path.join(realRoot, `${def.name}.md`);
    const text = toClaudeCodeSubagent(def, { source: opts.sourceOf?.(def) });
    const existing = inspect(target);
    if (existing.kind === "other") {
      refuse(`${target} exists and is not a file`);
      continue;
    }
    if (existing.kind !== "none") {
      if (sources.has(realOrSelf(target))) {
        refuse(`${target} is the definition being exported (export into another folder)`);
        continue;
      }
      if (existing.kind === "file" && existing.text === text) {
        result.unchanged.push(target);
        continue;
      }
      const ours = existing.kind === "file" && isExported(existing.text);
      if (!ours && !opts.force) {
        refuse(`${target} exists and was not written by agentdesk agents export (use --force to replace it)`);
        continue;
      }
    }
    try {
      writeAtomic(target, text);
      result.written.push(target);
    } catch (error) {
      refuse(`${target} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  return result;
}

/** Whether a file's text is one this export wrote. */
export function isExported(text: string): boolean {
  return /^\uFEFF?---[ \t]*\r?\n/.test(text) && text.replace(/^\uFEFF?---[ \t]*\r?\n/, "").startsWith(EXPORT_MARKER);
}

type Existing = { kind: "none" } | { kind: "file"; text: string } | { kind: "link" } | { kind: "other" };

function inspect(file: string): Existing {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return { kind: "none" };
  }
  if (stat.isSymbolicLink()) return { kind: "link" };
  if (!stat.isFile()) return { kind: "other" };
  try {
    // A stray huge file is not ours; reading its first bytes is enough to tell.
    const fd = fs.openSync(file, "r");
    try {
      const buffer = Buffer.alloc(Math.min(stat.size, 1024 * 1024));
      const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
      return { kind: "file", text: buffer.subarray(0, read).toString("utf8") };
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { kind: "other" };
  }
}

function realOrSelf(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** Write to a temporary file beside the target, then rename over it (a link is replaced, not followed). */
function writeAtomic(file: string, text: string): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temp, text, { encoding: "utf8", flag: "wx", mode: 0o644 });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
