// Times the service reads the pages and the API use, in-process, on a generated dataset:
// `npx tsx bench/queries.ts --scale medium [--n 20]`. Each figure is the median (and p95) of n calls
// after one warm-up call, so what it measures is SQLite plus the service code, not the network.
import path from "node:path";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import {
  getOutput,
  getOverview,
  getShellCounts,
  getTask,
  getThread,
  listAgents,
  listEvents,
  listInbox,
  listInboxes,
  listReviewQueue,
  listTasks,
  searchMessages,
  taskBoard,
  type ServiceContext,
} from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";
import { quantile } from "./lib/stats";

export interface QueryTiming {
  name: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function timeIt(name: string, n: number, fn: () => unknown): QueryTiming {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { name, n, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: xs[xs.length - 1] };
}

/** Ids worth opening: a busy task, an output, a long thread, taken from the data itself. */
export function sampleIds(db: Db) {
  const c = db.$client;
  const task = c
    .prepare(
      `SELECT task_id AS id FROM messages WHERE task_id IN (SELECT id FROM tasks WHERE assigned_agent = 'backend-developer' AND status = 'in_progress' LIMIT 200) GROUP BY task_id ORDER BY count(*) DESC LIMIT 1`,
    )
    .get() as { id: string } | undefined;
  const output = c.prepare(`SELECT o.id FROM outputs o WHERE o.version > 1 ORDER BY o.id LIMIT 1`).get() as { id: string } | undefined;
  const thread = c.prepare(`SELECT thread_id AS id FROM messages WHERE to_inbox = 'hitl' ORDER BY seq LIMIT 1`).get() as { id: string } | undefined;
  return { taskId: task?.id ?? "tsk_000000000", outputId: output?.id ?? "out_000000000", threadId: thread?.id ?? "msg_000000000" };
}

export const person: Actor = { kind: "person", id: "usr_bench", email: "bench@agentdesk.local", name: "Bench", role: "admin" };

/** A hot read of the pages and the API, called as a person (`ctx`) or as an agent (`agent`). */
type ServiceRead = [name: string, call: (ctx: ServiceContext, agent: ServiceContext) => unknown];

/** The hot reads: what serviceTimings times and bench/explain.ts explains, statement by statement. */
export function serviceReads(ids: ReturnType<typeof sampleIds>): ServiceRead[] {
  return [
    ["getOverview", (c) => getOverview(c)],
    ["getShellCounts", (c) => getShellCounts(c)],
    ["taskBoard (all)", (c) => taskBoard(c, {})],
    ["taskBoard (agent=backend-developer)", (c) => taskBoard(c, { agent: "backend-developer" })],
    ["listTasks (status=completed)", (c) => listTasks(c, { status: "completed" })],
    ["listTasks (agent)", (_c, a) => listTasks(a, {})],
    ["getTask", (c) => getTask(c, ids.taskId)],
    ["listEvents (task timeline)", (c) => listEvents(c, { taskId: ids.taskId, limit: 50 })],
    ["listEvents (activity)", (c) => listEvents(c, { limit: 25 })],
    ["listInbox (hitl)", (c) => listInbox(c, { inbox: "hitl" })],
    ["listInbox (agent, page of 50)", (_c, a) => listInbox(a, { inbox: "backend-developer", limit: 50 })],
    ["listInboxes", (c) => listInboxes(c)],
    ["getThread", (c) => getThread(c, ids.threadId)],
    ["listReviewQueue", (c) => listReviewQueue(c, {})],
    ["getOutput", (c) => getOutput(c, ids.outputId)],
    ["listAgents", (c) => listAgents(c)],
    ["searchMessages (common word)", (c) => searchMessages(c, { q: "token" })],
  ];
}

export const benchAgent: Actor = { kind: "agent", name: "backend-developer" };

export function serviceTimings(db: Db, n = 20): QueryTiming[] {
  const ctx: ServiceContext = { db, actor: person };
  const agentCtx: ServiceContext = { db, actor: benchAgent };
  return serviceReads(sampleIds(db)).map(([name, call]) => timeIt(name, n, () => call(ctx, agentCtx)));
}

if (process.argv[1]?.endsWith("bench/queries.ts")) {
  const args = process.argv.slice(2);
  const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  const file = arg("--db") ?? path.join("bench", "data", `${arg("--scale") ?? "small"}.db`);
  const db = openDatabase(path.resolve(file));
  const rows = serviceTimings(db, Number(arg("--n") ?? 20));
  for (const r of rows) console.log(`${r.name.padEnd(40)} p50 ${r.p50.toFixed(2).padStart(8)} ms   p95 ${r.p95.toFixed(2).padStart(8)} ms`);
  db.$client.close();
}
