// Every SQL statement the hot reads of bench/queries.ts run, with its query plan: `npx tsx bench/explain.ts --scale medium`.
import path from "node:path";
import Database from "better-sqlite3";
import { sqliteDb } from "@/db/engine/sqlite";
import { openDatabase } from "@/db/client";
import { benchAgent, person, sampleIds, serviceReads } from "./queries";

export function capturingDb(sqlite: Database.Database) {
  const seen: { sql: string; params: unknown[] }[] = [];
  const db = sqliteDb(sqlite, { logger: { logQuery: (sql, params) => seen.push({ sql, params }) } });
  return { db, seen };
}

export function plan(sqlite: Database.Database, sql: string, params: unknown[]): string[] {
  const rows = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as never[])) as { detail: string }[];
  return rows.map((r) => r.detail);
}

if (process.argv[1]?.endsWith("bench/explain.ts")) {
  const args = process.argv.slice(2);
  const file = path.join("bench", "data", `${args[args.indexOf("--scale") + 1] ?? "small"}.db`);
  const base = openDatabase(path.resolve(file));
  const ids = sampleIds(base);
  for (const [name, fn] of serviceReads(ids)) {
    const { db, seen } = capturingDb(base.$client);
    fn({ db, actor: person }, { db, actor: benchAgent });
    console.log(`\n## ${name}`);
    for (const q of seen) {
      const t = performance.now();
      base.$client.prepare(q.sql).all(...(q.params as never[]));
      const ms = performance.now() - t;
      console.log(`  [${ms.toFixed(1)} ms] ${q.sql.slice(0, 220)}`);
      for (const p of plan(base.$client, q.sql, q.params)) console.log(`      ${p}`);
    }
  }
}
