// Every SQL statement a set of service calls runs, with its query plan: `npx tsx bench/explain.ts --scale medium`.
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import * as schema from "@/db/schema";
import type { Db } from "@/db/client";
import { openDatabase } from "@/db/client";
import {
  getOverview,
  getTask,
  listEvents,
  listInbox,
  listInboxes,
  listReviewQueue,
  listTasks,
  searchMessages,
  taskBoard,
  getOutput,
  getThread,
  listAgents,
  getShellCounts,
  type ServiceContext,
} from "@/lib/services";
import { person, sampleIds } from "./queries";

export function capturingDb(sqlite: Database.Database) {
  const seen: { sql: string; params: unknown[] }[] = [];
  const db = drizzle(sqlite, { schema, logger: { logQuery: (sql, params) => seen.push({ sql, params }) } }) as unknown as Db;
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
  const calls: [string, (ctx: ServiceContext, a: ServiceContext) => unknown][] = [
    ["getOverview", (c) => getOverview(c)],
    ["getShellCounts", (c) => getShellCounts(c)],
    ["taskBoard", (c) => taskBoard(c, {})],
    ["taskBoard agent", (c) => taskBoard(c, { agent: "backend-developer" })],
    ["listTasks agent", (_c, a) => listTasks(a, {})],
    ["getTask", (c) => getTask(c, ids.taskId)],
    ["listEvents task", (c) => listEvents(c, { taskId: ids.taskId })],
    ["listInbox", (_c, a) => listInbox(a, { inbox: "backend-developer" })],
    ["listInboxes", (c) => listInboxes(c)],
    ["getThread", (c) => getThread(c, ids.threadId)],
    ["listReviewQueue", (c) => listReviewQueue(c, {})],
    ["getOutput", (c) => getOutput(c, ids.outputId)],
    ["listAgents", (c) => listAgents(c)],
    ["search", (c) => searchMessages(c, { q: "token" })],
  ];
  for (const [name, fn] of calls) {
    const { db, seen } = capturingDb(base.$client);
    fn({ db, actor: person }, { db, actor: { kind: "agent", name: "backend-developer" } });
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
