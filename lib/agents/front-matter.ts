import "server-only";
// Front matter (a `---` fenced YAML block at the top of a markdown file), split and parsed with the
// `yaml` package under the same limits as every other YAML the app reads (lib/protocol/yaml.ts).
// This replaces gray-matter, which bundles js-yaml 3 (YAML 1.1) and would evaluate a `---js` block.
// Nothing here evaluates anything: a front matter in another language is refused, never run.
import { parseDocument, YAMLParseError } from "yaml";
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES } from "@/lib/protocol/yaml";

export type FrontMatterSplit =
  /** The file does not start with a `---` line: all of it is content. */
  | { kind: "none"; content: string }
  /** A `---` opening line without a closing `---` line after it. */
  | { kind: "unclosed"; language: string }
  /**
   * `matter` is the raw text between the fences (not parsed, never evaluated), `language` what
   * followed the opening `---` (`""`, `yaml`, `js`...), `content` everything after the closing line.
   */
  | { kind: "found"; language: string; matter: string; content: string };

const OPENING = /^---(?!-)/;
const CLOSING = /^---[ \t]*$/;

/** Splits a file into its front matter and its content. A byte order mark is dropped; CRLF is kept as it is. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const source = text.replace(/^\uFEFF/, "");
  const firstEnd = lineEnd(source, 0);
  const first = source.slice(0, firstEnd.end);
  if (!OPENING.test(first)) return { kind: "none", content: source };
  const language = first.slice(3).trim();
  let at = firstEnd.next;
  while (at < source.length) {
    const { end, next } = lineEnd(source, at);
    if (CLOSING.test(source.slice(at, end))) {
      return { kind: "found", language, matter: source.slice(firstEnd.next, at), content: source.slice(next) };
    }
    at = next;
  }
  return { kind: "unclosed", language };
}

/** Where the line starting at `from` ends (before its `\n` or `\r\n`) and where the next one starts. */
function lineEnd(s: string, from: number): { end: number; next: number } {
  const nl = s.indexOf("\n", from);
  if (nl === -1) return { end: s.length, next: s.length };
  return { end: nl > from && s[nl - 1] === "\r" ? nl - 1 : nl, next: nl + 1 };
}

export type FrontMatterError =
  | { reason: "missing" }
  | { reason: "unclosed" }
  | { reason: "language"; language: string }
  | { reason: "too_large"; limit: number }
  /** Invalid YAML or over a limit; `line` is the file's line number when YAML knows it. */
  | { reason: "yaml"; message: string; line?: number };

/**
 * `quoted`: the front matter was not valid YAML, and was read after quoting these keys' values, as
 * Claude Code reads its subagent files (see quoteLooseValues); absent when it parsed as written.
 */
export type FrontMatterResult = { ok: true; data: unknown; content: string; quoted?: string[] } | ({ ok: false } & FrontMatterError);

/**
 * Splits and parses a file's YAML front matter (`---`, `---yaml` or `---yml`). An empty front matter
 * (nothing, or only comments) reads as `{}`. The data is whatever YAML 1.2 (core schema) says it is:
 * the caller checks its shape.
 */
export function parseFrontMatter(text: string): FrontMatterResult {
  if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) return { ok: false, reason: "too_large", limit: MAX_FILE_BYTES };
  const split = splitFrontMatter(text);
  if (split.kind === "none") return { ok: false, reason: "missing" };
  const language = split.language.toLowerCase();
  if (language !== "" && language !== "yaml" && language !== "yml") return { ok: false, reason: "language", language: split.language };
  if (split.kind === "unclosed") return { ok: false, reason: "unclosed" };
  // One leading newline stands for the opening line, so YAML's line numbers are the file's; without
  // the last line break an unclosed quote is reported on its own line, not on the closing fence's.
  const matter = split.matter.replace(/\r?\n$/, "");
  let doc = parseDocument(`\n${matter}`, { uniqueKeys: true, prettyErrors: true });
  let quoted: string[] | undefined;
  if (doc.errors.length) {
    const loose = quoteLooseValues(matter);
    const retry = loose ? parseDocument(`\n${loose.text}`, { uniqueKeys: true, prettyErrors: true }) : null;
    if (!loose || !retry || retry.errors.length) return { ok: false, ...yamlError(doc.errors[0]) };
    doc = retry;
    quoted = loose.keys;
  }
  const ok = (data: unknown) => (quoted ? { ok: true as const, data, content: split.content, quoted } : { ok: true as const, data, content: split.content });
  if (doc.contents === null) return ok({});
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, ...yamlError(error) };
  }
  const problem = shapeProblem(data);
  if (problem) return { ok: false, reason: "yaml", message: problem };
  return ok(data);
}

// A plain value with one of these in it is what breaks hand-written front matter: "Use when: ...",
// "user: ...", "#3", "<example>", "@file", "*".
const LOOSE_VALUE = /[{}[\]*&#!|>%@`]|: /;

/**
 * Claude Code's own fallback for a front matter that is not valid YAML (claude.exe 2.1.332, the
 * function after "Failed to parse YAML frontmatter"): each top-level `key: value` line whose plain
 * value holds one of LOOSE_VALUE's characters is read as a double-quoted string, and tabs that indent
 * a line become two spaces each. Real subagent files rely on it (a description such as
 * `Use this agent when: ... user: "..."` unquoted). Unlike Claude Code, a value that starts a flow list
 * or mapping (`[`, `{`) is left alone, so a broken list stays an error rather than becoming text.
 * null when nothing would change. Lines are kept one for one, so YAML's line numbers stay the file's.
 */
export function quoteLooseValues(matter: string): { text: string; keys: string[] } | null {
  const keys: string[] = [];
  let changed = false;
  const lines = matter.split("\n").map((raw) => {
    const cr = raw.endsWith("\r") ? "\r" : "";
    const line = cr ? raw.slice(0, -1) : raw;
    const untabbed = line.replace(/^\t+/, (tabs) => "  ".repeat(tabs.length));
    if (untabbed !== line) changed = true;
    const m = /^([a-zA-Z_-]+):\s+(\S.*)$/.exec(untabbed);
    if (!m) return untabbed + cr;
    const [, key, value] = m as unknown as [string, string, string];
    if (/^(["']).*\1$/.test(value) || /^[[{|>]/.test(value) || !LOOSE_VALUE.test(value)) return untabbed + cr;
    keys.push(key);
    changed = true;
    return `${key}: "${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"${cr}`;
  });
  return changed ? { text: lines.join("\n"), keys } : null;
}

function yamlError(error: unknown): { reason: "yaml"; message: string; line?: number } {
  const first = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const message = first.replace(/\s+at line \d+, column \d+:?\s*$/, "").trim();
  const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
  return line ? { reason: "yaml", message, line } : { reason: "yaml", message };
}

/** The same shape limits as lib/protocol/yaml.ts: nesting depth, number of values, no `__proto__` key. */
function shapeProblem(root: unknown): string | null {
  let nodes = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) return `more than ${MAX_NODES} values`;
    if (depth > MAX_DEPTH) return `nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (k === "__proto__") return "uses the key __proto__";
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
  }
  return null;
}
