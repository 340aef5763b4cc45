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
  parts: SearchPart[];
  /** Which parts `words` and `pairs` hold (indexes into parts). */
  inWords: number[];
  inPairs: number[];
}

export function matchOf(parts: SearchPart[]): Match {
  const runs = parts.map((p) => wordsOf(p.words.join(" ")).length);
  const inPairs = parts.flatMap((p, i) => (!p.prefix && runs[i] > 1 ? [i] : []));
  const inWords = parts.flatMap((p, i) => (p.prefix || runs[i] !== 2 ? [i] : []));
  const phrases = inPairs.map((i) => parts[i]);
  const rest = inWords.map((i) => parts[i]);
  return {
    parts,
    inWords,
    inPairs,
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

/** The whole search as conditions on a row `b` (the bench's match counts). */
export const matchCondition = (parts: SearchPart[]): SQL => sql.join(conditions(matchOf(parts), "both"), sql` AND `);

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

const folds = new WeakMap<SearchPart[], FoldedPart[]>();
/** The parts folded as the index folds words, to find them in snippets (one round trip per search: searchAll's kinds share it). */
function foldedParts(ctx: ServiceContext, parts: SearchPart[]): FoldedPart[] {
  const known = folds.get(parts);
  if (known) return known;
  const row = ctx.db.get<Record<string, string>>(
    sql`SELECT ${sql.join(
      parts.map((p, i) => sql`${folded(sql`${p.words.join(" ")}::text`)} AS ${sql.identifier(`p${i}`)}`),
      sql`, `,
    )}`,
  );
  const out = parts.map((p, i) => ({ words: split(row?.[`p${i}`]), prefix: p.prefix }));
  folds.set(parts, out);
  return out;
}

const list = (keys: (number | string)[]) =>
  sql.join(
    keys.map((k) => sql`${k}`),
    sql`, `,
  );

/**
 * Where "find the newest n matches" is searched, and how. `where` holds the conditions beside the
 * match (filters) on the row `b`; `by` the one filter a walk reads on its own index, newest first:
 * one inbox's messages on (to_inbox, seq), one agent's tasks on (assigned_agent, id), its outputs
 * on (search_agent, id).
 */
interface Scan {
  table: "tasks" | "outputs" | "instructions" | "messages";
  /** Newest first: messages by seq, the others by id (time-ordered ids, lib/ids.ts). */
  key: "id" | "seq";
  where: SQL[];
  /** What `where` says, as a key for its estimate (the same filters, the same share of rows). */
  whereKey?: string;
  by?: { column: "to_inbox" | "search_agent" | "assigned_agent"; value: string };
  /** A filter runs a subquery for each row it tests (an instruction's tasks). */
  subquery?: boolean;
}

/** How many of an inbox's newest messages a walk tests one by one before the GIN index is asked for the older ones. */
export const INBOX_WALK = 20_000;
/** The same for one agent's outputs, in matches wanted: 4 × n of them (a 25% match finds n). */
const BY_WALK = 4;

/** The planner's estimate of the rows of a query (EXPLAIN, no execution: the column statistics of `fts`). */
function estimateRows(ctx: ServiceContext, query: SQL): number {
  const row = ctx.db.all<Record<string, unknown>>(sql`EXPLAIN (FORMAT JSON) ${query}`)[0];
  const v = row ? Object.values(row)[0] : null;
  const plan = (typeof v === "string" ? JSON.parse(v) : v) as { Plan?: { "Plan Rows"?: number } }[] | null;
  return Number(plan?.[0]?.Plan?.["Plan Rows"] ?? 0);
}

const tableRows = new WeakMap<object, Map<string, { rows: number; at: number }>>();
/** pg_class.reltuples (-1: no statistics yet), read at most once a minute per table: the estimates' scale, which changes with ANALYZE only. */
function rowsOf(ctx: ServiceContext, table: Scan["table"]): number {
  let byTable = tableRows.get(ctx.db.$engine);
  if (!byTable) tableRows.set(ctx.db.$engine, (byTable = new Map()));
  const hit = byTable.get(table);
  if (hit && Date.now() - hit.at < 60_000 && hit.rows >= 0) return hit.rows;
  const rows = Number(ctx.db.get<{ n: number }>(sql`SELECT reltuples AS n FROM pg_class WHERE oid = ${table}::regclass`)?.n ?? -1);
  byTable.set(table, { rows, at: Date.now() });
  return rows;
}

/** How newestMatches finds the matches: walking newest first (null: the planner's choice, before the table has statistics), and which GIN index serves otherwise. */
interface Choice {
  walk: boolean | null;
  indexed: "words" | "pairs" | "both";
  /** The estimated rows of the indexed condition. */
  rows?: number;
  /** The table's rows. */
  of?: number;
}

const byCondition = (by: NonNullable<Scan["by"]>) => sql`${sql.raw(`b.${by.column}`)} = ${by.value}`;

/** A column's most common lexemes (pg_stats: what the planner estimates a tsquery with), kept a minute. */
interface Elems {
  freq: Map<string, number>;
  /** The frequency of the least common of them. */
  min: number;
}
const elemStats = new WeakMap<object, Map<string, { elems: Elems | null; at: number }>>();
function elemsOf(ctx: ServiceContext, table: string, column: string): Elems | null {
  let byColumn = elemStats.get(ctx.db.$engine);
  if (!byColumn) elemStats.set(ctx.db.$engine, (byColumn = new Map()));
  const hit = byColumn.get(`${table}.${column}`);
  if (hit && Date.now() - hit.at < 60_000) return hit.elems;
  const r = ctx.db.get<{ e: string | null; f: string | null }>(
    sql`SELECT array_to_json(most_common_elems::text::text[])::text AS e, array_to_json(most_common_elem_freqs)::text AS f FROM pg_stats WHERE schemaname = current_schema() AND tablename = ${table} AND attname = ${column}`,
  );
  let elems: Elems | null = null;
  if (r?.e && r.f) {
    const e = JSON.parse(r.e) as string[];
    const f = JSON.parse(r.f) as number[];
    if (e.length > 0 && f.length > e.length) elems = { freq: new Map(e.map((x, i) => [x, f[i]])), min: f[e.length] };
  }
  byColumn.set(`${table}.${column}`, { elems, at: Date.now() });
  return elems;
}

/**
 * The share of rows holding a lexeme, as the planner reckons it (ts_selfuncs.c): its frequency
 * among the most common lexemes, else half the least common one's; a prefix, the frequencies of
 * the common lexemes it starts, added, and at least that.
 */
function lexemeShare(s: Elems, lexeme: string, prefix: boolean): number {
  const floor = s.min / 2;
  if (!prefix) return s.freq.get(lexeme) ?? floor;
  let sum = 0;
  for (const [l, f] of s.freq) if (l.startsWith(lexeme)) sum += f;
  return Math.min(1, Math.max(sum, floor));
}

/**
 * The planner's estimates of the rows of `words` and `pairs`, from the columns' statistics and the
 * parts folded as the index folds them (no EXPLAIN, so no round trip per table), the shares of
 * AND-ed lexemes multiplied as the planner does; an EXPLAIN where a column has no statistics.
 */
function estimates(ctx: ServiceContext, table: Scan["table"], m: Match, rows: number): { words: number; pairs: number } {
  const folded = foldedParts(ctx, m.parts);
  const explain = (mm: Pick<Match, "words" | "pairs">) => estimateRows(ctx, sql`SELECT 1 FROM ${sql.raw(table)} b WHERE ${sql.join(conditions(mm, "both"), sql` AND `)}`);
  let words = Infinity;
  if (m.words) {
    const s = elemsOf(ctx, table, "fts");
    if (!s) words = explain({ words: m.words, pairs: null });
    else {
      let share = 1;
      for (const i of m.inWords) folded[i].words.forEach((w, j, ws) => (share *= lexemeShare(s, w, folded[i].prefix && j === ws.length - 1)));
      words = share * rows;
    }
  }
  let pairs = Infinity;
  if (m.pairs) {
    const s = elemsOf(ctx, table, "fts_pairs");
    if (!s) pairs = explain({ words: null, pairs: m.pairs });
    else {
      let share = 1;
      for (const i of m.inPairs) folded[i].words.slice(1).forEach((w, j) => (share *= lexemeShare(s, `${folded[i].words[j]} ${w}`, false)));
      pairs = share * rows;
    }
  }
  return { words, pairs };
}

/**
 * What a row found by a GIN index costs against a row read by a walk: about 2. The planner walked
 * 67,000 messages for 1,001 matches of a 1.5% word, in 2.5 times the time the index took for its
 * 15,000; for two common words of the bench's 10,000 instructions (2,700 matches), its plan read them
 * all in 16 ms where the walk read 3,600 in 4.7 ms.
 */
const INDEX_ROW = 2;

const whereRows = new WeakMap<object, Map<string, { rows: number; at: number }>>();

/**
 * Whether to find the newest matches by walking the rows newest first and testing each (cheap when
 * matches are frequent: 1,001 of them come early), rather than from a GIN index and a sort (cheap
 * when they are few); and which GIN index, words or pairs: the one with the fewer rows (a phrase of
 * common words: its pairs, 10,000 rows where its words hold 250,000). Walking reads about
 * n / (the share of rows that match) rows, on the `by` filter's own index or on the key (then the
 * other filters' share counts too), the index its own condition's rows, each costing about twice a
 * walked row (INDEX_ROW): walk when that is cheaper, without filters at matches ≈ √(n × rows / 2),
 * about 22,000 for 1,001 of a million messages.
 * A filter with a subquery per row costs the index's way twice (it tests every match, the walk only
 * until n are found: an instruction's tasks for the agent filter, 20-27 ms → 7 ms). The planner's
 * own choice, from the same statistics, walked 72,000 messages to find 1,000 of a 1.5% word (2.5
 * times the index's time), joined an inbox's index with the posting lists of frequent words
 * (docs/plans/postgresql.md §4.6), and read every output for an agent's. The estimates are the
 * planner's (the column statistics of `fts` and `fts_pairs`: estimates), the shares multiplied as
 * the planner does; the filters' own share is an EXPLAIN, kept a minute (`whereKey`).
 */
function choose(ctx: ServiceContext, scan: Pick<Scan, "table" | "where" | "whereKey" | "subquery">, m: Match, n: number): Choice {
  const rows = rowsOf(ctx, scan.table);
  if (rows < 0) return { walk: null, indexed: "both" };
  const estimate = (conds: SQL[]) => estimateRows(ctx, sql`SELECT 1 FROM ${sql.raw(scan.table)} b WHERE ${sql.join(conds, sql` AND `)}`);
  const { words, pairs } = estimates(ctx, scan.table, m, rows);
  const indexed = Math.min(words, pairs);
  const share = (est: number) => (Number.isFinite(est) ? Math.min(1, est / Math.max(rows, 1)) : 1);
  let filtered = 1;
  if (scan.where.length) {
    let byKey = whereRows.get(ctx.db.$engine);
    if (!byKey) whereRows.set(ctx.db.$engine, (byKey = new Map()));
    const key = scan.whereKey ? `${scan.table} ${scan.whereKey}` : null;
    const hit = key ? byKey.get(key) : undefined;
    const fresh = hit && Date.now() - hit.at < 60_000;
    const est = fresh ? hit.rows : estimate(scan.where);
    if (key && !fresh) {
      // One entry per filter seen in the last minute or so: dates make many, so the map is emptied past 500.
      if (byKey.size >= 500) byKey.clear();
      byKey.set(key, { rows: est, at: Date.now() });
    }
    filtered = share(est);
  }
  const walked = n / Math.max(share(words) * share(pairs) * filtered, 1e-12);
  return { walk: walked <= indexed * INDEX_ROW * (scan.subquery ? 2 : 1), indexed: words <= pairs ? "words" : "pairs", rows: indexed, of: rows };
}

/** Whether newestMatches walks newest first for this search (choose). */
export const walkFirst = (ctx: ServiceContext, table: Scan["table"], parts: SearchPart[], n: number, where: SQL[] = []): boolean | null => choose(ctx, { table, where }, matchOf(parts), n).walk;

const walkIndexes = new WeakMap<object, Map<string, boolean>>();
/** Whether `table` has a btree index on (column, key), looked up once per database. */
function hasWalkIndex(ctx: ServiceContext, table: string, column: string, key: string): boolean {
  let known = walkIndexes.get(ctx.db.$engine);
  if (!known) walkIndexes.set(ctx.db.$engine, (known = new Map()));
  const name = `${table}(${column}, ${key})`;
  let has = known.get(name);
  if (has === undefined) {
    has = ctx.db.all(sql`SELECT 1 AS one FROM pg_indexes WHERE tablename = ${table} AND indexdef LIKE ${`%USING btree (${column}, ${key})`}`).length > 0;
    known.set(name, has);
  }
  return has;
}

const brins = new WeakMap<object, boolean>();
/** Whether messages has a BRIN index on seq (0006_search_walk), looked up once per database. */
function hasBrin(ctx: ServiceContext): boolean {
  let has = brins.get(ctx.db.$engine);
  if (has === undefined) {
    has = ctx.db.all(sql`SELECT 1 AS one FROM pg_indexes WHERE tablename = 'messages' AND indexdef LIKE '%USING brin (seq)%'`).length > 0;
    brins.set(ctx.db.$engine, has);
  }
  return has;
}

/** Whether messages has a btree index on (to_inbox, seq). */
export const hasInboxSeqIndex = (ctx: ServiceContext): boolean => hasWalkIndex(ctx, "messages", "to_inbox", "seq");

/** The matches counted up to n, and their keys newest first: all of them when fewer than n, else at least the `need` newest. */
interface Newest {
  count: number;
  keys: (number | string)[];
}

/**
 * The newest `n` matches, keys newest first. Frequent matches: a walk newest first (the match
 * written so that no index serves it); with a `by` filter on its own index (an inbox, an agent's
 * outputs), over at most its newest INBOX_WALK (messages) or BY_WALK × n rows, then for the older
 * ones, if the walk found too few (a frequent term can still be rare there), a GIN index. Rare
 * matches: a GIN index, then a sort.
 */
function newestMatches(ctx: ServiceContext, scan: Scan, parts: SearchPart[], n: number, need = n): Newest {
  const m = matchOf(parts);
  const k = sql.raw(`b.${scan.key}`);
  const t = sql.raw(scan.table);
  const keyOf = (r: { k: number | string }) => (scan.key === "seq" ? Number(r.k) : r.k);
  // The filter on its own index first: PostgreSQL tests conditions of the same cost in their order.
  const cond = (match: SQL[], extra: SQL[] = []) => sql.join([...(scan.by ? [byCondition(scan.by)] : []), ...extra, ...scan.where, ...match], sql` AND `);
  const all = (keys: (number | string)[]): Newest => ({ count: keys.length, keys });
  // Ordered as the `by` filter's index is (its column is one value), so that the walk reads that index.
  const order = scan.by ? sql`${sql.raw(`b.${scan.by.column}`)} DESC, ${k} DESC` : sql`${k} DESC`;
  const newest = (match: SQL[], extra: SQL[], limit: number) =>
    ctx.db.all<{ k: number | string }>(sql`SELECT ${k} AS k FROM ${t} b WHERE ${cond(match, extra)} ORDER BY ${order} LIMIT ${limit}`).map(keyOf);
  // The walk of a `by` filter needs its rows in key order (its index): without it, reading them
  // newest first means reading them all, worse than the planner's own choice.
  const by = scan.by && hasWalkIndex(ctx, scan.table, scan.by.column, scan.key) ? scan.by : null;
  const c: Choice = scan.by && !by ? { walk: null, indexed: "both" } : choose(ctx, scan, m, n);
  const fromIndex = (extra: SQL[], limit: number) =>
    ctx.db
      .all<{ k: number | string }>(sql`WITH m AS MATERIALIZED (SELECT ${k} AS k FROM ${t} b WHERE ${cond(conditions(m, c.indexed), extra)}) SELECT k FROM m ORDER BY k DESC LIMIT ${limit}`)
      .map(keyOf);
  // Messages: the newest rows first, in the range where `limit` matches are expected (a BRIN index
  // on seq keeps the GIN index's rows to it), then, if that was too few, a range sized by the
  // matches found, then the rest. From the whole table the GIN's rows are read wherever they are:
  // 10,000 messages for a phrase of the bench dataset, pages mostly outside PostgreSQL's buffers
  // (18-40 ms). The planner's estimate of a phrase's pairs can be half the truth or twice it.
  const windowed = scan.table === "messages" && hasBrin(ctx);
  const newestIndexed = (limit: number, top?: number): (number | string)[] => {
    if (!windowed || !c.rows || !c.of || c.rows < 2 * limit) return fromIndex([], limit);
    top ??= Number(ctx.db.get<{ k: number }>(sql`SELECT max(seq) AS k FROM messages`)?.k ?? 0);
    const found: (number | string)[] = [];
    let hi = top;
    let span = (limit * c.of) / c.rows;
    for (let round = 0; round < 2 && found.length < limit && hi > 0; round++) {
      const lo = Math.max(0, Math.round(hi - span));
      found.push(...fromIndex([sql`${k} > ${lo}`, sql`${k} <= ${hi}`], limit - found.length));
      span = (1.3 * (limit - found.length) * (top - lo)) / Math.max(found.length, 1);
      hi = lo;
    }
    return found.length >= limit || hi <= 0 ? found : [...found, ...fromIndex([sql`${k} <= ${hi}`], limit - found.length)];
  };
  if (c.walk === null) return all(newest(conditions(m, "both"), [], n));
  if (!c.walk) {
    // When the caller needs fewer keys than it counts (a page, or a count only) and likely n
    // matches: counted first, without reading the rows where the index alone says they match
    // (PostgreSQL skips the table's pages that are all visible), then only the newest `need` read
    // (a phrase of the bench dataset: 15 ms for 1,001 keys; 5 ms counted, 2-5 ms for 21 keys).
    // Messages only: the other tables are small enough to read their matches' keys at once.
    if (!windowed || need >= n || scan.where.length || scan.by || (c.rows ?? 0) < n / 2) return all(newestIndexed(n));
    const r = ctx.db.get<{ n: number; top: number }>(
      sql`WITH m AS MATERIALIZED (SELECT FROM ${t} b WHERE ${cond(conditions(m, c.indexed))}) SELECT count(*) AS n, (SELECT max(seq) FROM messages) AS top FROM (SELECT FROM m LIMIT ${n}) x`,
    );
    const count = Number(r?.n ?? 0);
    if (count < n) return all(fromIndex([], n));
    return { count, keys: need > 0 ? newestIndexed(need, Number(r?.top ?? 0)) : [] };
  }
  const tested = conditions(m, null);
  if (!by) return all(newest(tested, [], n));
  // The filter's newest rows, tested newest first until n match; then a GIN index for the older
  // ones (a phrase's pairs: its words' index would hand over every row holding them, 2 s in the
  // largest inbox). The rows are read on the filter's own index in its order, as a subquery
  // limited to the chunk. Written as `column = value`, PostgreSQL walked the primary key instead
  // and tested every row of every inbox on the way (24,000 messages for 1,001 matches of two
  // words, 3,800 of them in the inbox: 18-35 ms; on the inbox's index 7-11 ms), after finding the
  // chunk's end with an OFFSET on the filter's index. As `column >= value AND column <= value`
  // the column is no constant for the planner, so only the filter's index reads the rows in the
  // order asked for (column, key), without a sort.
  const chunk = scan.table === "messages" ? INBOX_WALK : BY_WALK * n;
  const nthOf = (i: number) => sql`SELECT d.${sql.raw(scan.key)} AS k FROM ${t} d WHERE d.${sql.raw(by.column)} = ${by.value} ORDER BY d.${sql.raw(scan.key)} DESC OFFSET ${i - 1} LIMIT 1`;
  const byOrder = sql.raw(`b.${by.column} DESC, b.${scan.key} DESC`);
  // The filter's `count` newest rows (older than `below`), the `limit` newest of them that match.
  const slice = (below: number | string | null, count: number, limit: number) =>
    ctx.db
      .all<{ k: number | string }>(
        sql`SELECT ${k} AS k FROM (SELECT * FROM ${t} b WHERE ${sql.raw(`b.${by.column}`)} >= ${by.value} AND ${sql.raw(`b.${by.column}`)} <= ${by.value}${below === null ? sql`` : sql` AND ${k} < ${below}`} ORDER BY ${byOrder} LIMIT ${count}) b
          WHERE ${sql.join([...scan.where, ...tested], sql` AND `)} ORDER BY ${byOrder} LIMIT ${limit}`,
      )
      .map(keyOf);
  const walked = slice(null, chunk, n);
  if (walked.length >= n) return all(walked);
  const floor = ctx.db.get<{ k: number | string }>(nthOf(chunk));
  if (!floor) return all(walked);
  // A few short: the next rows, as many as the matches found so far say (a 23% match found 934 of
  // 1,001 in 4,004 outputs: 373 more, 1 ms, where the GIN index took 8). Far too few: the GIN index.
  const more = Math.ceil((1.3 * (n - walked.length) * chunk) / Math.max(walked.length, 1));
  if (more <= chunk) {
    walked.push(...slice(floor.k, more, n - walked.length));
    if (walked.length >= n) return all(walked);
    const end = ctx.db.get<{ k: number | string }>(nthOf(chunk + more));
    if (!end) return all(walked);
    return all([...walked, ...fromIndex([sql`${k} < ${end.k}`], n - walked.length)]);
  }
  return all([...walked, ...fromIndex([sql`${k} < ${floor.k}`], n - walked.length)]);
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
function messageRows(ctx: ServiceContext, seqs: number[], parts: FoldedPart[], self: string | null, snippets = true): Map<number, { row: Record<string, unknown>; snippet: string }> {
  const rows = ctx.db.all<Record<string, unknown>>(sql`
    SELECT ${MESSAGE_COLUMNS}${snippets ? sql`, ${folded(sql`b.subject`)} AS f1, ${folded(sql`b.body`)} AS f2` : sql``}
    FROM messages b WHERE b.seq IN (${list(seqs)})${self ? sql` AND b.to_inbox = ${self}` : sql``}`);
  return new Map(
    rows.map((r) => [
      Number(r.seq),
      {
        row: r,
        snippet: snippets
          ? snippetOf(
              [
                { text: r.subject as string, folded: split(r.f1) },
                { text: r.body as string, folded: split(r.f2) },
              ],
              parts,
            )
          : "",
      },
    ]),
  );
}

function searchMessagesPg(ctx: ServiceContext, s: MessageSearch): { items: SearchHit[]; order: SearchOrder } {
  const q = tsQuery(s.parts);
  const by = s.inbox !== undefined ? { column: "to_inbox" as const, value: s.inbox } : undefined;
  const found = newestMatches(ctx, { table: "messages", key: "seq", where: [], by }, s.parts, RANK_WINDOW + 1, s.limit);
  const newest = found.keys.map(Number);
  const order: SearchOrder = found.count > RANK_WINDOW ? "newest" : "relevance";
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
  const whereKey = JSON.stringify([q.from, q.to, q.status, agent]);
  const plan = (p: Omit<Plan, "whereKey">): Plan => ({ ...p, whereKey });
  switch (kind) {
    case "task": {
      if (q.status !== undefined) {
        if (!(taskStatuses as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.status = ${q.status}`);
      }
      return plan({ kind, table: "tasks", key: "id", where, by: agent !== undefined ? { column: "assigned_agent", value: agent } : undefined });
    }
    case "output": {
      if (q.status !== undefined) {
        if (!(outputStatuses as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.status = ${q.status}`);
      }
      // An agent's outputs are those of its tasks (getOutput, listReviewQueue): search_agent is the
      // task's agent, kept by triggers (db/migrations-pg/0005), read newest first on
      // outputs_search_agent_idx without looking up each output's task (a seq scan of every output
      // and a sort when the planner chose: 30-55 ms for two common words of the bench dataset).
      return plan({ kind, table: "outputs", key: "id", where, by: agent !== undefined ? { column: "search_agent", value: agent } : undefined });
    }
    case "instruction": {
      // Agents see instructions through their tasks only (listInstructions, getInstruction refuse them).
      if (self) return null;
      if (q.status !== undefined) {
        if (!(instructionPhases as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.phase = ${q.status}`);
      }
      if (agent !== undefined) where.push(sql`EXISTS (SELECT 1 FROM tasks t WHERE t.instruction_id = b.id AND t.assigned_agent = ${agent})`);
      return plan({ kind, table: "instructions", key: "id", where, subquery: agent !== undefined });
    }
    case "message": {
      if (q.status !== undefined) return null;
      // An agent searches its own inbox, as searchMessages does.
      return plan({ kind, table: "messages", key: "seq", where, by: agent !== undefined ? { column: "to_inbox", value: agent } : undefined });
    }
  }
}

const iso = (ms: number | string) => new Date(Number(ms)).toISOString();
const noLinks = { taskId: null, taskRef: null, outputId: null, version: null, instructionId: null, messageId: null, threadId: null };

/** The rows and snippets of a kind's candidates (the page's only), by key; an agent's own rows only, as on SQLite. */
function hitsOf(ctx: ServiceContext, plan: Plan, parts: SearchPart[], keys: (number | string)[], scoreOf: Map<number | string, number | null>, snippets = true): Map<number | string, SearchAllHit> {
  const out = new Map<number | string, SearchAllHit>();
  if (keys.length === 0) return out;
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  const words = snippets ? foldedParts(ctx, parts) : [];
  // The folded words cost per row (agentdesk_fts_words, unaccent): without snippets, none.
  const h = (col: string) => (snippets ? folded(sql.raw(col)) : sql`NULL`);
  const snippet = (...columns: [unknown, unknown][]) =>
    snippets
      ? snippetOf(
          columns.map(([text, f]) => ({ text: text as string | null, folded: split(f) })),
          words,
        )
      : "";
  switch (plan.kind) {
    case "task": {
      const rows = ctx.db.all<Record<string, string | number | null>>(sql`
        SELECT b.id, b.title, b.ref, b.status, b.assigned_agent AS agent, b.instruction_id, b.created_at, b.description, agentdesk_json_lines(b.acceptance_criteria) AS criteria,
          ${h("b.title")} AS f1, ${h("b.description")} AS f2, ${h("agentdesk_json_lines(b.acceptance_criteria)")} AS f3
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
        snippets,
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
  const found = newestMatches(ctx, plan, parts, RANK_WINDOW + 1, want ?? 0);
  const newest = found.keys;
  const order: SearchOrder = found.count > RANK_WINDOW ? "newest" : "relevance";
  let candidates: Candidate[] = [];
  if (want !== null && newest.length > 0) {
    candidates = order === "newest" ? newest.slice(0, want).map((key) => ({ key, score: null })) : ranked(ctx, plan.table, plan.key, newest, q, want);
  }
  const scoreOf = new Map(candidates.map((c) => [c.key, c.score]));
  return { count: Math.min(found.count, RANK_WINDOW), order, candidates, hits: (keys, snippets) => hitsOf(ctx, plan, parts, keys, scoreOf, snippets), lazySnippets: true };
}

/** Search on PostgreSQL: tsvector columns with GIN indexes (db/migrations-pg 0001). */
export const pgSearch: SearchBackend = {
  messages: searchMessagesPg,
  kind: (ctx, kind, q, parts, _fts, want) => searchKindPg(ctx, kind, q, parts, want),
};
