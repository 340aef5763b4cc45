import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { instructionPhases, outputStatuses, taskStatuses } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { clampLimit, decodeCursor, encodeCursor } from "../cursor";
import { ServiceError } from "../errors";
import { HIT_END, HIT_START, RANK_WINDOW, toFtsQuery, type SearchOrder } from "../messages/queries";
import { expandLongPrefixes, hexKey, inboxPhrase, type VocabTable } from "./fts";

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
  /** bm25 (lower is better) when the kind's matches were ranked; null when newest first. */
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

const ph = <T>(v: T) => sql`${v}`;

interface Plan {
  kind: SearchKind;
  table: "tasks_fts" | "outputs_fts" | "instructions_fts" | "messages_fts";
  vocab: VocabTable;
  /** The text columns people's words are matched in. */
  columns: string;
  /** Extra FTS terms (the agent or inbox column). */
  scope: string | null;
  /** The join to the base row, when a condition needs it. */
  join: SQL | null;
  where: SQL[];
}

/**
 * Tasks and outputs are planned alike: a status filter on the base row, and the agent column (one
 * token) as scope. A task: an agent's own tasks only (requireTaskAccess); an output: outputs of the
 * agent's own tasks only (getOutput, listReviewQueue).
 */
const byAgentColumn = {
  task: { statuses: taskStatuses, table: "tasks_fts", vocab: "tasks_fts_vocab", columns: "{title description criteria}", base: "tasks" },
  output: { statuses: outputStatuses, table: "outputs_fts", vocab: "outputs_fts_vocab", columns: "{content}", base: "outputs" },
} as const;

/** How each kind is searched for this caller and these filters; null when the kind can find nothing. */
function planFor(ctx: ServiceContext, kind: SearchKind, q: SearchAllQuery): Plan | null {
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  if (self && q.agent !== undefined && q.agent !== self) return null;
  const agent = self ?? q.agent;
  const where: SQL[] = [];
  const dates = () => {
    if (q.from !== undefined) where.push(sql`b.created_at >= ${q.from}`);
    if (q.to !== undefined) where.push(sql`b.created_at < ${q.to}`);
  };
  dates();
  const needsBase = () => where.length > 0;
  switch (kind) {
    case "task":
    case "output": {
      const k = byAgentColumn[kind];
      if (q.status !== undefined) {
        if (!(k.statuses as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.status = ${q.status}`);
      }
      return {
        kind,
        table: k.table,
        vocab: k.vocab,
        columns: k.columns,
        scope: agent !== undefined ? `agent : "${hexKey(agent)}"` : null,
        join: needsBase() ? sql`JOIN ${sql.raw(k.base)} b ON b.id = f.id` : null,
        where,
      };
    }
    case "instruction": {
      // Agents see instructions through their tasks only (listInstructions, getInstruction refuse them).
      if (self) return null;
      if (q.status !== undefined) {
        if (!(instructionPhases as readonly string[]).includes(q.status)) return null;
        where.push(sql`b.phase = ${q.status}`);
      }
      // Through the instruction's tasks (tasks_instruction_idx, about ten each); `+` keeps the planner off the
      // agent's indexes, which it took without statistics: a busy agent's 33,000 tasks per matching
      // instruction, 30 s per search on the large benchmark dataset.
      if (agent !== undefined) where.push(sql`EXISTS (SELECT 1 FROM tasks t WHERE t.instruction_id = b.id AND +t.assigned_agent = ${agent})`);
      return { kind, table: "instructions_fts", vocab: "instructions_fts_vocab", columns: "{title body}", scope: null, join: needsBase() ? sql`JOIN instructions b ON b.id = f.id` : null, where };
    }
    case "message": {
      if (q.status !== undefined) return null;
      // An agent searches its own inbox, as searchMessages does.
      let scope: string | null = null;
      if (agent !== undefined) {
        scope = inboxPhrase(agent);
        if (!scope) return null;
        scope = `to_inbox : ${scope}`;
        where.push(sql`b.to_inbox = ${agent}`);
      }
      return { kind, table: "messages_fts", vocab: "messages_fts_vocab", columns: "{subject body}", scope, join: needsBase() ? sql`JOIN messages b ON b.seq = f.rowid` : null, where };
    }
  }
}

/** FTS5 refusing a query is the caller's input, never a 500 (toFtsQuery should make it impossible). */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof Error && /^fts5:|unterminated string|malformed MATCH/i.test(err.message)) {
      throw new ServiceError("validation_failed", "The search could not be understood", { fields: { q: ["Not a valid search"] } });
    }
    throw err;
  }
}

interface Candidate {
  rowid: number;
  score: number | null;
}

interface KindRun {
  plan: Plan;
  words: string;
  count: number;
  order: SearchOrder;
  candidates: Candidate[];
}

function runKind(ctx: ServiceContext, plan: Plan, fts: string, want: number | null): KindRun | null {
  const expanded = expandLongPrefixes(ctx, plan.vocab, fts);
  if (expanded === null) return null;
  const words = `${plan.columns} : (${expanded})`;
  const match = plan.scope ? `${words} AND ${plan.scope}` : words;
  const t = sql.raw(plan.table);
  const join = plan.join ?? sql``;
  const cond = plan.where.length ? sql` AND ${sql.join(plan.where, sql` AND `)}` : sql``;
  // The newest RANK_WINDOW + 1 matches: FTS5 walks its index newest first and stops (the count).
  const newest = ctx.db.all<{ r: number }>(sql`SELECT f.rowid AS r FROM ${t} f ${join} WHERE ${t} MATCH ${match}${cond} ORDER BY f.rowid DESC LIMIT ${RANK_WINDOW + 1}`).map((r) => r.r);
  const order: SearchOrder = newest.length > RANK_WINDOW ? "newest" : "relevance";
  let candidates: Candidate[] = [];
  if (want !== null && newest.length > 0) {
    candidates =
      order === "newest"
        ? newest.slice(0, want).map((rowid) => ({ rowid, score: null }))
        : ctx.db
            .all<{ r: number; s: number }>(sql`SELECT f.rowid AS r, f.rank AS s FROM ${t} f ${join} WHERE ${t} MATCH ${match}${cond} ORDER BY f.rank LIMIT ${want}`)
            .map((r) => ({ rowid: r.r, score: r.s }));
  }
  return { plan, words, count: Math.min(newest.length, RANK_WINDOW), order, candidates };
}

const inList = (ids: number[]) => sql.join(ids.map(ph), sql`, `);
const iso = (ms: number) => new Date(ms).toISOString();
const noLinks = { taskId: null, taskRef: null, outputId: null, version: null, instructionId: null, messageId: null, threadId: null };

/** The rows and snippets of a kind's candidates (the page's only), keyed by FTS rowid. */
function hitsOf(ctx: ServiceContext, run: KindRun, rowids: number[]): Map<number, SearchAllHit> {
  const out = new Map<number, SearchAllHit>();
  if (rowids.length === 0) return out;
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  const snip = (table: string) => sql`snippet(${sql.raw(table)}, -1, ${HIT_START}, ${HIT_END}, '…', 16) AS snip`;
  const scoreOf = new Map(run.candidates.map((c) => [c.rowid, c.score]));
  switch (run.plan.kind) {
    case "task": {
      const rows = ctx.db.all<{ r: number; id: string; title: string; ref: string; status: string; agent: string; instruction_id: string; created_at: number; snip: string }>(sql`
        SELECT tasks_fts.rowid AS r, b.id, b.title, b.ref, b.status, b.assigned_agent AS agent, b.instruction_id, b.created_at, ${snip("tasks_fts")}
        FROM tasks_fts JOIN tasks b ON b.id = tasks_fts.id
        WHERE tasks_fts MATCH ${run.words} AND tasks_fts.rowid IN (${inList(rowids)})${self ? sql` AND b.assigned_agent = ${self}` : sql``}`);
      for (const r of rows)
        out.set(r.r, {
          kind: "task",
          id: r.id,
          title: r.title,
          snippet: r.snip,
          status: r.status,
          agent: r.agent,
          createdAt: iso(r.created_at),
          links: { ...noLinks, taskId: r.id, taskRef: r.ref, instructionId: r.instruction_id },
          score: scoreOf.get(r.r) ?? null,
        });
      return out;
    }
    case "output": {
      const rows = ctx.db.all<{
        r: number;
        id: string;
        version: number;
        status: string;
        task_id: string;
        ref: string;
        task_title: string;
        agent: string;
        instruction_id: string;
        created_at: number;
        snip: string;
      }>(sql`
        SELECT outputs_fts.rowid AS r, b.id, b.version, b.status, b.task_id, t.ref, t.title AS task_title, t.assigned_agent AS agent, t.instruction_id, b.created_at, ${snip("outputs_fts")}
        FROM outputs_fts JOIN outputs b ON b.id = outputs_fts.id JOIN tasks t ON t.id = b.task_id
        WHERE outputs_fts MATCH ${run.words} AND outputs_fts.rowid IN (${inList(rowids)})${self ? sql` AND t.assigned_agent = ${self}` : sql``}`);
      for (const r of rows)
        out.set(r.r, {
          kind: "output",
          id: r.id,
          title: `${r.task_title} · v${r.version}`,
          snippet: r.snip,
          status: r.status,
          agent: r.agent,
          createdAt: iso(r.created_at),
          links: { ...noLinks, taskId: r.task_id, taskRef: r.ref, outputId: r.id, version: r.version, instructionId: r.instruction_id },
          score: scoreOf.get(r.r) ?? null,
        });
      return out;
    }
    case "instruction": {
      const rows = ctx.db.all<{ r: number; id: string; title: string; phase: string; created_at: number; snip: string }>(sql`
        SELECT instructions_fts.rowid AS r, b.id, b.title, b.phase, b.created_at, ${snip("instructions_fts")}
        FROM instructions_fts JOIN instructions b ON b.id = instructions_fts.id
        WHERE instructions_fts MATCH ${run.words} AND instructions_fts.rowid IN (${inList(rowids)})`);
      for (const r of rows)
        out.set(r.r, {
          kind: "instruction",
          id: r.id,
          title: r.title,
          snippet: r.snip,
          status: r.phase,
          agent: null,
          createdAt: iso(r.created_at),
          links: { ...noLinks, instructionId: r.id },
          score: scoreOf.get(r.r) ?? null,
        });
      return out;
    }
    case "message": {
      const rows = ctx.db.all<{
        r: number;
        id: string;
        thread_id: string;
        subject: string;
        type: string;
        to_inbox: string;
        task_id: string | null;
        instruction_id: string | null;
        created_at: number;
        snip: string;
      }>(sql`
        SELECT messages_fts.rowid AS r, b.id, b.thread_id, b.subject, b.type, b.to_inbox, b.task_id, b.instruction_id, b.created_at, ${snip("messages_fts")}
        FROM messages_fts JOIN messages b ON b.seq = messages_fts.rowid
        WHERE messages_fts MATCH ${run.words} AND messages_fts.rowid IN (${inList(rowids)})${self ? sql` AND b.to_inbox = ${self}` : sql``}`);
      for (const r of rows)
        out.set(r.r, {
          kind: "message",
          id: r.id,
          title: r.subject || "(no subject)",
          snippet: r.snip,
          status: r.type,
          agent: r.to_inbox,
          createdAt: iso(r.created_at),
          links: { ...noLinks, taskId: r.task_id, instructionId: r.instruction_id, messageId: r.id, threadId: r.thread_id },
          score: scoreOf.get(r.r) ?? null,
        });
      return out;
    }
  }
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

/** The longest a search may be, as for messages. */
export const MAX_QUERY = 500;

/**
 * Search everywhere: tasks (title, description, acceptance criteria), outputs (every version's
 * content), instructions (title, body) and messages (subject, body), each through its FTS5 index
 * with searchMessages' bounded approach: per kind the newest RANK_WINDOW + 1 matches (the count),
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
  const fts = toFtsQuery(q.q);
  const empty: SearchAllResult = { items: [], nextCursor: null, counts, more: [], searchable, order: {}, query: fts };
  if (!fts) return empty;
  const wanted = new Set(q.kinds?.length ? q.kinds : searchKinds);
  const want = Math.min(offset + limit + 1, RANK_WINDOW + 1);

  const runs: KindRun[] = [];
  const more: SearchKind[] = [];
  const order: Partial<Record<SearchKind, SearchOrder>> = {};
  for (const kind of searchable) {
    const plan = planFor(ctx, kind, q);
    if (!plan) continue;
    const run = guarded(() => runKind(ctx, plan, fts, wanted.has(kind) ? want : null));
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
  const rowsOf = runs.map((run) => {
    const hits = guarded(() =>
      hitsOf(
        ctx,
        run,
        run.candidates.map((x) => x.rowid),
      ),
    );
    return run.candidates.flatMap((x) => {
      const h = hits.get(x.rowid);
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
  const end = offset + limit;
  const nextCursor = merged.length > end && end < RANK_WINDOW ? encodeCursor([end]) : null;
  return { items, nextCursor, counts, more, searchable, order, query: fts };
}
