// Full-text search through searchMessages (the service the API and the inbox page call), first page,
// by kind of query: rare words, common words, two words, a phrase, a prefix, and a common word
// within one agent's inbox. Timed in-process (wall clock), several terms per kind, each repeated.
// Then search everywhere (searchAll: tasks, outputs, instructions and messages, with per-kind
// counts) with the same kinds of query, as an agent, one kind at a time and with an agent filter.
import { sql } from "drizzle-orm";
import { openDatabase } from "@/db/client";
import { searchAll, searchMessages, toFtsQuery, type SearchKind, type ServiceContext } from "@/lib/services";
import { tailWord, TAIL_WORDS } from "./generate";
import { person } from "./queries";
import { quantile, round } from "./lib/stats";

export interface SearchKindResult {
  kind: string;
  queries: string[];
  /** Matches per query (count(*) of the FTS query), to show what each kind means in this dataset. */
  matches: number[];
  order: string[];
  n: number;
  p50: number;
  p95: number;
  max: number;
  /** The previous query (bm25 over every match, ORDER BY rank LIMIT) on the first term, once: the "before" figure. */
  naiveMs?: number;
  meetsTarget: boolean;
}

export interface SearchResult {
  database: string;
  messages: number;
  kinds: SearchKindResult[];
  /** searchAll (tasks, outputs, instructions, messages), first page of 20; matches are the sum of the per-kind counts (each capped at 1,000). */
  everywhere?: SearchKindResult[];
  rows?: { tasks: number; outputs: number; instructions: number };
}

export const kinds: { kind: string; queries: string[]; inbox?: string }[] = [
  { kind: "rare word", queries: Array.from({ length: 8 }, (_, i) => tailWord(TAIL_WORDS - i * 7)) },
  { kind: "common word", queries: ["token", "cache", "review", "deploy", "index", "latency", "webhook", "tenant"] },
  { kind: "two words", queries: ["token cache", "deploy rollback", "review security", "index query", "webhook retry", "tenant audit", "queue worker", "payment refund"] },
  { kind: "phrase", queries: ['"rate limit"', '"foreign key"', '"feature flag"', '"dark theme"', '"test coverage"', '"order payment"', '"lock deadlock"', '"api endpoint"'] },
  { kind: "prefix", queries: ["tok*", "dep*", "cach*", "rev*", "sec*", "idem*", "web*", "ten*"] },
  { kind: "common word, one agent's inbox", queries: ["token", "cache", "review", "deploy", "index", "latency", "webhook", "tenant"], inbox: "backend-developer" },
];

export const common = ["token", "cache", "review", "deploy", "index", "latency", "webhook", "tenant"];
export const everywhere: { kind: string; queries: string[]; agent?: string; kinds?: SearchKind[] }[] = [
  { kind: "rare word", queries: kinds[0].queries },
  { kind: "common word", queries: common },
  { kind: "two words", queries: kinds[2].queries },
  { kind: "phrase", queries: kinds[3].queries },
  { kind: "prefix", queries: kinds[4].queries },
  { kind: "common word, as an agent", queries: common, agent: "backend-developer" },
  { kind: "common word, tasks only", queries: common, kinds: ["task"] },
  { kind: "common word, outputs only", queries: common, kinds: ["output"] },
  { kind: "common word, instructions only", queries: common, kinds: ["instruction"] },
  { kind: "two words, one agent's (filter)", queries: kinds[2].queries, kinds: ["task", "output"] },
];

/** What searchMessages ran before this change: bm25 over every match, snippets in the same pass. */
function naive(ctx: ServiceContext, q: string): number {
  const fts = toFtsQuery(q)!;
  const t = performance.now();
  ctx.db.all(sql`SELECT m.id, hit.snip FROM (
      SELECT rowid AS seq, rank, snippet(messages_fts, -1, '[', ']', '…', 16) AS snip
      FROM messages_fts WHERE messages_fts MATCH ${`{subject body} : (${fts})`} ORDER BY rank LIMIT 20
    ) hit JOIN messages m ON m.seq = hit.seq ORDER BY hit.rank`);
  return performance.now() - t;
}

/** Runs `search` over a kind's queries `repeats` times: its latencies (p50, p95, max) and the orders its pages came in. */
export function timeKind<R>(k: { kind: string; queries: string[] }, matches: number[], repeats: number, search: (q: string) => R, orders: (r: R) => string[]): SearchKindResult {
  const times: number[] = [];
  const order = new Set<string>();
  for (let rep = 0; rep < repeats; rep++) {
    for (const q of k.queries) {
      const t = performance.now();
      const r = search(q);
      times.push(performance.now() - t);
      for (const v of orders(r)) order.add(v);
    }
  }
  times.sort((a, b) => a - b);
  return {
    kind: k.kind,
    queries: k.queries,
    matches,
    order: [...order],
    n: times.length,
    p50: round(quantile(times, 0.5)),
    p95: round(quantile(times, 0.95)),
    max: round(times[times.length - 1]),
    meetsTarget: quantile(times, 0.95) < 50,
  };
}

/** The search-everywhere cases through searchAll on `db`, on either engine (bench/search-pg.ts too). */
export function timeEverywhere(db: ServiceContext["db"], people: ServiceContext, repeats: number, log: (line: string) => void): SearchKindResult[] {
  const every: SearchKindResult[] = [];
  for (const k of everywhere) {
    const ctx: ServiceContext = k.agent ? { db, actor: { kind: "agent", name: k.agent } } : people;
    const filter = k.kind.includes("(filter)") ? { agent: "backend-developer" } : {};
    const matches = k.queries.map((q) => Object.values(searchAll(ctx, { q, kinds: k.kinds, ...filter, limit: 1 }).counts).reduce((a, b) => a + b, 0));
    const res = timeKind(
      k,
      matches,
      repeats,
      (q) => searchAll(ctx, { q, kinds: k.kinds, ...filter, limit: 20 }),
      (r) => Object.values(r.order),
    );
    every.push(res);
    log(`${k.kind.padEnd(34)} p50 ${res.p50} ms  p95 ${res.p95} ms  (matches ${Math.min(...matches)}–${Math.max(...matches)}, ${res.order.join("/")})`);
  }
  return every;
}

export function runSearch(o: { db: string; repeats: number; naive: boolean; log: (s: string) => void }): SearchResult {
  const db = openDatabase(o.db);
  try {
    const people: ServiceContext = { db, actor: person };
    const messages = (db.$client.prepare(`SELECT max(seq) AS n FROM messages`).get() as { n: number }).n;
    const out: SearchKindResult[] = [];
    for (const k of kinds) {
      const ctx: ServiceContext = k.inbox ? { db, actor: { kind: "agent", name: k.inbox } } : people;
      const matches = k.queries.map((q) => {
        const fts = `{subject body} : (${toFtsQuery(q)})`;
        const r = k.inbox
          ? db.$client.prepare(`SELECT count(*) AS n FROM messages_fts f JOIN messages m ON m.seq = f.rowid WHERE messages_fts MATCH ? AND m.to_inbox = ?`).get(fts, k.inbox)
          : db.$client.prepare(`SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ?`).get(fts);
        return (r as { n: number }).n;
      });
      const res = timeKind(
        k,
        matches,
        o.repeats,
        (q) => searchMessages(ctx, { q, limit: 20 }),
        (r) => [r.order],
      );
      if (o.naive && !k.inbox) res.naiveMs = round(naive(people, k.queries[0]));
      out.push(res);
      o.log(
        `search: ${k.kind.padEnd(32)} p50 ${res.p50} ms  p95 ${res.p95} ms  (matches ${Math.min(...matches)}–${Math.max(...matches)}, ${res.order.join("/")})${res.naiveMs !== undefined ? `  before: ${res.naiveMs} ms` : ""}`,
      );
    }
    const every = timeEverywhere(db, people, o.repeats, (line) => o.log(`search everywhere: ${line}`));
    const count = (table: string) => (db.$client.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return { database: o.db, messages, kinds: out, everywhere: every, rows: { tasks: count("tasks"), outputs: count("outputs"), instructions: count("instructions") } };
  } finally {
    db.$client.close();
  }
}
