// Reads a run's stored log (run_log) as a Claude Code session: `claude -p --output-format
// stream-json --verbose` prints one JSON object per line (system/init, assistant, user, result).
// Pure and dependency-free: the run panel parses on the client, blocked reasons and escalations
// on the server. Nothing here throws on odd input: an unknown shape is a generic `line` entry.
//
// Split lines: lib/runners/output.ts cuts a line longer than MAX_LOG_LINE_CHARS (4 000) into
// consecutive rows of exactly 4 000 characters plus a shorter last one, on the same stream, with no
// marker. A long assistant message or tool result is one JSON line, so it arrives as several rows
// none of which parses. The rejoin rule is in `joinSplitLines` below.

/** The length output.ts cuts long lines at (MAX_LOG_LINE_CHARS in lib/services/runs/append-run-output.ts). */
export const LOG_LINE_SPLIT_CHARS = 4000;
/** The MCP server name runs are given (MCP_SERVER_NAME in lib/runners/presets.ts). */
export const AGENTDESK_MCP_SERVER = "agentdesk";

/** One stored log line: a run_log row or its DTO (`at` in ms or ISO). */
export interface TranscriptLine {
  seq: number;
  stream: string;
  text: string;
  at: number | string;
  /**
   * Set by the splitter when it exists: true when this row continues the previous row of the same
   * stream. When the field is absent the pieces are recognised by their length (see above).
   */
  cont?: boolean;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

interface EntryBase {
  /** Unique within one parse (for React keys): the first line's seq, and the block index. */
  key: string;
  /** The (first) line this entry was read from. */
  seq: number;
  /** Epoch ms of that line. */
  at: number;
}

export interface InitEntry extends EntryBase {
  kind: "init";
  sessionId?: string;
  model?: string;
  cwd?: string;
  version?: string;
  permissionMode?: string;
  toolsCount: number;
  mcpServers: { name: string; status: string }[];
  /** The status of the AgentDesk MCP server ("connected", "failed", ...), when listed. */
  agentdeskStatus?: string;
}

export interface TextEntry extends EntryBase {
  kind: "text";
  role: "assistant" | "user";
  text: string;
  messageId?: string;
  /** Set for a sub-agent's messages (the Task tool call they belong to). */
  parentToolUseId?: string;
}

export interface ThinkingEntry extends EntryBase {
  kind: "thinking";
  text: string;
  messageId?: string;
  parentToolUseId?: string;
}

export interface ToolStepRef {
  position: number;
  /** The call's taskId argument (the step belongs to that task). */
  taskId?: string;
  /** update_step's new status. */
  status?: string;
  note?: string;
}

export interface ToolCallEntry extends EntryBase {
  kind: "tool_call";
  id: string;
  /** As Claude Code names it: `mcp__agentdesk__update_step`, `Bash`, ... */
  name: string;
  /** Without the `mcp__<server>__` prefix: `update_step`, `Bash`. */
  shortName: string;
  /** The MCP server of an MCP tool. */
  server?: string;
  agentdesk: boolean;
  input: Record<string, unknown>;
  /** The step an AgentDesk tool touched (update_step: position and status; others: their stepPosition). */
  step?: ToolStepRef;
  messageId?: string;
  parentToolUseId?: string;
  /** Folded in from the matching tool_result (undefined while the call has no result yet). */
  result?: string;
  isError?: boolean;
  resultSeq?: number;
  resultAt?: number;
}

/** A tool result whose call is not among the lines parsed (an earlier page not loaded). */
export interface ToolResultEntry extends EntryBase {
  kind: "tool_result";
  toolUseId: string;
  result: string;
  isError: boolean;
}

export interface ResultEntry extends EntryBase {
  kind: "result";
  subtype: string;
  isError: boolean;
  text?: string;
  durationMs?: number;
  durationApiMs?: number;
  numTurns?: number;
  costUsd?: number;
  usage?: TokenUsage;
  sessionId?: string;
}

export interface LineEntry extends EntryBase {
  kind: "line";
  stream: string;
  text: string;
  /** For JSON of a shape not shown otherwise: its `type` (and `subtype`), e.g. `system/compact_boundary`. */
  label?: string;
  /** Pieces of a split line that could not be rejoined (its other pieces are missing). */
  partial?: boolean;
}

export type TranscriptEntry = InitEntry | TextEntry | ThinkingEntry | ToolCallEntry | ToolResultEntry | ResultEntry | LineEntry;

/* ---------------- reading lines ---------------- */

type Json = Record<string, unknown>;
/** A physical line, or several rejoined, with its JSON object when it is one. */
interface Logical {
  seq: number;
  at: number;
  stream: string;
  text: string;
  json: Json | null;
  partial?: boolean;
}

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const toMs = (at: number | string): number => (typeof at === "number" ? at : Date.parse(at) || 0);

function parseObject(text: string): Json | null {
  if (text.length < 2 || text.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const v: unknown = JSON.parse(text);
    return isObj(v) ? v : null;
  } catch {
    return null;
  }
}

// Re-parsing every loaded line on each new page is cheap: the lines a client holds keep their
// identity between pages (useRunLog appends), so each one is JSON.parsed once.
const parsedOnce = new WeakMap<TranscriptLine, Json | null>();
function parseLine(l: TranscriptLine): Json | null {
  let v = parsedOnce.get(l);
  if (v === undefined) {
    v = parseObject(l.text);
    parsedOnce.set(l, v);
  }
  return v;
}

function ordered(lines: readonly TranscriptLine[]): TranscriptLine[] {
  let sorted = true;
  for (let i = 1; i < lines.length; i++) if (lines[i].seq <= lines[i - 1].seq) sorted = false;
  if (sorted) return lines as TranscriptLine[];
  const bySeq = new Map<number, TranscriptLine>();
  for (const l of lines) bySeq.set(l.seq, l);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Rejoins JSON lines output.ts split. A row opens a join when it starts with `{`, does not parse
 * alone, and is exactly `splitAt` long (or the next row of its stream has `cont: true`). The next
 * rows of the same stream are appended (rows of other streams in between keep their place) while
 * the text does not parse and the last piece was a full one. When it never parses (a piece is
 * missing: dropped over the run's line limit, or in a page not loaded yet) the rows stay separate
 * raw lines, marked `partial`; parsing again with the missing rows loaded joins them.
 */
function joinSplitLines(lines: readonly TranscriptLine[], splitAt: number): Logical[] {
  const out: Logical[] = [];
  const used = new Set<number>();
  // A piece continues the previous row of its stream: by the splitter's mark, else by that row's length.
  const continues = (prev: TranscriptLine, piece: TranscriptLine) => piece.cont ?? prev.text.length === splitAt;
  for (let i = 0; i < lines.length; i++) {
    if (used.has(i)) continue;
    const l = lines[i];
    const json = parseLine(l);
    const row: Logical = { seq: l.seq, at: toMs(l.at), stream: l.stream, text: l.text, json };
    out.push(row);
    if (json || l.text.charCodeAt(0) !== 123 /* { */) continue;
    const parts = [l.text];
    const taken: number[] = [];
    let prev = l;
    for (let j = nextOfStream(lines, i); j >= 0 && continues(prev, lines[j]); j = nextOfStream(lines, j)) {
      prev = lines[j];
      parts.push(prev.text);
      taken.push(j);
      // A whole JSON object ends with "}": parse only then (a long line is many pieces).
      const joined = prev.text.endsWith("}") ? parseObject(parts.join("")) : null;
      if (joined) {
        for (const t of taken) used.add(t);
        row.text = parts.join("");
        row.json = joined;
        break;
      }
    }
  }
  // What stayed unjoined but looks cut (a full-length row, or the row after one) is marked.
  const last = new Map<string, Logical>();
  for (const o of out) {
    const before = last.get(o.stream);
    if (!o.json && (o.text.length === splitAt || (before && !before.json && before.text.length === splitAt))) o.partial = true;
    last.set(o.stream, o);
  }
  return out;
}

function nextOfStream(lines: readonly TranscriptLine[], i: number): number {
  for (let j = i + 1; j < lines.length; j++) if (lines[j].stream === lines[i].stream) return j;
  return -1;
}

/* ---------------- entries ---------------- */

const TYPES = new Set(["system", "assistant", "user", "result"]);

function usageOf(v: unknown): TokenUsage | undefined {
  if (!isObj(v)) return undefined;
  return {
    inputTokens: num(v.input_tokens) ?? 0,
    outputTokens: num(v.output_tokens) ?? 0,
    cacheReadTokens: num(v.cache_read_input_tokens) ?? 0,
    cacheCreationTokens: num(v.cache_creation_input_tokens) ?? 0,
  };
}

/** `mcp__agentdesk__update_step` → server `agentdesk`, tool `update_step`. */
export function splitToolName(name: string): { server?: string; shortName: string; agentdesk: boolean } {
  const m = /^mcp__(.+?)__(.+)$/.exec(name);
  if (!m) return { shortName: name, agentdesk: false };
  return { server: m[1], shortName: m[2], agentdesk: m[1] === AGENTDESK_MCP_SERVER };
}

function stepOf(shortName: string, input: Json): ToolStepRef | undefined {
  const position = num(input.position) ?? num(input.stepPosition);
  if (position === undefined) return undefined;
  const taskId = str(input.taskId);
  if (shortName === "update_step") return { position, taskId, status: str(input.status), note: str(input.note) };
  return { position, taskId };
}

/** A tool_result's content: a string, or blocks of which the text ones are read. */
export function toolResultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((b) => (isObj(b) ? (str(b.text) ?? (b.type === "image" ? "[image]" : str(b.type) ? `[${String(b.type)}]` : "")) : typeof b === "string" ? b : ""))
      .filter(Boolean)
      .join("\n");
  if (content == null) return "";
  try {
    return JSON.stringify(content);
  } catch {
    return String(content);
  }
}

function label(j: Json): string {
  const t = str(j.type) ?? "json";
  const s = str(j.subtype);
  return s ? `${t}/${s}` : t;
}

export interface ParseOptions {
  /** Defaults to LOG_LINE_SPLIT_CHARS. */
  splitAt?: number;
}

/**
 * The log as a transcript: init, the agent's text, each tool call with its result folded in,
 * the final result, and everything else as generic lines. Lines may come in any order and
 * overlap (they are ordered by seq); call again with all loaded lines when more arrive.
 */
export function parseTranscript(lines: readonly TranscriptLine[], opts: ParseOptions = {}): TranscriptEntry[] {
  const logical = joinSplitLines(ordered(lines), opts.splitAt ?? LOG_LINE_SPLIT_CHARS);
  const entries: TranscriptEntry[] = [];
  const calls = new Map<string, ToolCallEntry>();
  // Blocks of one message id already shown (in case a message is printed again, whole).
  const texts = new Set<string>();
  for (const l of logical) {
    const j = l.json;
    const key = String(l.seq);
    const generic = (): LineEntry => ({ kind: "line", key, seq: l.seq, at: l.at, stream: l.stream, text: l.text, label: j ? label(j) : undefined, partial: l.partial });
    if (!j || !TYPES.has(str(j.type) ?? "")) {
      entries.push(generic());
      continue;
    }
    const parent = str(j.parent_tool_use_id);
    if (j.type === "system") {
      if (j.subtype !== "init") {
        entries.push(generic());
        continue;
      }
      const servers = Array.isArray(j.mcp_servers) ? j.mcp_servers.filter(isObj).map((s) => ({ name: str(s.name) ?? "?", status: str(s.status) ?? "unknown" })) : [];
      entries.push({
        kind: "init",
        key,
        seq: l.seq,
        at: l.at,
        sessionId: str(j.session_id),
        model: str(j.model),
        cwd: str(j.cwd),
        version: str(j.claude_code_version),
        permissionMode: str(j.permissionMode),
        toolsCount: Array.isArray(j.tools) ? j.tools.length : 0,
        mcpServers: servers,
        agentdeskStatus: servers.find((s) => s.name === AGENTDESK_MCP_SERVER)?.status,
      });
    } else if (j.type === "result") {
      entries.push({
        kind: "result",
        key,
        seq: l.seq,
        at: l.at,
        subtype: str(j.subtype) ?? "unknown",
        isError: j.is_error === true || (str(j.subtype) ?? "success") !== "success",
        text: str(j.result),
        durationMs: num(j.duration_ms),
        durationApiMs: num(j.duration_api_ms),
        numTurns: num(j.num_turns),
        costUsd: runCostOf(j),
        usage: usageOf(j.usage),
        sessionId: str(j.session_id),
      });
    } else {
      // assistant or user: a message whose content is a string or a list of blocks.
      const msg = isObj(j.message) ? j.message : null;
      const role = j.type === "assistant" ? "assistant" : "user";
      const messageId = msg ? str(msg.id) : undefined;
      const content = msg?.content;
      const blocks: unknown[] = typeof content === "string" ? [{ type: "text", text: content }] : Array.isArray(content) ? content : [];
      let shown = false;
      blocks.forEach((b, i) => {
        if (!isObj(b)) return;
        const base = { key: `${key}:${i}`, seq: l.seq, at: l.at };
        if (b.type === "text" && typeof b.text === "string") {
          shown = true;
          const seen = messageId ? `${messageId}\u0000${b.text}` : null;
          if (seen && texts.has(seen)) return;
          if (seen) texts.add(seen);
          if (b.text.trim()) entries.push({ kind: "text", ...base, role, text: b.text, messageId, parentToolUseId: parent });
        } else if (b.type === "thinking" && typeof b.thinking === "string") {
          shown = true;
          if (b.thinking.trim()) entries.push({ kind: "thinking", ...base, text: b.thinking, messageId, parentToolUseId: parent });
        } else if (b.type === "tool_use" && typeof b.id === "string") {
          shown = true;
          // The same block printed again: keep the first (with any result it already has).
          if (calls.has(b.id)) return;
          const name = str(b.name) ?? "?";
          const n = splitToolName(name);
          const input = isObj(b.input) ? b.input : {};
          const call: ToolCallEntry = { kind: "tool_call", ...base, id: b.id, name, ...n, input, step: n.agentdesk ? stepOf(n.shortName, input) : undefined, messageId, parentToolUseId: parent };
          calls.set(b.id, call);
          entries.push(call);
        } else if (b.type === "tool_result" && typeof b.tool_use_id === "string") {
          shown = true;
          const result = toolResultText(b.content);
          const isError = b.is_error === true;
          const call = calls.get(b.tool_use_id);
          if (call) Object.assign(call, { result, isError, resultSeq: l.seq, resultAt: l.at });
          else entries.push({ kind: "tool_result", ...base, toolUseId: b.tool_use_id, result, isError });
        }
      });
      // A message with no block read here (unknown block types) stays visible as a line.
      if (!shown) entries.push(generic());
    }
  }
  return entries;
}

/* ---------------- summaries ---------------- */

/** True when the log looks like Claude Code stream-json (then the panel shows the transcript). */
export function isStreamJson(lines: readonly TranscriptLine[]): boolean {
  let looked = 0;
  for (const l of lines) {
    if (l.stream !== "stdout") continue;
    const j = parseLine(l);
    if (j && TYPES.has(str(j.type) ?? "") && (typeof j.session_id === "string" || isObj(j.message))) return true;
    if (++looked >= 400) break;
  }
  return false;
}

export interface RunUsage extends TokenUsage {
  sessionId?: string;
  /** From the result line (Claude Code's own estimate). */
  costUsd?: number;
  perMessage: { messageId: string; at: number; usage: TokenUsage }[];
}

/** Tokens of a session: each assistant message id counted once; the result line's totals win when present. */
export function runUsage(lines: readonly TranscriptLine[], opts: ParseOptions = {}): RunUsage {
  const logical = joinSplitLines(ordered(lines), opts.splitAt ?? LOG_LINE_SPLIT_CHARS);
  const byId = new Map<string, { messageId: string; at: number; usage: TokenUsage }>();
  let result: Json | null = null;
  let sessionId: string | undefined;
  for (const l of logical) {
    const j = l.json;
    if (!j) continue;
    if (!sessionId || (j.type === "system" && j.subtype === "init")) sessionId = str(j.session_id) ?? sessionId;
    if (j.type === "result") result = j;
    if (j.type !== "assistant" || !isObj(j.message)) continue;
    const id = str(j.message.id);
    const u = usageOf(j.message.usage);
    if (!id || !u) continue;
    // The same message printed once per content block: the usage repeats (or grows); keep the largest.
    const seen = byId.get(id);
    if (!seen) byId.set(id, { messageId: id, at: l.at, usage: u });
    else
      seen.usage = {
        inputTokens: Math.max(seen.usage.inputTokens, u.inputTokens),
        outputTokens: Math.max(seen.usage.outputTokens, u.outputTokens),
        cacheReadTokens: Math.max(seen.usage.cacheReadTokens, u.cacheReadTokens),
        cacheCreationTokens: Math.max(seen.usage.cacheCreationTokens, u.cacheCreationTokens),
      };
  }
  const perMessage = [...byId.values()];
  const sum: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
  for (const m of perMessage) for (const k of Object.keys(sum) as (keyof TokenUsage)[]) sum[k] += m.usage[k];
  const total = (result && usageOf(result.usage)) ?? sum;
  const costUsd = result ? runCostOf(result) : undefined;
  return { sessionId, ...total, costUsd, perMessage };
}

/**
 * The cost of this run from a result line. A resumed session's total_cost_usd counts the whole
 * session, earlier runs included (measured with Claude Code 2.1.332: 2.31, then 5.57 = 2.31 + 3.26);
 * model_usage_since_last_result has this run's share per model, so it wins when present.
 */
function runCostOf(result: Record<string, unknown>): number | undefined {
  const since = result.model_usage_since_last_result;
  if (since && typeof since === "object" && !Array.isArray(since)) {
    const costs = Object.values(since as Record<string, unknown>).map((m) => (m && typeof m === "object" ? num((m as Record<string, unknown>).costUSD) : undefined));
    if (costs.length && costs.every((c) => c !== undefined)) return costs.reduce((a, c) => a! + c!, 0);
  }
  return num(result.total_cost_usd) ?? num(result.cost_usd);
}

/** The Claude Code session id (from init, else from any line carrying one). */
export function sessionIdOf(lines: readonly TranscriptLine[]): string | undefined {
  let any: string | undefined;
  for (const l of ordered(lines)) {
    const j = parseLine(l);
    if (!j) continue;
    const id = str(j.session_id);
    if (id && j.type === "system" && j.subtype === "init") return id;
    any ??= id;
  }
  return any;
}

function keepEnd(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 1) return text.slice(text.length - Math.max(0, maxChars));
  return "…" + text.slice(text.length - maxChars + 1);
}

/**
 * Plain readable text about how the run ended, at most `maxChars` (the end is kept): for Claude
 * Code, the agent's last top-level texts and the final result (or how it stopped); for other logs,
 * or a session that printed nothing readable, the last lines as they are.
 */
export function readableExcerpt(lines: readonly TranscriptLine[], maxChars: number): string {
  if (maxChars <= 0) return "";
  const raw = () => {
    const out: string[] = [];
    let size = 0;
    const all = ordered(lines);
    for (let i = all.length - 1; i >= 0 && size < maxChars; i--) {
      out.unshift(all[i].text);
      size += all[i].text.length + 1;
    }
    return keepEnd(out.join("\n"), maxChars);
  };
  if (!isStreamJson(lines)) return raw();
  const entries = parseTranscript(lines);
  const parts: string[] = [];
  let size = 0;
  let result: ResultEntry | undefined;
  for (const e of entries) if (e.kind === "result") result = e;
  if (result) {
    const how = result.subtype === "success" && !result.isError ? "" : `[${result.subtype}${result.numTurns !== undefined ? ` after ${result.numTurns} turns` : ""}]`;
    const text = [how, result.text?.trim() ?? ""].filter(Boolean).join(" ");
    if (text) {
      parts.unshift(text);
      size += text.length;
    }
  }
  const end = result ? entries.lastIndexOf(result) : entries.length;
  for (let i = end - 1; i >= 0 && size < maxChars; i--) {
    const e = entries[i];
    if (e.kind !== "text" || e.role !== "assistant" || e.parentToolUseId) continue;
    const t = e.text.trim();
    // The result usually repeats the last text: say it once.
    if (result?.text && result.text.trim() === t) continue;
    parts.unshift(t);
    size += t.length + 2;
  }
  if (!parts.length) {
    const errs = entries.filter((e): e is LineEntry => e.kind === "line" && !e.label && e.stream !== "system");
    return errs.length ? keepEnd(errs.map((e) => e.text).join("\n"), maxChars) : raw();
  }
  return keepEnd(parts.join("\n\n"), maxChars);
}
