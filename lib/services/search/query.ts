import "server-only";
import type { Priority } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { clampLimit } from "../cursor";
import { messageDto, type MessageDto } from "../dto";
import { ServiceError } from "../errors";

/**
 * One part of what a person typed: a word, a "double-quoted phrase" or a `prefix*`. `words` are the
 * part's runs of letters, digits and `_` (a word such as `col:umn` is one part per run, each a word
 * of its own; a phrase keeps its runs in order). A run such as `foo_bar` stays one: both engines
 * split it into the phrase "foo bar" (FTS5's tokenizer, agentdesk_fts_query), `rate_lim*` into
 * "rate lim" with its prefix on `lim`.
 */
export interface SearchPart {
  words: string[];
  prefix: boolean;
}

/** The most parts a search keeps (the rest of the text is ignored). */
const MAX_PARTS = 12;

/**
 * What a person types, parsed once for every engine: words (AND-ed), "double-quoted phrases", a
 * trailing `*` as prefix on a word's last run. Nothing in user text is ever an operator.
 */
export function parseSearch(q: string): SearchPart[] {
  const parts: SearchPart[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(q)) && parts.length < MAX_PARTS) {
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}_]+/gu);
      if (words?.length) parts.push({ words, prefix: false });
      continue;
    }
    const raw = m[2];
    const prefix = raw.endsWith("*");
    const words = raw.match(/[\p{L}\p{N}_]+/gu);
    if (!words) continue;
    const last = words.length - 1;
    words.forEach((w, i) => parts.push({ words: [w], prefix: prefix && i === last }));
  }
  return parts;
}

/** The parts as an FTS5 query: every run quoted (so `AND`, `-`, `:` and quotes are never operators), a prefix as `"w"*`. */
export const ftsOf = (parts: SearchPart[]): string | null => (parts.length ? parts.map((p) => `"${p.words.join(" ")}"${p.prefix ? "*" : ""}`).join(" ") : null);

/**
 * Turns what a person types into a safe FTS5 query: every word quoted (so `AND`, `-`, `:` and
 * quotes in user text are never operators), "double-quoted phrases" kept, a trailing * as prefix.
 * It is also the normalised query every search result reports (`query`), whatever the engine.
 */
export const toFtsQuery = (q: string): string | null => ftsOf(parseSearch(q));

/** Marks around matches in snippets: control characters, so no HTML is ever built on the server. */
export const HIT_START = "\u0002";
export const HIT_END = "\u0003";

/**
 * Up to this many matches are ranked by relevance (bm25); beyond it, the newest matches come first.
 * bm25 costs per match and per query term (its term statistics read every posting of the term):
 * ranking a common word over the million-message bench dataset took 1.1-1.7 s, ranking at most
 * 1,000 matches takes a few ms, and finding out whether there are more than 1,000 costs ≤ 6 ms.
 */
export const RANK_WINDOW = 1000;

/** How a search page was ordered: by relevance, or newest first because the query matched too much to rank. */
export type SearchOrder = "relevance" | "newest";

/** The longest a search may be. */
export const MAX_QUERY = 500;

export interface SearchHit extends MessageDto {
  snippet: string;
}

export interface SearchMessagesResult {
  items: SearchHit[];
  query: string | null;
  order: SearchOrder;
}

/** A message search as both engines run it: parsed, scoped, limited. */
export interface MessageSearch {
  parts: SearchPart[];
  /** The FTS5 spelling of the parts (the result's `query`). */
  fts: string;
  /** The one inbox searched (always the agent's own for an agent), or every inbox. */
  inbox: string | undefined;
  limit: number;
}

/** The checks and scoping of searchMessages, the same on every engine; null when nothing can match. */
export function messageSearchOf(ctx: ServiceContext, q: { q: string; inbox?: string; limit?: number }): MessageSearch | null {
  const parts = parseSearch(q.q);
  if (q.q.length > MAX_QUERY) throw new ServiceError("validation_failed", `The search is too long (${MAX_QUERY} characters at most)`, { fields: { q: ["Too long"] } });
  const fts = ftsOf(parts);
  if (!fts) return null;
  const inbox = ctx.actor.kind === "agent" ? ctx.actor.name : q.inbox;
  return { parts, fts, inbox, limit: clampLimit(q.limit, 20, 100) };
}

/** A search hit from a messages row read with raw SQL (snake_case columns) and its snippet. */
export function hitFromRow(r: Record<string, unknown>, snippet: string): SearchHit {
  const m = {
    seq: Number(r.seq),
    id: r.id as string,
    threadId: r.thread_id as string,
    inReplyTo: (r.in_reply_to as string) ?? null,
    fromKind: r.from_kind as "agent" | "person" | "system",
    fromName: r.from_name as string,
    toInbox: r.to_inbox as string,
    type: r.type as string,
    priority: r.priority as Priority,
    subject: r.subject as string,
    body: r.body as string,
    instructionId: (r.instruction_id as string) ?? null,
    taskId: (r.task_id as string) ?? null,
    stepPosition: r.step_position == null ? null : Number(r.step_position),
    createdAt: Number(r.created_at),
    readAt: r.read_at == null ? null : Number(r.read_at),
    answeredAt: r.answered_at == null ? null : Number(r.answered_at),
    archivedAt: r.archived_at == null ? null : Number(r.archived_at),
    sourcePath: (r.source_path as string) ?? null,
    original: null,
  };
  return { ...messageDto(m), snippet };
}
