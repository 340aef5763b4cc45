// The hot list queries must stay on their indexes. Each service call below runs on a small generated
// dataset through a second drizzle handle whose logger captures every statement it sends; each
// statement is then run through EXPLAIN QUERY PLAN with its own parameters. A full scan of a big
// table, or a sort of a whole keyset-paged list, fails the test: that is how a harmless-looking
// change (a new filter, a different ORDER BY, a dropped index) would make a page slow at scale.
// The database has no ANALYZE statistics, like a real one (nothing in AgentDesk runs ANALYZE).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import { sqliteDb } from "@/db/engine/sqlite";
import { generate } from "@/bench/generate";
import * as s from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";

const BIG_TABLES = new Set(["tasks", "task_steps", "task_dependencies", "messages", "events", "outputs", "reviews", "instructions", "runs", "run_log", "idempotency_keys"]);
const person: Actor = { kind: "person", id: "usr_plans", email: "plans@example.com", name: "Plans", role: "admin" };
const agent = (name: string): Actor => ({ kind: "agent", name });

let dir: string;
let base: Db;
let ids: { taskId: string; threadId: string; outputId: string; busyAgent: string; rareAgent: string };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-plans-"));
  const file = path.join(dir, "plans.db");
  generate(file, "tiny", () => {});
  base = openDatabase(file);
  // As in production: no planner statistics (the generator gathers them for its own use).
  base.$client.exec("DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;");
  base.$client.close();
  base = openDatabase(file);
  const c = base.$client;
  const one = <T>(q: string) => c.prepare(q).get() as T;
  ids = {
    taskId: one<{ id: string }>(`SELECT task_id AS id FROM messages GROUP BY task_id ORDER BY count(*) DESC LIMIT 1`).id,
    threadId: one<{ id: string }>(`SELECT thread_id AS id FROM messages WHERE to_inbox = 'hitl' LIMIT 1`).id,
    outputId: one<{ id: string }>(`SELECT id FROM outputs ORDER BY version DESC LIMIT 1`).id,
    busyAgent: "backend-developer",
    rareAgent: one<{ a: string }>(`SELECT assigned_agent AS a FROM tasks GROUP BY assigned_agent ORDER BY count(*) LIMIT 1`).a,
  };
}, 120_000);

afterAll(() => {
  base?.$client.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface Planned {
  sql: string;
  plan: string[];
}

/** Runs `fn` on a capturing handle (same connection) and returns each statement with its query plan. */
function plansOf(actor: Actor, fn: (ctx: s.ServiceContext) => unknown): Planned[] {
  const seen: { sql: string; params: unknown[] }[] = [];
  const db = sqliteDb(base.$client, { logger: { logQuery: (sql, params) => seen.push({ sql, params }) } });
  fn({ db, actor });
  return seen
    .filter((q) => !/^(begin|commit|rollback|savepoint|release)/i.test(q.sql.trim()))
    .map((q) => ({
      sql: q.sql,
      plan: (base.$client.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.params as never[])) as { detail: string }[]).map((r) => r.detail),
    }));
}

/**
 * `SCAN tasks` (no index at all) on a big table: the whole table is read. One exception: walking a
 * table in the order of its integer key with a LIMIT and no sort (the newest events) reads only
 * the rows it returns (plus the ones a filter skips).
 */
function fullScans(p: Planned): string[] {
  const sorted = sorts(p).length > 0;
  return p.plan.filter((line) => {
    const m = /^SCAN (\S+)(?: AS \S+)?$/.exec(line);
    if (!m || !(BIG_TABLES.has(m[1]) || /^[a-z]$/.test(m[1]))) return false;
    const byKey = new RegExp(`order by "${m[1]}"\\."(id|seq)"( desc| asc)? limit`).test(p.sql);
    return !(byKey && !sorted);
  });
}

/** A keyset page must come off an index in order: sorting means reading every row of the filter. */
function sorts(p: Planned): string[] {
  return p.plan.filter((line) => /TEMP B-TREE FOR (ORDER BY|LAST TERM|RIGHT PART)/.test(line));
}

function expectIndexed(planned: Planned[], opts: { paged?: RegExp } = {}) {
  expect(planned.length).toBeGreaterThan(0);
  for (const p of planned) {
    expect(fullScans(p), `${p.sql}\n${p.plan.join("\n")}`).toEqual([]);
    if (opts.paged?.test(p.sql)) expect(sorts(p), `${p.sql}\n${p.plan.join("\n")}`).toEqual([]);
  }
}

const pagedTasks = /from "tasks".*order by "tasks"\."updated_at" desc/;

describe("query plans of the hot lists (no full scans, keyset pages read in index order)", () => {
  it("board columns: listTasks by status, by agent and status, by agent alone; taskBoard's counts", () => {
    for (const status of ["pending", "in_progress", "blocked", "in_review", "completed"] as const) {
      expectIndexed(
        plansOf(person, (ctx) => s.listTasks(ctx, { status })),
        { paged: pagedTasks },
      );
      expectIndexed(
        plansOf(person, (ctx) => s.listTasks(ctx, { status, agent: ids.busyAgent })),
        { paged: pagedTasks },
      );
      expectIndexed(
        plansOf(person, (ctx) => s.listTasks(ctx, { status, agent: ids.rareAgent })),
        { paged: pagedTasks },
      );
    }
    expectIndexed(
      plansOf(agent(ids.busyAgent), (ctx) => s.listTasks(ctx, {})),
      { paged: pagedTasks },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.listTasks(ctx, { agent: ids.rareAgent })),
      { paged: pagedTasks },
    );
    const page = s.listTasks({ db: base, actor: person }, { status: "completed", limit: 5 });
    expectIndexed(
      plansOf(person, (ctx) => s.listTasks(ctx, { status: "completed", cursor: page.nextCursor, limit: 5 })),
      { paged: pagedTasks },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.taskBoard(ctx, {})),
      { paged: pagedTasks },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.taskBoard(ctx, { agent: ids.busyAgent })),
      { paged: pagedTasks },
    );
  });

  it("inbox pages (first, next, unread only, by type) and unread counts", () => {
    const paged = /from "messages".*order by "messages"\."created_at" desc/;
    for (const inbox of ["hitl", ids.busyAgent]) {
      expectIndexed(
        plansOf(person, (ctx) => s.listInbox(ctx, { inbox })),
        { paged },
      );
      expectIndexed(
        plansOf(person, (ctx) => s.listInbox(ctx, { inbox, unread: true })),
        { paged },
      );
      expectIndexed(
        plansOf(person, (ctx) => s.listInbox(ctx, { inbox, type: "consultation" })),
        { paged },
      );
      const first = s.listInbox({ db: base, actor: person }, { inbox, limit: 5 });
      expectIndexed(
        plansOf(person, (ctx) => s.listInbox(ctx, { inbox, cursor: first.nextCursor, limit: 5 })),
        { paged },
      );
    }
    // The unread count is one row of inbox_unread, found by its key (kept by triggers; counting the
    // partial index cost 1.3 ms for 33,000 unread, and reading every message of the inbox before that).
    const counts = plansOf(person, (ctx) => s.unreadCount(ctx, ids.busyAgent));
    expectIndexed(counts);
    expect(counts[0].plan.join(" ")).toMatch(/SEARCH inbox_unread USING INDEX sqlite_autoindex_inbox_unread_1 \(inbox=\?\)/);
    expectIndexed(plansOf(person, (ctx) => s.listInboxes(ctx)));
    expectIndexed(plansOf(person, (ctx) => s.getShellCounts(ctx)));
  });

  it("outputs queue: listReviewQueue, first and next page", () => {
    const paged = /from "outputs".*order by "outputs"\."created_at" asc/;
    expectIndexed(
      plansOf(person, (ctx) => s.listReviewQueue(ctx, {})),
      { paged },
    );
    const first = s.listReviewQueue({ db: base, actor: person }, { limit: 3 });
    expectIndexed(
      plansOf(person, (ctx) => s.listReviewQueue(ctx, { cursor: first.nextCursor, limit: 3 })),
      { paged },
    );
    expectIndexed(plansOf(person, (ctx) => s.getOutput(ctx, ids.outputId)));
  });

  it("timeline and activity: listEvents by task, newest first and after an id", () => {
    const paged = /from "events"/;
    expectIndexed(
      plansOf(person, (ctx) => s.listEvents(ctx, { taskId: ids.taskId })),
      { paged },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.listEvents(ctx, { taskId: ids.taskId, beforeId: 1_000_000 })),
      { paged },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.listEvents(ctx, { limit: 25 })),
      { paged },
    );
    expectIndexed(
      plansOf(person, (ctx) => s.listEvents(ctx, { afterId: 10 })),
      { paged },
    );
  });

  it("getTask: the task, its steps, dependencies, outputs, messages and reviews", () => {
    expectIndexed(plansOf(person, (ctx) => s.getTask(ctx, ids.taskId)));
    expectIndexed(plansOf(person, (ctx) => s.getThread(ctx, ids.threadId)));
  });

  it("search: the FTS match, the inbox-scoped join and the page's rows", () => {
    for (const q of ["token", "token cache", '"rate limit"', "tok*"]) {
      const planned = plansOf(person, (ctx) => s.searchMessages(ctx, { q }));
      expectIndexed(planned);
      // Every statement that reads messages_fts goes through the full-text index (a MATCH).
      for (const p of planned.filter((x) => x.sql.includes("messages_fts"))) expect(p.plan.join(" ")).toMatch(/VIRTUAL TABLE INDEX \d+:.*M/);
      expectIndexed(plansOf(agent(ids.busyAgent), (ctx) => s.searchMessages(ctx, { q })));
      expectIndexed(plansOf(person, (ctx) => s.searchMessages(ctx, { q, inbox: "hitl" })));
    }
  });

  it("search everywhere: every kind's FTS match (tasks, outputs, instructions, messages), filters joined by key", () => {
    for (const q of ["token", "token cache", '"rate limit"', "tok*", "idem*"]) {
      const runs = [
        plansOf(person, (ctx) => s.searchAll(ctx, { q })),
        plansOf(agent(ids.busyAgent), (ctx) => s.searchAll(ctx, { q })),
        plansOf(person, (ctx) => s.searchAll(ctx, { q, agent: ids.busyAgent, status: "completed", from: 0, to: Date.now() })),
      ];
      for (const planned of runs) {
        expectIndexed(planned);
        for (const table of ["tasks_fts", "outputs_fts", "instructions_fts", "messages_fts"]) {
          for (const p of planned.filter((x) => new RegExp(`from ${table}\\b`, "i").test(x.sql))) expect(p.plan.join(" "), `${table}: ${p.sql}`).toMatch(/VIRTUAL TABLE INDEX \d+:.*M/);
        }
      }
      // An agent filter finds an instruction's tasks through the instruction (about ten), never through
      // the agent's own indexes: those read a busy agent's every task per matching instruction (30 s a
      // search on the large dataset, as the planner has no statistics there).
      const instructionTasks = runs[2].flatMap((p) => p.plan).filter((line) => /^SEARCH t EXISTS/.test(line));
      expect(instructionTasks.length).toBeGreaterThan(0);
      for (const line of instructionTasks) expect(line).toMatch(/tasks_instruction_idx/);
      // The person's search reads all four indexes.
      for (const table of ["tasks_fts", "outputs_fts", "instructions_fts", "messages_fts"])
        expect(
          runs[0].some((p) => p.sql.includes(table)),
          table,
        ).toBe(true);
    }
  });

  it("instructions list (the board's and the instructions page's): task counts through the instruction index", () => {
    const planned = plansOf(person, (ctx) => s.listInstructions(ctx, { limit: 100 }));
    expectIndexed(planned, { paged: /from "instructions"/ });
    // Both correlated counts must look tasks up by instruction: led by status, the completed count
    // read every completed task once per instruction (7 s for 100 instructions on the large dataset).
    const lookups = planned.flatMap((p) => p.plan).filter((line) => /^SEARCH t /.test(line));
    expect(lookups).toHaveLength(2);
    for (const line of lookups) expect(line).toMatch(/tasks_instruction/);
  });

  it("overview, agents and the agent verbs' statements", () => {
    expectIndexed(plansOf(person, (ctx) => s.getOverview(ctx)));
    expectIndexed(plansOf(person, (ctx) => s.listAgents(ctx)));
    // Writes roll back: the plans are what matters, not the changes.
    const rollback = (fn: () => void) => {
      base.$client.exec("SAVEPOINT plans");
      try {
        fn();
      } finally {
        base.$client.exec("ROLLBACK TO plans; RELEASE plans");
      }
    };
    rollback(() => expectIndexed(plansOf(agent(ids.busyAgent), (ctx) => s.claimTask(ctx, {}))));
    const held = base.$client.prepare(`SELECT id FROM tasks WHERE assigned_agent = ? AND status = 'in_progress' LIMIT 1`).get(ids.busyAgent) as { id: string };
    rollback(() => expectIndexed(plansOf(agent(ids.busyAgent), (ctx) => s.heartbeatTask(ctx, { taskId: held.id }))));
    const step = base.$client.prepare(`SELECT position FROM task_steps WHERE task_id = ? AND status = 'pending' ORDER BY position LIMIT 1`).get(held.id) as { position: number } | undefined;
    if (step) rollback(() => expectIndexed(plansOf(agent(ids.busyAgent), (ctx) => s.updateStep(ctx, { taskId: held.id, position: step.position, status: "in_progress" }))));
    rollback(() => expectIndexed(plansOf(agent(ids.busyAgent), (ctx) => s.sendMessage(ctx, { to: "hitl", body: "plan check", taskId: held.id }))));
  });
});

describe("query plans of the charts (lib/services/charts)", () => {
  it("overview, agent page and task timeline: every read on an index", async () => {
    const c = await import("@/lib/services/charts");
    const overview = plansOf(person, (ctx) => c.overviewCharts(ctx));
    expectIndexed(overview);
    // Completed tasks by the (status, updated_at) index; decided outputs by (status, created_at), each with its review by output.
    expect(overview.flatMap((p) => p.plan)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/SEARCH tasks USING INDEX tasks_status_updated_idx \(status=\? AND updated_at>\?\)/),
        expect.stringMatching(/outputs_status_created_idx/),
        expect.stringMatching(/reviews_output_idx/),
      ]),
    );
    for (const name of [ids.busyAgent, ids.rareAgent]) {
      const activity = plansOf(person, (ctx) => c.agentActivity(ctx, name));
      expectIndexed(activity);
      expect(activity.flatMap((p) => p.plan).filter((line) => /tasks_agent_updated_idx \(assigned_agent=\? AND updated_at>\?\)/.test(line)).length).toBeGreaterThanOrEqual(3);
      const durations = plansOf(person, (ctx) => c.agentStepDurations(ctx, name));
      expectIndexed(durations);
      expect(durations.flatMap((p) => p.plan)).toEqual(expect.arrayContaining([expect.stringMatching(/tasks_agent_updated_idx \(assigned_agent=\?\)/)]));
    }
    expectIndexed(plansOf(person, (ctx) => c.taskTimeline(ctx, ids.taskId)));
  });
});
