import "server-only";
import { createHash } from "node:crypto";
import path from "node:path";
import {
  AGENT_NAME_PATTERN,
  AgentDefinition,
  MAX_DEFINITION_BYTES,
  type AgentProblem,
  type AgentStep,
  type AgentWorkflow,
  type MemoryOwnership,
  type MemoryPath,
} from "./definition";
import { parseFrontMatter, type FrontMatterError } from "./front-matter";

export interface ParseAgentDefinitionResult {
  definition?: AgentDefinition;
  problems: AgentProblem[];
}

const MODELLED_KEYS = new Set([
  "name",
  "description",
  "tier",
  "domain",
  "model",
  "color",
  "capabilities",
  "tools",
]);

// Real definitions without a Response Approach still describe a procedure under one of these
// headings (the security-specialist sample has "## Review Priorities"). Using it beats giving the
// agent no steps at all; stepsSource records the heading so the UI can say where steps came from.
const FALLBACK_STEP_SECTIONS = new Set(["review_priorities", "workflow", "process", "approach"]);

export function parseAgentDefinition(text: string, sourcePath: string): ParseAgentDefinitionResult {
  const problems: AgentProblem[] = [];
  const fail = (message: string): ParseAgentDefinitionResult => ({
    problems: [...problems, { file: sourcePath, message, severity: "error" }],
  });

  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_DEFINITION_BYTES) {
    return fail(`file is larger than 1 MiB (${bytes} bytes)`);
  }

  const parsed = parseFrontMatter(text);
  if (!parsed.ok) return fail(describeFrontMatterError(parsed));
  const { data, content } = parsed;
  if (parsed.quoted) {
    problems.push({
      file: sourcePath,
      message: `front matter is not valid YAML as written; read as Claude Code reads it, with the value${parsed.quoted.length === 1 ? "" : "s"} of ${parsed.quoted.join(", ")} taken as text (quote ${parsed.quoted.length === 1 ? "it" : "them"} to silence this)`,
      severity: "warning",
    });
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return fail(`front matter is not a mapping of keys to values (found ${describeValue(data)})`);
  }
  const front = data as Record<string, unknown>;

  const name = readName(front.name, sourcePath);
  if ("error" in name) return fail(name.error);
  if (name.fallback) {
    problems.push({
      file: sourcePath,
      message: `front matter has no name; using "${name.value}" from the file name`,
      severity: "warning",
    });
  }

  const texts: Record<string, string | null> = {};
  for (const key of ["description", "tier", "domain", "model", "color"] as const) {
    const value = readText(front[key], key);
    if (typeof value === "object" && value !== null) return fail(value.error);
    texts[key] = value;
  }
  // As Claude Code reads a subagent file (lib/agents/claude-code.ts): a literal "\n" in the
  // description is a line break (its one-line descriptions carry <example> blocks that way), and
  // `model: Inherit` in any case is "inherit" (use the session's model).
  if (texts.description) texts.description = texts.description.replaceAll("\\n", "\n");
  if (texts.model?.toLowerCase() === "inherit") texts.model = "inherit";
  const capabilities = readList(front.capabilities, "capabilities");
  if (!Array.isArray(capabilities)) return fail(capabilities.error);
  const listed = readList(front.tools, "tools");
  if (!Array.isArray(listed)) return fail(listed.error);
  // `tools: "*"` is Claude Code's "every tool", which an empty list already says.
  const tools = listed.includes("*") ? [] : listed;

  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(front)) {
    if (!MODELLED_KEYS.has(key)) extra[key] = value;
  }

  const body = content.replace(/\r\n?/g, "\n");
  const lines = scanLines(body);
  const sections = findSections(lines);
  const { steps, stepsSource, workflows, emptyResponseApproach } = pickSteps(sections, lines);
  if (workflows.length > 0 && "workflows" in extra) {
    problems.push({
      file: sourcePath,
      message: "front matter key \"workflows\" is hidden on the agent by the workflows of the steps section (rename the key)",
      severity: "warning",
    });
  }
  if (emptyResponseApproach) {
    problems.push({
      file: sourcePath,
      message: "the Response Approach section has no numbered steps",
      severity: "warning",
    });
  }

  const candidate = {
    name: name.value,
    title: findTitle(lines),
    description: texts.description,
    tier: texts.tier,
    domain: texts.domain,
    model: texts.model,
    color: texts.color,
    capabilities,
    tools,
    steps,
    stepsSource,
    workflows,
    memory: parseMemory(sections.find((s) => s.slug === "memory_ownership")),
    resources: findResources(body),
    extra,
    body,
    sourcePath,
    contentHash: createHash("sha256").update(text, "utf8").digest("hex"),
  };
  // A guard against this parser drifting from the published schema, not user-facing validation.
  const checked = AgentDefinition.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return fail(`definition is incomplete (${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"})`);
  }
  return { definition: checked.data, problems };
}

// ---------------------------------------------------------------------------------------------
// Front matter fields

function describeFrontMatterError(error: FrontMatterError): string {
  switch (error.reason) {
    case "missing":
      return "has no YAML front matter (a definition starts with a '---' line)";
    case "unclosed":
      return "front matter is not closed (no '---' line after it)";
    case "language":
      return `front matter must be YAML, not "${error.language}"`;
    case "too_large":
      return `file is larger than 1 MiB`;
    case "yaml":
      return `front matter is not valid YAML (${error.line ? `line ${error.line}: ` : ""}${error.message})`;
  }
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

type NameResult = { value: string; fallback: boolean } | { error: string };

function readName(raw: unknown, sourcePath: string): NameResult {
  const given = isScalar(raw) ? String(raw).trim() : raw;
  if (given === undefined || given === null || given === "") {
    const fromFile = nameFromPath(sourcePath);
    if (!AGENT_NAME_PATTERN.test(fromFile)) {
      return {
        error: `front matter has no name, and the file name "${fromFile}" is not a valid agent name (${NAME_RULE})`,
      };
    }
    return { value: fromFile, fallback: true };
  }
  if (typeof given !== "string") {
    return { error: `name must be text, not ${describeValue(given)}` };
  }
  if (!AGENT_NAME_PATTERN.test(given)) {
    return { error: `name ${JSON.stringify(given)} is not a valid agent name (${NAME_RULE})` };
  }
  return { value: given, fallback: false };
}

const NAME_RULE = "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit";

function nameFromPath(sourcePath: string): string {
  const base = path.basename(sourcePath);
  if (/^skill\.md$/i.test(base)) return path.basename(path.dirname(sourcePath));
  return base.replace(/\.md$/i, "");
}

function readText(raw: unknown, key: string): string | null | { error: string } {
  if (raw === undefined || raw === null) return null;
  if (!isScalar(raw)) return { error: `${key} must be text, not ${describeValue(raw)}` };
  const value = String(raw).trim();
  return value === "" ? null : value;
}

// Both shapes occur in real files: `tools: Read, Grep` (Claude Code's subagent format) and a YAML
// list of capabilities. A comma inside parentheses does not split, as in Claude Code's own reading
// of `tools` (`Bash(git add, git commit), Read` is two tools).
function readList(raw: unknown, key: string): string[] | { error: string } {
  if (raw === undefined || raw === null) return [];
  let items: unknown[];
  if (typeof raw === "string") items = splitCommas(raw);
  else if (Array.isArray(raw)) items = raw;
  else return { error: `${key} must be a list or a comma-separated string, not ${describeValue(raw)}` };

  const out: string[] = [];
  for (const [index, item] of items.entries()) {
    if (item === null || item === undefined) continue;
    if (!isScalar(item)) {
      return { error: `${key} item ${index + 1} must be text, not ${describeValue(item)}` };
    }
    const value = String(item).trim();
    if (value !== "" && !out.includes(value)) out.push(value);
  }
  return out;
}

/** Splits on the commas outside parentheses. */
function splitCommas(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth++;
    else if (char === ")") depth = Math.max(0, depth - 1);
    if (char === "," && depth === 0) {
      out.push(current);
      current = "";
    } else current += char;
  }
  out.push(current);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markdown structure. Deliberately line-based rather than a full markdown AST: the files are
// written by hand in a few known shapes, and we need their literal text (guidance keeps its
// markdown) more than a rendering model. Fenced code is tracked so that `# comment` lines and
// `---` document markers inside YAML examples are not taken for headings or rules.

interface Line {
  text: string;
  fenced: boolean;
}

interface Section {
  slug: string;
  lines: Line[];
}

function scanLines(body: string): Line[] {
  const out: Line[] = [];
  let fence: { char: string; length: number } | null = null;
  for (const text of body.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(text);
    if (fence) {
      out.push({ text, fenced: true });
      if (marker && marker[1]![0] === fence.char && marker[1]!.length >= fence.length && marker[2]!.trim() === "") {
        fence = null;
      }
    } else if (marker) {
      fence = { char: marker[1]![0]!, length: marker[1]!.length };
      out.push({ text, fenced: true });
    } else {
      out.push({ text, fenced: false });
    }
  }
  return out;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

// A `## ` section runs until the next heading of level 1-2 or a `---` rule, which is how the real
// files separate their sections.
function findSections(lines: Line[]): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  for (const line of lines) {
    if (!line.fenced) {
      const heading = HEADING.exec(line.text);
      if (heading && heading[1]!.length <= 2) {
        current = heading[1]!.length === 2 ? { slug: slugify(heading[2]!), lines: [] } : null;
        if (current) sections.push(current);
        continue;
      }
      if (THEMATIC_BREAK.test(line.text)) {
        current = null;
        continue;
      }
    }
    current?.lines.push(line);
  }
  return sections;
}

function findTitle(lines: Line[]): string | null {
  for (const line of lines) {
    if (line.fenced) continue;
    const heading = HEADING.exec(line.text);
    if (heading && heading[1] === "#" && heading[2]!.trim() !== "") return heading[2]!.trim();
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Steps

function pickSteps(
  sections: Section[],
  lines: Line[],
): {
  steps: AgentStep[];
  stepsSource: string | null;
  workflows: AgentWorkflow[];
  emptyResponseApproach: boolean;
} {
  const approaches = sections.filter((s) => s.slug === "response_approach");
  for (const section of approaches) {
    const found = sectionSteps(section, true);
    if (found.steps.length > 0) return { ...found, stepsSource: "response_approach", emptyResponseApproach: false };
  }
  for (const section of sections) {
    if (!FALLBACK_STEP_SECTIONS.has(section.slug)) continue;
    const found = sectionSteps(section, false);
    if (found.steps.length > 0) {
      return { ...found, stepsSource: section.slug, emptyResponseApproach: approaches.length > 0 };
    }
  }
  const labelled = labelledSteps(lines);
  if (labelled) return { ...labelled, workflows: [], emptyResponseApproach: approaches.length > 0 };
  return { steps: [], stepsSource: null, workflows: [], emptyResponseApproach: approaches.length > 0 };
}

// Claude Code subagents rarely have a "## Response Approach" section; their procedure is a numbered
// list under a line like "When invoked:" (the examples of Claude Code's documentation), "Review
// process:", "**Workflow:**" or a "### Workflow" sub-heading. Only a label naming a procedure counts,
// so a numbered list of rules ("Constraints:") never becomes steps.
const PROCEDURE_LABEL = /^(?:when (?:you are |you're )?(?:invoked|called|activated|asked|started)\b.*|(?:[a-z][a-z -]{0,40} )?(?:workflow|process|procedure|approach|steps|method|methodology))$/i;

/** The first numbered list right under a procedure label, outside fenced code; null when none. */
function labelledSteps(lines: Line[]): { steps: AgentStep[]; stepsSource: string } | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.fenced) continue;
    const heading = HEADING.exec(line.text);
    const label = heading ? (heading[1]!.length >= 2 ? heading[2]! : null) : /^ {0,3}(\S.*?):?[ \t]*$/.exec(line.text)?.[1];
    if (!label || (!heading && !/:(?:\*\*|__)?[ \t]*$/.test(line.text))) continue;
    const words = cleanTitle(label.replace(/[`*_]/g, "")).replace(/\s*:$/, "");
    if (!PROCEDURE_LABEL.test(words)) continue;
    // Under a heading, the list may have paragraphs between its items (up to the next heading as
    // high); under a label line, it is the list right below it.
    const block = heading ? headingBlock(lines, i + 1, heading[1]!.length) : listBlock(lines, i + 1);
    const steps = parseSteps(block, false);
    // "when_invoked" for every "When ...:" label; else the label's slug ("workflow", "review_process").
    if (steps.length > 0) return { steps, stepsSource: /^when\b/i.test(words) ? "when_invoked" : slugify(words) };
  }
  return null;
}

function headingBlock(lines: Line[], from: number, level: number): Line[] {
  const block: Line[] = [];
  for (const line of lines.slice(from)) {
    const heading = line.fenced ? null : HEADING.exec(line.text);
    if ((heading && heading[1]!.length <= level) || (!line.fenced && THEMATIC_BREAK.test(line.text))) break;
    block.push(line);
  }
  return block;
}

/**
 * The numbered list starting at `from` (blank lines before it allowed): its items and their indented
 * continuation lines, up to the first line that is neither (a paragraph, a heading, the next label).
 */
function listBlock(lines: Line[], from: number): Line[] {
  let at = from;
  while (at < lines.length && lines[at]!.text.trim() === "" && !lines[at]!.fenced) at++;
  if (at >= lines.length || lines[at]!.fenced || !NUMBERED_ITEM.test(lines[at]!.text)) return [];
  const block: Line[] = [];
  for (; at < lines.length; at++) {
    const line = lines[at]!;
    const blank = line.text.trim() === "";
    if (!line.fenced && !blank && !/^[ \t]/.test(line.text) && !NUMBERED_ITEM.test(line.text)) break;
    block.push(line);
  }
  return block;
}

function sectionSteps(section: Section, allowBullets: boolean): { steps: AgentStep[]; workflows: AgentWorkflow[] } {
  const workflows = parseWorkflows(section.lines);
  if (workflows) return { steps: workflows[0]!.steps, workflows };
  return { steps: parseSteps(section.lines, allowBullets), workflows: [] };
}

// "### Phase 2", "### Step 3: Build": sub-headings that number a sequence rather than name alternatives.
const SEQUENCE_HEADING = /^(?:phase|stage|step|part|round)\b\s*\d/i;
const FIRST_NUMBER = /^ {0,3}(\d{1,4})[.)][ \t]+\S/;

/**
 * Several numbered lists, each under its own sub-heading (`###` or deeper), one per kind of request:
 * alternatives, returned as named workflows. null when the section is one procedure, possibly in
 * parts: a numbered list before the first sub-heading, fewer than two lists under sub-headings, a
 * list whose numbering continues the one before (4, 5... after 1-3), or sub-headings that number a
 * sequence ("Phase 1", "Step 2").
 */
function parseWorkflows(lines: Line[]): AgentWorkflow[] | null {
  const headingLevel = (line: Line) => {
    if (line.fenced) return null;
    const heading = HEADING.exec(line.text);
    return heading && heading[1]!.length >= 3 ? heading[1]!.length : null;
  };
  const levels = lines.map(headingLevel).filter((l): l is number => l !== null);
  if (levels.length < 2) return null;
  const level = Math.min(...levels);

  const lead: Line[] = [];
  const parts: { heading: string; lines: Line[] }[] = [];
  for (const line of lines) {
    if (headingLevel(line) === level) {
      parts.push({ heading: HEADING.exec(line.text)![2]!, lines: [] });
      continue;
    }
    (parts.at(-1)?.lines ?? lead).push(line);
  }
  if (parseSteps(lead, false).length > 0) return null;

  const workflows: AgentWorkflow[] = [];
  for (const part of parts) {
    const steps = parseSteps(part.lines, false);
    if (steps.length === 0) continue; // "### Notes" and the like
    const name = cleanTitle(part.heading.replace(/`/g, ""));
    if (name === "" || SEQUENCE_HEADING.test(name)) return null;
    const first = part.lines.find((l) => !l.fenced && FIRST_NUMBER.test(l.text));
    const number = first ? Number(FIRST_NUMBER.exec(first.text)![1]) : 1;
    if (workflows.length > 0 && number !== 1) return null;
    let unique = name;
    for (let n = 2; workflows.some((w) => w.name.toLowerCase() === unique.toLowerCase()); n++) unique = `${name} (${n})`;
    workflows.push({ name: unique, steps });
  }
  return workflows.length >= 2 ? workflows : null;
}

const NUMBERED_ITEM = /^([ \t]*)\d{1,4}[.)](?:[ \t]+(.*))?$/;
const BULLET_ITEM = /^([ \t]*)[-*+](?:[ \t]+(.*))?$/;

interface RawItem {
  head: string;
  // Width of "1. " (marker and spacing): continuation lines lose at most that much indentation,
  // so nested lists keep their shape relative to the item.
  contentIndent: number;
  rest: string[];
  // Where text separated from the item by a blank line and not indented begins; such text belongs
  // to the item only when another item follows (long-form files put paragraphs between items),
  // otherwise it is a trailer like "See @resources/..." after the list.
  detachedAt: number | null;
}

function parseSteps(lines: Line[], allowBullets: boolean): AgentStep[] {
  let pattern = NUMBERED_ITEM;
  let start = findFirstItem(lines, pattern);
  if (start === -1 && allowBullets) {
    pattern = BULLET_ITEM;
    start = findFirstItem(lines, pattern);
  }
  if (start === -1) return [];

  const baseIndent = indentOf(pattern.exec(lines[start]!.text)![1]!);
  const items: RawItem[] = [];
  let current: RawItem | null = null;
  let afterBlank = false;
  for (const line of lines.slice(start)) {
    const item = line.fenced ? null : pattern.exec(line.text);
    if (item && indentOf(item[1]!) <= baseIndent) {
      const head = item[2] ?? "";
      current = { head: head.trim(), contentIndent: line.text.length - head.length, rest: [], detachedAt: null };
      items.push(current);
      afterBlank = false;
      continue;
    }
    if (!current) continue;
    if (line.text.trim() === "") {
      current.rest.push("");
      afterBlank = true;
      continue;
    }
    const indented = indentOf(/^[ \t]*/.exec(line.text)![0]) > baseIndent;
    if (afterBlank && !indented && current.detachedAt === null) {
      current.detachedAt = current.rest.length;
    }
    current.rest.push(line.text);
    afterBlank = false;
  }
  const last = items.at(-1);
  if (last && last.detachedAt !== null) last.rest = last.rest.slice(0, last.detachedAt);

  const steps: AgentStep[] = [];
  for (const item of items) {
    const { title, guidance } = splitTitle(item.head);
    const more = dedent(item.rest, item.contentIndent);
    const fullGuidance = [guidance, more].filter((part) => part !== "").join("\n");
    if (title === "") continue;
    steps.push({ position: steps.length + 1, title, guidance: fullGuidance.trim() });
  }
  return steps;
}

function findFirstItem(lines: Line[], pattern: RegExp): number {
  return lines.findIndex((line) => {
    if (line.fenced) return false;
    const match = pattern.exec(line.text);
    return match !== null && indentOf(match[1]!) <= 3 && (match[2] ?? "").trim() !== "";
  });
}

function indentOf(whitespace: string): number {
  let width = 0;
  for (const char of whitespace) width += char === "\t" ? 4 - (width % 4) : 1;
  return width;
}

function dedent(lines: string[], width: number): string {
  return lines
    .map((l) => l.slice(Math.min(width, /^[ \t]*/.exec(l)![0].length)).trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function stripBold(text: string): string {
  return text.replace(/\*\*|__/g, "");
}

function cleanTitle(text: string): string {
  return stripBold(text).trim().replace(/\s*:$/, "").trim();
}

// "**Title** - guidance", "**Title**: guidance", "**Title:** guidance", "Title - guidance",
// "Title: guidance", or a bare "Title".
function splitTitle(head: string): { title: string; guidance: string } {
  const bold = /^(\*\*|__)(.+?)\1(.*)$/.exec(head);
  if (bold) {
    const guidance = bold[3]!.replace(/^\s*[-–—:]?\s*/, "");
    return { title: cleanTitle(bold[2]!), guidance: guidance.trim() };
  }
  const separator = /\s[-–—]\s|:(?:\s|$)/.exec(head);
  if (separator) {
    return {
      title: cleanTitle(head.slice(0, separator.index)),
      guidance: head.slice(separator.index + separator[0].length).trim(),
    };
  }
  return { title: cleanTitle(head), guidance: "" };
}

// ---------------------------------------------------------------------------------------------
// Memory Ownership: "**Reads**:" labels or "### Reads" / "### Read access" sub-headings, each
// followed by bullets.

function parseMemory(section: Section | undefined): MemoryOwnership {
  const memory: MemoryOwnership = { reads: [], writes: [] };
  if (!section) return memory;
  let target: MemoryPath[] | null = null;
  for (const line of section.lines) {
    if (line.fenced) continue;
    const label = memoryLabel(line.text);
    if (label !== undefined) {
      target = label === "reads" ? memory.reads : label === "writes" ? memory.writes : null;
      continue;
    }
    const bullet = BULLET_ITEM.exec(line.text);
    const text = bullet?.[2]?.trim();
    if (target && text) target.push(memoryPath(text));
  }
  return memory;
}

// undefined: not a label line; null: a label for something else (ends the current list).
function memoryLabel(text: string): "reads" | "writes" | null | undefined {
  const heading = HEADING.exec(text);
  const label =
    heading && heading[1]!.length >= 3
      ? heading[2]!
      : (/^ {0,3}(\*\*|__)([^*_]+?)\1[ \t]*:?[ \t]*$/.exec(text)?.[2] ??
        /^ {0,3}([A-Za-z][A-Za-z /-]{0,30}):[ \t]*$/.exec(text)?.[1]);
  if (label === undefined) return undefined;
  const words = label.replace(/[:*_`]/g, "").trim().toLowerCase();
  if (/^reads?\b|^read[ -]access\b/.test(words)) return "reads";
  if (/^writes?\b|^write[ -]access\b/.test(words)) return "writes";
  return null;
}

function memoryPath(text: string): MemoryPath {
  const code = /`([^`]+)`/.exec(text);
  if (!code || code[1]!.trim() === "") return { path: stripBold(text).trim() };
  const rest = (text.slice(0, code.index) + " " + text.slice(code.index + code[0].length))
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[-–—:]\s*/, "")
    .trim();
  return rest === "" ? { path: code[1]!.trim() } : { path: code[1]!.trim(), note: rest };
}

// ---------------------------------------------------------------------------------------------

function findResources(body: string): string[] {
  const found: string[] = [];
  for (const match of body.matchAll(/(?<![\w@])@(resources\/[^\s`'"<>()[\]{}]+)/g)) {
    const ref = match[1]!.replace(/[.,;:!?]+$/, "");
    if (ref !== "resources/" && !found.includes(ref)) found.push(ref);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------

/**
 * The body with a bulleted Response Approach written as a numbered list ("- **Read** - r" becomes
 * "1. **Read** - r"), for tools that read the body as a prompt (a Claude Code subagent): a numbered
 * list says "in this order". Everything else, and a Response Approach that is numbered already, is
 * left as written; the steps parsed from the result are the same.
 */
export function numberResponseApproach(body: string): string {
  const lines = scanLines(body.replace(/\r\n?/g, "\n"));
  const texts = lines.map((l) => l.text);
  for (let i = 0; i < lines.length; i++) {
    const heading = lines[i]!.fenced ? null : HEADING.exec(lines[i]!.text);
    if (!heading || heading[1]!.length !== 2 || slugify(heading[2]!) !== "response_approach") continue;
    let end = i + 1;
    while (end < lines.length) {
      const line = lines[end]!;
      const next = line.fenced ? null : HEADING.exec(line.text);
      if ((next && next[1]!.length <= 2) || (!line.fenced && THEMATIC_BREAK.test(line.text))) break;
      end++;
    }
    const section = lines.slice(i + 1, end);
    // Numbered already (or sub-headed workflows, which are numbered): nothing to do.
    if (findFirstItem(section, NUMBERED_ITEM) !== -1) return body;
    const first = findFirstItem(section, BULLET_ITEM);
    if (first === -1) continue;
    const base = indentOf(BULLET_ITEM.exec(section[first]!.text)![1]!);
    let n = 0;
    for (let j = i + 1 + first; j < end; j++) {
      const line = lines[j]!;
      const item = line.fenced ? null : BULLET_ITEM.exec(line.text);
      if (!item || indentOf(item[1]!) !== base || (item[2] ?? "").trim() === "") continue;
      texts[j] = `${item[1]}${++n}. ${item[2]!.trim()}`;
    }
    return texts.join("\n");
  }
  return body;
}
