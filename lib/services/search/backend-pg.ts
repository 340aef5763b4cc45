import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { instructionPhases, outputStatuses, taskStatuses } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import type { Candidate, KindRun, SearchBackend } from "./backend";
import { hitFromRow, RANK_WINDOW, type MessageSearch, type SearchHit, type SearchOrder, type SearchPart } from "./query";
import { snippetOf, wordsOf, type FoldedPart } from "./snippet";
import type { SearchAllHit, SearchAllQuery, SearchKind } from "./search-all";

// Search on PostgreSQL: the stored `fts tsvector` columns of messages, tasks, outputs and
// instructions, each with a GIN index, in the text search configuration `ad_simple` (simple +
// unaccent: no accents, no stemming, as FTS5's unicode61 remove_diacritics 2; db/migrations-pg/0001),
// of the words agentdesk_fts_words splits and lower-cases as FTS5 does (0005); and `fts_pairs`, each
// pair of neighbouring words of a column as one lexeme, for phrases (0005). Weights name the columns
// FTS5 indexes separately: A the first text column, B the second, C the third. The steps are
// searchMessages' on FTS5 (backend-sqlite.ts): the newest RANK_WINDOW + 1 matches, ranked
// (ts_rank_cd) when that is all of them, snippets for the page's rows only (snippet.ts).

/**
 * The parts of a search as one tsquery, AND-ed (`&&`): each part through agentdesk_fts_query
 * (db/migrations-pg/0005), which splits and folds it as the indexed text: a word or a "phrase" as
 * phraseto_tsquery (a word such as `foo_bar` is the phrase foo <-> bar, as FTS5 reads it), a
 * `prefix*` with its last word as a prefix (websearch_to_tsquery has no prefixes).
 */
export function tsQuery(parts: SearchPart[]): SQL {
  return sql`(${sql.join(
    parts.map((p) => sql`agentdesk_fts_query(${p.words.join(" ")}::text, ${p.prefix})`),
    sql` && `,
  )})`;
}

/**
 * A search as the conditions that find it on a row `b`: `words` on fts (its GIN index has no
 * positions: a phrase there is every row holding its words, checked one by one), `pairs` on
 * fts_pairs for the phrases (their neighbouring words, each pair one lexeme of its GIN index). A
 * phrase of two words is its pair alone; a longer one needs both (its pairs, then the order).
 */
export interface Match {
  words: SQL | null;
  pairs: SQL | null;
  /** The whole search as one tsquery (ranking). */
  all: SQL;
}

export function matchOf(parts: SearchPart[]): Match {
  const phrases = parts.filter((p) => !p.prefix && wordsOf(p.words.join(" ")).length > 1);
  const rest = parts.filter((p) => p.prefix || wordsOf(p.words.join(" ")).length !== 2);
  return {
    words: rest.length ? tsQuery(rest) : null,
    pairs: phrases.length
      ? sql`(${sql.join(
          phrases.map((p) => sql`agentdesk_fts_pairs_query(${p.words.join(" ")}::text)`),
          sql` && `,
        )})`
      : null,
    all: tsQuery(parts),
  };
}

/** The match's conditions; `indexed` names the one the GIN index may serve (the others are written so that no index does). */
function conditions(m: Pick<Match, "words" | "pairs">, indexed: "words" | "pairs" | "both" | null): SQL[] {
  const out: SQL[] = [];
  const c = (col: string, q: SQL, free: boolean) => (free ? sql`${sql.raw(col)} @@ ${q}` : sql`(${sql.raw(col)} @@ ${q}) IS TRUE`);
  if (m.words) out.push(c("b.fts", m.words, indexed === "words" || indexed === "both"));
  if (m.pairs) out.push(c("b.fts_pairs", m.pairs, indexed === "pairs" || indexed === "both"));
  return out;
}

/** ts_rank_cd's weights {D, C, B, A} per table, after FTS5's bm25 weights (migrations 0006, 0012). */
const WEIGHTS = {
  messages: "{0, 0, 1, 1}",
  tasks: "{0, 0.5, 0.5, 1}",
  outputs: "{0, 0, 0, 1}",
  instructions: "{0, 0, 0.5, 1}",
} as const;

/** ts_rank_cd with document length normalisation (rank / (1 + log(length))), so a short match ranks above a diluted one, as bm25 does. */
const rankOf = (table: keyof typeof WEIGHTS, q: SQL) => sql`ts_rank_cd(${WEIGHTS[table]}::real[], b.fts, ${q}, 1)`;

/** The words of `text` as the index folds them (agentdesk_fts_words, then unaccent as `ad_simple`), for snippets. */
const folded = (text: SQL) => sql`unaccent(agentdesk_fts_words(coalesce(${text}, '')))`;
const split = (f: unknown) => (typeof f === "string" ? f.split(" ").filter(Boolean) : []);

/** The parts folded as the index folds words, to find them in snippets (one round trip per search). */
function foldedParts(ctx: ServiceContext, parts: SearchPart[]): FoldedPart[] {
  const row = ctx.db.get<Record<string, string>>(
    sql`SELECT ${sql.join(
      parts.map((p, i) => sql`${folded(sql`${p.words.join(" ")}::text`)} AS ${sql.identifier(`p${i}`)}`),
      sql`, `,
    )}`,
  );
  return parts.map((p, i) => ({ words: split(row?.[`p${i}`]), prefix: p.prefix }));
}

const list = (keys: (number | string)[]) =>
  sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  );

/**
 * Where "find the newest n matches" is searched, and how. `where` holds the conditions beside the
 * match (filters, scope) on the row `b`; `inbox` a message search within one inbox.
 */
interface Scan {
  table: "tasks" | "outputs" | "instructions" | "messages";
  /** Newest first: messages by seq, the others by id (time-ordered ids, lib/ids.ts). */
  key: "id" | "seq";
  where: SQL[];
  /** A filter runs a subquery for each row it tests (an instruction's tasks). */
  subquery?: boolean;
  inbox?: string;
}

/** How many of an inbox's newest messages a walk tests one by one before the GIN index is asked for the older ones. */
export const INBOX_WALK = 20_000;

/** The planner's estimate of the rows of a query (EXPLAIN, no execution: the column statistics of `fts`). */
function estimateRows(ctx: ServiceContext, query: SQL): number {
  const row = ctx.db.all<Record<string, unknown>>(sql`EXPLAIN (FORMAT JSON) ${query}`)[0];
  const v = row ? Object.values(row)[0] : null;
  const plan = (typeof v === "string" ? JSON.parse(v) : v) as { Plan?: { "Plan Rows"?: number } }[] | null;
  return Number(plan?.[0]?.Plan?.["Plan Rows"] ?? 0);
}

/** How newestMatches finds the matches: walking newest first (null: the planner's choice, before the table has statistics), and which GIN index serves otherwise. */
interface Choice {
  walk: boolean | null;
  indexed: "words" | "pairs" | "both";
}

/**
 * Whether to find the newest matches by walking the rows newest first and testing each (cheap when
 * matches are frequent: 1,001 of them come early), rather than from a GIN index and a sort (cheap
 * when they are few); and which GIN index, words or pairs: the one with the fewer rows (a phrase of
 * common words: its pairs, 10,000 rows where its words hold 250,000). Walking reads about
 * n × driving / matches rows (driving: the rows the filters leave, on their own index, or all rows),
 * the index its own condition's rows before the filters (`indexed`): the two cost the same at
 * indexed × matches ≈ n × driving, without filters at matches ≈ √(n × rows), about 32,000 for
 * 1,001 of a million messages. A filter with a subquery per row costs the index's way twice (it
 * tests every match, the walk only until n are found: an instruction's tasks for the agent filter,
 * 20-27 ms → 7 ms). The planner's own choice, from the same statistics, walked 72,000 messages to find
 * 1,000 of a 1.5% word (2.5 times the index's time) and, within an inbox, joined the inbox index with
 * the posting lists of frequent words (docs/plans/postgresql.md §4.6). The estimates are the
 * planner's (EXPLAIN of the conditions: the column statistics of `fts` and `fts_pairs`).
 */
function choose(ctx: ServiceContext, scan: Pick<Scan, "table" | "where" | "subquery">, m: Match, n: number): Choice {
  const rows = Number(ctx.db.get<{ n: number }>(sql`SELECT reltuples AS n FROM pg_class WHERE oid = ${scan.table}::regclass`)?.n ?? -1);
  if (rows < 0) return { walk: null, indexed: "both" };
  const estimate = (conds: SQL[]) => estimateRows(ctx, sql`SELECT 1 FROM ${sql.raw(scan.table)} b WHERE ${sql.join(conds, sql` AND `)}`);
  const words = m.words ? estimate(conditions({ ...m, pairs: null }, "both")) : Infinity;
  const pairs = m.pairs ? estimate(conditions({ ...m, words: null }, "both")) : Infinity;
  const indexed = Math.min(words, pairs);
  const both = m.words && m.pairs;
  const matches = scan.where.length ? estimate([...conditions(m, "both"), ...scan.where]) : both ? estimate(conditions(m, "both")) : indexed;
  const driving = scan.where.length ? estimate(scan.where) : rows;
  return { walk: indexed * matches * (scan.subquery ? 2 : 1) >= n * driving, indexed: words <= pairs ? "words" : "pairs" };
}

/** Whether newestMatches walks newest first for this search (choose). */
export const walkFirst = (ctx: ServiceContext, table: Scan["table"], parts: SearchPart[], n: number, where: SQL[] = []): boolean | null => choose(ctx, { table, where }, matchOf(parts), n).walk;

const inboxSeqIndex = new WeakMap<object, boolean>();
/** Whether messages has a btree index on (to_inbox, seq), looked up once per database. */
export function hasInboxSeqIndex(ctx: ServiceContext): boolean {
  let has = inboxSeqIndex.get(ctx.db.$engine);
  if (has === undefined) {
    has = ctx.db.all(sql`SELECT 1 AS one FROM pg_indexes WHERE tablename = 'messages' AND indexdef LIKE '%USING btree (to_inbox, seq)'`).length > 0;
    inboxSeqIndex.set(ctx.db.$engine, has);
  }
  return has;
}

/**
 * The newest `n` matches, keys newest first. Frequent matches: a walk newest first (the match
 * written so that no index serves it); within an inbox, on messages_inbox_seq_idx, over at most its
 * INBOX_WALK newest messages, then for the older ones, if the walk found too few (a frequent term
 * can still be rare in one inbox), a GIN index. Rare matches: a GIN index, then a sort.
 */
function newestMatches(ctx: ServiceContext, scan: Scan, parts: SearchPart[], n: number): (number | string)[] {
  const m = matchOf(parts);
  const k = sql.raw(`b.${scan.key}`);
  const t = sql.raw(scan.table);
  const keyOf = (r: { k: number | string }) => (scan.key === "seq" ? Number(r.k) : r.k);
  const cond = (match: SQL[], extra: SQL[] = []) => sql.join([...match, ...scan.where, ...(scan.inbox !== undefined ? [sql`b.to_inbox = ${scan.inbox}`] : []), ...extra], sql` AND `);
  const newest = (match: SQL[], extra: SQL[], limit: number) =>
    ctx.db.all<{ k: number | string }>(sql`SELECT ${k} AS k FROM ${t} b WHERE ${cond(match, extra)} ORDER BY ${k} DESC LIMIT ${limit}`).map(keyOf);
  // The inbox walk needs the inbox's messages in seq order (messages_inbox_seq_idx): without it,
  // reading an inbox newest first means reading it whole, worse than the planner's own choice.
  const c: Choice = scan.inbox !== undefined && !hasInboxSeqIndex(ctx) ? { walk: null, indexed: "both" } : choose(ctx, scan, m, n);
  const fromIndex = (extra: SQL[], limit: number) =>
    ctx.db
      .all<{ k: number | string }>(sql`WITH m AS MATERIALIZED (SELECT ${k} AS k FROM ${t} b WHERE ${cond(conditions(m, c.indexed), extra)}) SELECT k FROM m ORDER BY k DESC LIMIT ${limit}`)
      .map(keyOf);
  if (c.walk === null) return newest(conditions(m, "both"), [], n);
  if (!c.walk) return fromIndex([], n);
  const tested = conditions(m, null);
  if (scan.inbox === undefined) return newest(tested, [], n);
  // Within an inbox: its newest INBOX_WALK messages (from the INBOX_WALK-th newest, read on the
  // index alone), tested newest first until n match; then a GIN index for the older ones (a phrase's
  // pairs: its words' index would hand over every message holding them, 2 s in the largest inbox).
  const nth = sql`SELECT m.seq FROM messages m WHERE m.to_inbox = ${scan.inbox} ORDER BY m.seq DESC OFFSET ${INBOX_WALK - 1} LIMIT 1`;
  const walked = newest(tested, [sql`b.seq >= coalesce((${nth}), 0)`], n);
  if (walked.length >= n) return walked;
  const floor = ctx.db.get<{ seq: number }>(nth);
  if (!floor) return walked;
  return [...walked, ...fromIndex([sql`b.seq < ${Number(floor.seq)}`], n - walked.length)];
}

/** The best `n` of at most RANK_WINDOW keys by ts_rank_cd (ties: newest first), with their scores (lower is better, as bm25). */
function ranked(ctx: ServiceContext, table: keyof typeof WEIGHTS, key: "seq" | "id", keys: (number | string)[], q: SQL, n: number): Candidate[] {
  return ctx.db
    .all<{ k: number | string; s: number }>(
      sql`SELECT b.${sql.raw(key)} AS k, ${rankOf(table, q)} AS s FROM ${sql.raw(table)} b WHERE b.${sql.raw(key)} IN (${list(keys)}) ORDER BY s DESC, b.${sql.raw(key)} DESC LIMIT ${n}`,
    )
    .map((r) => ({ key: key === "seq" ? Number(r.k) : r.k, score: -Number(r.s) }));
}

const MESSAGE_COLUMNS = sql.raw(
  "b.seq, b.id, b.thread_id, b.in_reply_to, b.from_kind, b.from_name, b.to_inbox, b.type, b.priority, b.subject, b.body, b.instruction_id, b.task_id, b.step_position, b.created_at, b.read_at, b.answered_at, b.archived_at, b.source_path",
);

/** Message rows with their snippets, by seq. */
function messageRows(ctx: ServiceContext, seqs: number[], parts: FoldedPart[], self: string | null): Map<number, { row: Record<string, unknown>; snippet: string }> {
  const rows = ctx.db.all<Record<string, unknown>>(sql`
    SELECT ${MESSAGE_COLUMNS}, ${folded(sql`b.subject`)} AS f1, ${folded(sql`b.body`)} AS f2
    FROM messages b WHERE b.seq IN (${list(seqs)})${self ? sql` AND b.to_inbox = ${self}` : sql``}`);
  return new Map(
    rows.map((r) => [
      Number(r.seq),
      {
        row: r,
        snippet: snippetOf(
          [
            { text: r.subject as string, folded: split(r.f1) },
            { text: r.body as string, folded: split(r.f2) },
          ],
          parts,
        ),
      },
    ]),
  );
}

function searchMessagesPg(ctx: ServiceContext, s: MessageSearch): { items: SearchHit[]; order: SearchOrder } {
  const q = tsQuery(s.parts);
  const newest = newestMatches(ctx, { table: "messages", key: "seq", where: [], inbox: s.inbox }, s.parts, RANK_WINDOW + 1).map(Number);
  const order: SearchOrder = newest.length > RANK_WINDOW ? "newest" : "relevance";
  const page = order === "newest" ? newest.slice(0, s.limit) : newest.length <= 1 ? newest : ranked(ctx, "messages", "seq", newest, q, s.limit).map((c) => Number(c.key));
  if (page.length === 0) return { items: [], order };
  const bySeq = messageRows(ctx, page, foldedParts(ctx, s.parts), null);
  return {
    order,
    items: page.flatMap((seq) => {
      const r = bySeq.get(seq);
      return r ? [hitFromRow(r.row, r.snippet)] : [];
    }),
  };
}

// --- search everywhere ---

interface Plan extends Scan {
  kind: SearchKind;
}

/** How each kind is searched for this caller and these filters (backend-sqlite.ts's planFor, with plain columns); null when it can find nothing. */
function planFor(ctx: ServiceContext, kind: SearchKind, q: SearchAllQuery): Plan | null {
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  if (self && q.agent !== undefined && q.agent !== self) return null;
  const agent = self ?? q.agent;
  const where: SQL[] = [];
  if (q.from !== undefined) where.push(sql`b.created_at >= ${q.from}`);
  if (q.to !== undefined) where.push(sql`b.created_at < ${q.to}`);
  switch (kind) {
    case "task": {
      if (q.status !== undefined) {
        if (!(taskStatuses as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.status = ${q.status}`);
      }
      if (agent !== undefined) where.push(sql`b.assigned_agent = ${agent}`);
      return { kind, table: "tasks", key: "id", where };
    }
    case "output": {
      if (q.status !== undefined) {
        if (!(outputStatuses as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.status = ${q.status}`);
      }
      // An agent's outputs are those of its tasks (getOutput, listReviewQueue): search_agent is the
      // task's agent, kept by triggers (db/migrations-pg/0005), read newest first on
      // outputs_search_agent_idx without looking up each output's task.
      if (agent !== undefined) where.push(sql`b.search_agent = ${agent}`);
      return { kind, table: "outputs", key: "id", where };
    }
    case "instruction": {
      // Agents see instructions through their tasks only (listInstructions, getInstruction refuse them).
      if (self) return null;
      if (q.status !== undefined) {
        if (!(instructionPhases as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.phase = ${q.status}`);
      }
      if (agent !== undefined) where.push(sql`EXISTS (SELECT 1 FROM tasks t WHERE t.instruction_id = b.id AND t.assigned_agent = ${agent})`);
      return { kind, table: "instructions", key: "id", where, subquery: agent !== undefined };
    }
    case "message": {
      if (q.status !== undefined) return null;
      // An agent searches its own inbox, as searchMessages does.
      return { kind, table: "messages", key: "seq", where, inbox: agent };
    }
  }
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();
const noLinks = { taskId: null, taskRef: null, outputId: null, version: null, instructionId: null, messageId: null, threadId: null };

/** The rows and snippets of a kind's candidates (the page's only), by key; an agent's own rows only, as on SQLite. */
function hitsOf(ctx: ServiceContext, plan: Plan, parts: SearchPart[], keys: (number | string)[], scoreOf: Map<number | string, number | null>): Map<number | string, SearchAllHit> {
  const out = new Map<number | string, SearchAllHit>();
  if (keys.length === 0) return out;
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  const words = foldedParts(ctx, parts);
  const h = (col: string) => folded(sql.raw(col));
  const snippet = (...columns: [unknown, unknown][]) =>
    snippetOf(
      columns.map(([text, f]) => ({ text: text as string | null, folded: split(f) })),
      words,
    );
  switch (plan.kind) {
    case "task": {
      const rows = ctx.db.all<Record<string, string | number | null>>(sql`
        SELECT b.id, b.title, b.ref, b.status, b.assigned_agent AS agent, b.instruction_id, b.created_at, b.description, agentdesk_json_lines(b.acceptance_criteria) AS criteria,
          ${h("b.title")} AS f1, ${h("b.description")} AS f2, ${folded(sql`agentdesk_json_lines(b.acceptance_criteria)`)} AS f3
        FROM tasks b WHERE b.id IN (${list(keys)})${self ? sql` AND b.assigned_agent = ${self}` : sql``}`);
      for (const r of rows)
        out.set(r.id!, {
          kind: "task",
          id: r.id as string,
          title: r.title as string,
          snippet: snippet([r.title, r.f1], [r.description, r.f2], [r.criteria, r.f3]),
          status: r.status as string,
          agent: r.agent as string,
          createdAt: iso(r.created_at!),
          links: { ...noLinks, taskId: r.id as string, taskRef: r.ref as string, instructionId: r.instruction_id as string },
          score: scoreOf.get(r.id!) ?? null,
        });
      return out;
    }
    case "output": {
      const rows = ctx.db.all<Record<string, string | number | null>>(sql`
        SELECT b.id, b.version, b.status, b.task_id, t.ref, t.title AS task_title, t.assigned_agent AS agent, t.instruction_id, b.created_at, b.content, ${h("b.content")} AS f1
        FROM outputs b JOIN tasks t ON t.id = b.task_id
        WHERE b.id IN (${list(keys)})${self ? sql` AND t.assigned_agent = ${self}` : sql``}`);
      for (const r of rows)
        out.set(r.id!, {
          kind: "output",
          id: r.id as string,
          title: `${r.task_title} · v${Number(r.version)}`,
          snippet: snippet([r.content, r.f1]),
          status: r.status as string,
          agent: r.agent as string,
          createdAt: iso(r.created_at!),
          links: { ...noLinks, taskId: r.task_id as string, taskRef: r.ref as string, outputId: r.id as string, version: Number(r.version), instructionId: r.instruction_id as string },
          score: scoreOf.get(r.id!) ?? null,
        });
      return out;
    }
    case "instruction": {
      const rows = ctx.db.all<Record<string, string | number | null>>(sql`
        SELECT b.id, b.title, b.phase, b.created_at, b.body, ${h("b.title")} AS f1, ${h("b.body")} AS f2
        FROM instructions b WHERE b.id IN (${list(keys)})`);
      for (const r of rows)
        out.set(r.id!, {
          kind: "instruction",
          id: r.id as string,
          title: r.title as string,
          snippet: snippet([r.title, r.f1], [r.body, r.f2]),
          status: r.phase as string,
          agent: null,
          createdAt: iso(r.created_at!),
          links: { ...noLinks, instructionId: r.id as string },
          score: scoreOf.get(r.id!) ?? null,
        });
      return out;
    }
    case "message": {
      for (const [seq, { row: r, snippet }] of messageRows(
        ctx,
        keys.map((k) => Number(k)),
        words,
        self,
      ))
        out.set(seq, {
          kind: "message",
          id: r.id as string,
          title: (r.subject as string) || "(no subject)",
          snippet,
          status: r.type as string,
          agent: r.to_inbox as string,
          createdAt: iso(r.created_at as number),
          links: { ...noLinks, taskId: (r.task_id as string) ?? null, instructionId: (r.instruction_id as string) ?? null, messageId: r.id as string, threadId: r.thread_id as string },
          score: scoreOf.get(seq) ?? null,
        });
      return out;
    }
  }
}

function searchKindPg(ctx: ServiceContext, kind: SearchKind, query: SearchAllQuery, parts: SearchPart[], want: number | null): KindRun | null {
  const plan = planFor(ctx, kind, query);
  if (!plan) return null;
  const q = tsQuery(parts);
  const newest = newestMatches(ctx, plan, parts, RANK_WINDOW + 1);
  const order: SearchOrder = newest.length > RANK_WINDOW ? "newest" : "relevance";
  let candidates: Candidate[] = [];
  if (want !== null && newest.length > 0) {
    candidates = order === "newest" ? newest.slice(0, want).map((key) => ({ key, score: null })) : ranked(ctx, plan.table, plan.key, newest, q, want);
  }
  const scoreOf = new Map(candidates.map((c) => [c.key, c.score]));
  return { count: Math.min(newest.length, RANK_WINDOW), order, candidates, hits: (keys) => hitsOf(ctx, plan, parts, keys, scoreOf) };
}

/** Search on PostgreSQL: tsvector columns with GIN indexes (db/migrations-pg 0001). */
export const pgSearch: SearchBackend = {
  messages: searchMessagesPg,
  kind: (ctx, kind, q, parts, _fts, want) => searchKindPg(ctx, kind, q, parts, want),
};
