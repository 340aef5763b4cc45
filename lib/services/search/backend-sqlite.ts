import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { instructionPhases, outputStatuses, taskStatuses } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";
import type { Candidate, KindRun, SearchBackend } from "./backend";
import { expandLongPrefixes, hexKey, inboxPhrase, type VocabTable } from "./fts";
import { HIT_END, HIT_START, hitFromRow, RANK_WINDOW, type MessageSearch, type SearchHit, type SearchOrder } from "./query";
import type { SearchAllHit, SearchAllQuery, SearchKind } from "./search-all";

// Search on SQLite: FTS5 tables beside the searched ones (migrations 0006, 0007, 0012), kept by triggers.

/**
 * searchMessages on FTS5. Three bounded steps: (1) the newest RANK_WINDOW + 1 matches' ids (FTS5
 * walks its index newest first and stops); (2) if that is all of them, the page is re-read ordered
 * by bm25 (at most RANK_WINDOW matches ranked), otherwise the page is the newest matches; (3) rows
 * and snippets for the page's ids only. Words match subject and body; a search within an inbox
 * (always, for an agent: its own) adds the inbox column to the FTS query, so FTS5 intersects
 * instead of testing every message of the inbox, and the join checks the exact name.
 */
function searchMessagesFts(ctx: ServiceContext, s: MessageSearch): { items: SearchHit[]; order: SearchOrder } {
  const { fts, inbox, limit } = s;
  const expanded = expandLongPrefixes(ctx, "messages_fts_vocab", fts);
  if (expanded === null) return { items: [], order: "relevance" };
  const words = `{subject body} : (${expanded})`;
  const phrase = inbox ? inboxPhrase(inbox) : null;
  if (inbox && !phrase) return { items: [], order: "relevance" };
  const match = phrase ? `${words} AND to_inbox : ${phrase}` : words;
  const inInbox = inbox ? sql`JOIN messages m ON m.seq = f.rowid AND m.to_inbox = ${inbox}` : sql``;

  const newest = ctx.db
    .all<{ seq: number }>(sql`SELECT f.rowid AS seq FROM messages_fts f ${inInbox} WHERE messages_fts MATCH ${match} ORDER BY f.rowid DESC LIMIT ${RANK_WINDOW + 1}`)
    .map((r) => r.seq);
  const order: SearchOrder = newest.length > RANK_WINDOW ? "newest" : "relevance";
  const page =
    order === "newest"
      ? newest.slice(0, limit)
      : newest.length <= 1
        ? newest
        : ctx.db.all<{ seq: number }>(sql`SELECT f.rowid AS seq FROM messages_fts f ${inInbox} WHERE messages_fts MATCH ${match} ORDER BY f.rank LIMIT ${limit}`).map((r) => r.seq);
  if (page.length === 0) return { items: [], order };

  // Snippets from the words alone, so they never quote the inbox column.
  const rows = ctx.db.all<Record<string, unknown>>(sql`
    SELECT m.*, snippet(messages_fts, -1, ${HIT_START}, ${HIT_END}, '…', 16) AS snip
    FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
    WHERE messages_fts MATCH ${words} AND messages_fts.rowid IN (${sql.join(
      page.map((seq) => sql`${seq}`),
      sql`, `,
    )})`);
  const bySeq = new Map(rows.map((r) => [r.seq as number, r]));
  return {
    order,
    items: page.flatMap((seq) => {
      const r = bySeq.get(seq);
      return r ? [hitFromRow(r, r.snip as string)] : [];
    }),
  };
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

interface SqliteKindRun {
  plan: Plan;
  words: string;
  count: number;
  order: SearchOrder;
  candidates: Candidate[];
}

function runKind(ctx: ServiceContext, plan: Plan, fts: string, want: number | null): SqliteKindRun | null {
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
        ? newest.slice(0, want).map((key) => ({ key, score: null }))
        : ctx.db
            .all<{ r: number; s: number }>(sql`SELECT f.rowid AS r, f.rank AS s FROM ${t} f ${join} WHERE ${t} MATCH ${match}${cond} ORDER BY f.rank LIMIT ${want}`)
            .map((r) => ({ key: r.r, score: r.s }));
  }
  return { plan, words, count: Math.min(newest.length, RANK_WINDOW), order, candidates };
}

const inList = (ids: number[]) => sql.join(ids.map(ph), sql`, `);
const iso = (ms: number) => new Date(ms).toISOString();
const noLinks = { taskId: null, taskRef: null, outputId: null, version: null, instructionId: null, messageId: null, threadId: null };

/** The rows and snippets of a kind's candidates (the page's only), keyed by FTS rowid. */
function hitsOf(ctx: ServiceContext, run: SqliteKindRun, rowids: number[]): Map<number | string, SearchAllHit> {
  const out = new Map<number | string, SearchAllHit>();
  if (rowids.length === 0) return out;
  const self = ctx.actor.kind === "agent" ? ctx.actor.name : null;
  const snip = (table: string) => sql`snippet(${sql.raw(table)}, -1, ${HIT_START}, ${HIT_END}, '…', 16) AS snip`;
  const scoreOf = new Map(run.candidates.map((c) => [c.key, c.score]));
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

export const sqliteSearch: SearchBackend = {
  messages: searchMessagesFts,
  kind(ctx, kind, q, _parts, fts, want): KindRun | null {
    const plan = planFor(ctx, kind, q);
    if (!plan) return null;
    const run = guarded(() => runKind(ctx, plan, fts, want));
    if (!run) return null;
    return {
      count: run.count,
      order: run.order,
      candidates: run.candidates,
      hits: (keys) =>
        guarded(() =>
          hitsOf(
            ctx,
            run,
            keys.map((k) => Number(k)),
          ),
        ),
    };
  },
};
