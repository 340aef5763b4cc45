import "server-only";
import type { ServiceContext } from "../context";
import { clampLimit, decodeCursor, encodeCursor } from "../cursor";
import { ServiceError } from "../errors";
import { searchBackend, type KindRun } from "./backend";
import { ftsOf, MAX_QUERY, parseSearch, RANK_WINDOW, type SearchOrder } from "./query";

/** What "search everywhere" finds, in the order ties are broken. */
export const searchKinds = ["task", "output", "instruction", "message"] as const;
export type SearchKind = (typeof searchKinds)[number];

export interface SearchAllQuery {
  q: string;
  /** Only these kinds in the results (counts are given for every kind the caller may search). */
  kinds?: readonly SearchKind[];
  /** Tasks and outputs of this agent, messages to its inbox, instructions with a task for it. */
  agent?: string;
  /** A task's or output's status, an instruction's phase; kinds without that status find nothing (messages have none). */
  status?: string;
  /** Created at or after (ms since the epoch). */
  from?: number;
  /** Created before (ms since the epoch). */
  to?: number;
  limit?: number;
  cursor?: string | null;
}

export interface SearchAllHit {
  kind: SearchKind;
  id: string;
  /** The task's title, "task title · v2" for an output, the instruction's title, the message's subject. */
  title: string;
  /** The best passage, matches between HIT_START and HIT_END. */
  snippet: string;
  /** Task or output status, instruction phase, message type. */
  status: string | null;
  /** The task's agent (tasks, outputs), the recipient (messages). */
  agent: string | null;
  createdAt: string;
  links: { taskId: string | null; taskRef: string | null; outputId: string | null; version: number | null; instructionId: string | null; messageId: string | null; threadId: string | null };
  /** Lower is better (bm25 on SQLite, minus ts_rank_cd on PostgreSQL) when the kind's matches were ranked; null when newest first. */
  score: number | null;
}

export interface SearchAllResult {
  items: SearchAllHit[];
  nextCursor: string | null;
  /** Matches per kind, counted up to RANK_WINDOW (see `more`), with the filters but whatever `kinds` says. */
  counts: Record<SearchKind, number>;
  /** Kinds with more than RANK_WINDOW matches: counted as RANK_WINDOW, their hits newest first. */
  more: SearchKind[];
  /** The kinds this caller may search (an agent: not instructions, which agents see through their tasks). */
  searchable: SearchKind[];
  order: Partial<Record<SearchKind, SearchOrder>>;
  query: string | null;
}

/** Better first: ranked hits by bm25, then the newest-first kinds' hits by time; ties by kind, then id. */
function better(a: SearchAllHit, b: SearchAllHit): boolean {
  if (a.score !== null && b.score !== null && a.score !== b.score) return a.score < b.score;
  if ((a.score === null) !== (b.score === null)) return a.score !== null;
  if (a.score === null && a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  const ka = searchKinds.indexOf(a.kind);
  const kb = searchKinds.indexOf(b.kind);
  return ka !== kb ? ka < kb : a.id < b.id;
}

/**
 * Search everywhere: tasks (title, description, acceptance criteria), outputs (every version's
 * content), instructions (title, body) and messages (subject, body), each through its engine's
 * full-text index (search/backend.ts) with searchMessages' bounded approach: per kind the newest RANK_WINDOW + 1 matches (the count),
 * then at most that many ranked by bm25, or the newest first when there are more; rows and snippets
 * for the page only. Kinds are merged by taking the better head each time (so a longer page starts
 * with the shorter one: the cursor is an offset, up to RANK_WINDOW). An agent searches what the
 * list endpoints show it: its own tasks, their outputs, its own inbox; no instructions.
 */
export function searchAll(ctx: ServiceContext, q: SearchAllQuery): SearchAllResult {
  if (q.q.length > MAX_QUERY) throw new ServiceError("validation_failed", `The search is too long (${MAX_QUERY} characters at most)`, { fields: { q: ["Too long"] } });
  const limit = clampLimit(q.limit, 20, 100);
  const c = decodeCursor(q.cursor, 1);
  const offset = c ? c[0] : 0;
  if (typeof offset !== "number" || !Number.isInteger(offset) || offset < 0 || offset >= RANK_WINDOW) {
    throw new ServiceError("validation_failed", "The cursor is not valid: use the nextCursor of the previous page", { fields: { cursor: ["Invalid cursor"] } });
  }
  const searchable = searchKinds.filter((k) => !(k === "instruction" && ctx.actor.kind === "agent"));
  const counts: Record<SearchKind, number> = { task: 0, output: 0, instruction: 0, message: 0 };
  const parts = parseSearch(q.q);
  const fts = ftsOf(parts);
  const empty: SearchAllResult = { items: [], nextCursor: null, counts, more: [], searchable, order: {}, query: fts };
  if (!fts) return empty;
  const wanted = new Set(q.kinds?.length ? q.kinds : searchKinds);
  const want = Math.min(offset + limit + 1, RANK_WINDOW + 1);

  const backend = searchBackend(ctx.db);
  const runs: KindRun[] = [];
  const more: SearchKind[] = [];
  const order: Partial<Record<SearchKind, SearchOrder>> = {};
  for (const kind of searchable) {
    const run = backend.kind(ctx, kind, q, parts, fts, wanted.has(kind) ? want : null);
    if (!run) continue;
    counts[kind] = run.count;
    if (run.order === "newest") more.push(kind);
    if (wanted.has(kind)) {
      order[kind] = run.order;
      runs.push(run);
    }
  }

  // Merge: the heads of each kind's candidates need their rows (time, for the newest-first kinds),
  // so the rows are read for the candidates up to `want` per kind, at most a few hundred rows.
  // Snippets for the page only when at least as many candidates as the page holds would be left
  // out (PostgreSQL builds them per row: two kinds of 21 candidates each, 20 on the page); for
  // fewer, a second round trip per kind costs more than the snippets it saves.
  const lazy = runs.reduce((sum, run) => sum + run.candidates.length, 0) >= 2 * limit;
  const keyOf = new Map<SearchAllHit, number | string>();
  const rowsOf = runs.map((run) => {
    const hits = run.hits(
      run.candidates.map((x) => x.key),
      !(lazy && run.lazySnippets),
    );
    return run.candidates.flatMap((x) => {
      const h = hits.get(x.key);
      if (h) keyOf.set(h, x.key);
      return h ? [h] : [];
    });
  });
  const merged: SearchAllHit[] = [];
  const heads = rowsOf.map(() => 0);
  while (merged.length < offset + limit + 1) {
    let best = -1;
    for (let i = 0; i < rowsOf.length; i++) {
      if (heads[i] >= rowsOf[i].length) continue;
      if (best < 0 || better(rowsOf[i][heads[i]], rowsOf[best][heads[best]])) best = i;
    }
    if (best < 0) break;
    merged.push(rowsOf[best][heads[best]++]);
  }
  const items = merged.slice(offset, offset + limit);
  if (lazy) {
    runs.forEach((run, i) => {
      if (!run.lazySnippets) return;
      const page = items.filter((h) => rowsOf[i].includes(h));
      if (page.length === 0) return;
      const full = run.hits(page.map((h) => keyOf.get(h)!));
      for (const h of page) h.snippet = full.get(keyOf.get(h)!)?.snippet ?? h.snippet;
    });
  }
  const end = offset + limit;
  const nextCursor = merged.length > end && end < RANK_WINDOW ? encodeCursor([end]) : null;
  return { items, nextCursor, counts, more, searchable, order, query: fts };
}
