// Search on PostgreSQL (`npm run bench -- --engine pg --only search`): bench/search.ts's cases,
// the same queries through the same service calls (searchMessages, searchAll), on the PostgreSQL
// database loaded from the same dataset (bench/lib/pg.ts), where the search backend is
// lib/services/search/backend-pg.ts (tsvector columns with GIN indexes). The match counts come from
// the same conditions the backend builds. Timed in-process (wall clock); every round trip to the
// server is in the figure, as it is in a request.
import { sql } from "drizzle-orm";
import { openPostgres } from "@/db/engine/pg";
import { searchMessages, type ServiceContext } from "@/lib/services";
import { parseSearch } from "@/lib/services/search/query";
import { matchCondition } from "@/lib/services/search/backend-pg";
import { kinds, timeEverywhere, timeKind, type SearchKindResult, type SearchResult } from "./search";
import { person } from "./queries";

export function runSearchPg(o: { url: string; label: string; repeats: number; log: (s: string) => void }): SearchResult {
  const db = openPostgres(o.url);
  try {
    const people: ServiceContext = { db, actor: person };
    const one = (q: ReturnType<typeof sql>) => Number((db.get(q) as { n: number | string }).n);
    const messages = one(sql`SELECT max(seq) AS n FROM messages`);
    const out: SearchKindResult[] = [];
    for (const k of kinds) {
      const ctx: ServiceContext = k.inbox ? { db, actor: { kind: "agent", name: k.inbox } } : people;
      const matches = k.queries.map((q) => one(sql`SELECT count(*) AS n FROM messages b WHERE ${matchCondition(parseSearch(q))} ${k.inbox ? sql`AND b.to_inbox = ${k.inbox}` : sql``}`));
      // One untimed pass: the first query of a connection pays for its catalog lookups.
      for (const q of k.queries) searchMessages(ctx, { q, limit: 20 });
      const res = timeKind(
        k,
        matches,
        o.repeats,
        (q) => searchMessages(ctx, { q, limit: 20 }),
        (r) => [r.order],
      );
      out.push(res);
      o.log(`search (pg): ${k.kind.padEnd(32)} p50 ${res.p50} ms  p95 ${res.p95} ms  (matches ${Math.min(...matches)}–${Math.max(...matches)}, ${res.order.join("/")})`);
    }
    const every = timeEverywhere(db, people, o.repeats, (line) => o.log(`search everywhere (pg): ${line}`));
    const count = (table: string) => one(sql`SELECT count(*) AS n FROM ${sql.identifier(table)}`);
    return { database: o.label, messages, kinds: out, everywhere: every, rows: { tasks: count("tasks"), outputs: count("outputs"), instructions: count("instructions") } };
  } finally {
    db.$engine.close();
  }
}
