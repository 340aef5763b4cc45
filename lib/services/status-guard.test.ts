import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { events } from "@/db/schema";
import type { SqliteDb } from "@/db/client";
import { makeTestDb, people, agent, system } from "@/test/db";
import { countOf, exec, rows } from "@/test/sql";
import * as s from "@/lib/services";
import { cancelRun, createRun, finishRun, retryRun, startRun } from "@/lib/services/runs";
import { FOLDER_BRIDGE, importInstruction, importMessage, importOutput, importTask, recordBridgeConflict } from "@/lib/services/protocol";
import { insideStatusChange } from "./status-guard";
import type { Actor } from "@/lib/auth/actor";

// A status changes in one place per kind (task, step, output): transitionTask, transitionStep /
// transitionSteps, transitionOutput / supersedeOutputs. Triggers refuse any status write made
// outside them, and the walk below drives every write verb through every status, so a verb that
// writes `.set({ status })` itself fails here. The triggers ask this process whether a status
// change is under way (insideStatusChange): SQLite calls a function of the connection; PostgreSQL
// reads a session setting that the test's connection sets before each of its statements.

const t = makeTestDb();
let clock = Date.parse("2026-01-05T09:00:00Z");
const ctx = (actor: Actor) => t.ctx(actor, () => clock);
const rex = ctx(people.reviewer);
const admin = ctx(people.admin);
const be = ctx(agent("backend-developer"));
const sys = ctx(system);
const bridge = ctx(FOLDER_BRIDGE);
const GUARD = /status written outside the state machine/;
const TABLES = ["tasks", "task_steps", "outputs"];

function guardSqlite(client: SqliteDb["$client"]) {
  client.function("status_guard", { deterministic: false }, () => (insideStatusChange() ? 1 : 0));
  for (const table of TABLES) {
    client.exec(`CREATE TEMP TRIGGER guard_${table} BEFORE UPDATE OF status ON ${table} WHEN status_guard() = 0 ` + `BEGIN SELECT RAISE(ABORT, 'status written outside the state machine'); END`);
  }
}

type Run = (text: string, params: unknown[], arrayMode: boolean) => unknown[];
function guardPostgres() {
  exec(
    t.db,
    `CREATE FUNCTION status_guard() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF coalesce(current_setting('agentdesk.status_guard', true), '0') <> '1' THEN
         RAISE EXCEPTION 'status written outside the state machine';
       END IF;
       RETURN NEW;
     END $$`,
  );
  for (const table of TABLES) exec(t.db, `CREATE TRIGGER guard_${table} BEFORE UPDATE OF status ON ${table} FOR EACH ROW EXECUTE FUNCTION status_guard()`);
  // Before each statement of this connection (db/engine/pg-session.ts: one-off and prepared), the
  // setting says whether a status change is under way, as SQLite's function answers during one.
  // Transaction control is left alone: after a failed statement only a rollback may run.
  const session = (t.db as unknown as { session: { query: Run; execute: Run } }).session;
  const query = session.query.bind(session);
  const execute = session.execute.bind(session);
  const tell = (text: string) => {
    if (!/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i.test(text)) query("SELECT set_config('agentdesk.status_guard', $1, false)", [insideStatusChange() ? "1" : "0"], false);
  };
  session.query = (text, params, arrayMode) => (tell(text), query(text, params, arrayMode));
  session.execute = (text, params, arrayMode) => (tell(text), execute(text, params, arrayMode));
}

beforeAll(() => {
  const client = (t.db as Partial<SqliteDb>).$client;
  if (client) guardSqlite(client);
  else guardPostgres();
});
afterAll(() => t.cleanup());

const raw = (sql: string, ...args: unknown[]) => exec(t.db, sql, ...args);
const moves = (kind: string) =>
  [
    ...new Set(
      t.db
        .select({ after: events.after })
        .from(events)
        .where(eq(events.entityKind, kind))
        .all()
        .map((r) => (r.after as { status?: string } | null)?.status)
        .filter((v): v is string => typeof v === "string"),
    ),
  ].sort();

describe("every status write goes through its state machine", () => {
  it("the triggers refuse a status written directly", () => {
    const inst = s.createInstruction(rex, { title: "Guarded" });
    const task = s.createTask(rex, { instructionId: inst.id, title: "Direct", assignedAgent: "backend-developer" });
    expect(() => raw("UPDATE tasks SET status = 'cancelled' WHERE id = ?", task.id)).toThrowError(GUARD);
    expect(() => raw("UPDATE task_steps SET status = 'done' WHERE task_id = ?", task.id)).toThrowError(GUARD);
    // other columns stay writable
    raw("UPDATE tasks SET title = 'Direct, renamed' WHERE id = ?", task.id);
    s.cancelTask(rex, { taskId: task.id });
  });

  it("walks every verb that changes a status", () => {
    const inst = s.createInstruction(rex, { title: "The walk", tier: 2 });
    const newTask = (title: string, extra: Partial<s.CreateTaskInput> = {}) => s.createTask(rex, { instructionId: inst.id, title, assignedAgent: "backend-developer", ...extra });
    const allSteps = (taskId: string, status: "done" | "skipped" = "done") => {
      for (let p = 1; p <= 10; p++) s.updateStep(be, { taskId, position: p, status, note: `step ${p}` });
    };
    // A task nobody finishes keeps the instruction open: once all its tasks are completed, its phase follows them to completed.
    newTask("Keeps the instruction open", { priority: "low" });

    // claim (next and by id), heartbeat, steps (start, done, block → task blocked, resume → task unblocked, skip)
    const a = newTask("A", { priority: "critical" });
    expect(s.claimTask(be)?.id).toBe(a.id);
    s.heartbeatTask(be, { taskId: a.id });
    s.updateStep(be, { taskId: a.id, position: 1, status: "in_progress" });
    s.updateStep(be, { taskId: a.id, position: 1, status: "blocked", note: "waiting" });
    s.updateStep(be, { taskId: a.id, position: 1, status: "in_progress" });
    s.updateStep(be, { taskId: a.id, position: 2, status: "skipped", note: "not needed" });
    // block / unblock, from the agent and from the board
    s.blockTask(be, { taskId: a.id, reason: "Schema?" });
    s.unblockTask(rex, { taskId: a.id, note: "Here" });
    s.moveTask(rex, { taskId: a.id, to: "blocked", reason: "Wait" });
    s.moveTask(rex, { taskId: a.id, to: "in_progress" });
    // outputs: a second version supersedes the first; changes requested; approved
    s.submitOutput(be, { taskId: a.id, format: "markdown", content: "v1" });
    s.submitOutput(be, { taskId: a.id, format: "markdown", content: "v2" });
    for (let p = 1; p <= 10; p++) if (p !== 2) s.updateStep(be, { taskId: a.id, position: p, status: "done" });
    s.completeTask(be, { taskId: a.id });
    const v2 = s.getTask(rex, a.id).outputs.at(-1)!;
    // changes requested: back to pending in round 2 (steps archived and reset), claimed, walked, a new version, approved
    s.requestOutputChanges(rex, { outputId: v2.id, comment: "More" });
    s.claimTask(be, { taskId: a.id });
    allSteps(a.id);
    s.submitOutput(be, { taskId: a.id, format: "markdown", content: "v3" });
    s.completeTask(be, { taskId: a.id });
    s.approveOutput(rex, { outputId: s.getTask(rex, a.id).outputs.at(-1)!.id });
    expect(s.getTask(rex, a.id)).toMatchObject({ status: "completed", round: 2 });

    // autonomous completion; cancel; reassign (in progress → pending, pending, in review)
    const b = newTask("B", { authority: "autonomous" });
    s.claimTask(be, { taskId: b.id });
    allSteps(b.id, "skipped");
    s.completeTask(be, { taskId: b.id });
    s.cancelTask(rex, { taskId: newTask("C").id });
    s.moveTask(rex, { taskId: newTask("C2").id, to: "cancelled" });
    const d = newTask("D");
    s.claimTask(be, { taskId: d.id });
    s.updateStep(be, { taskId: d.id, position: 1, status: "in_progress" });
    s.reassignTask(rex, { taskId: d.id, agent: "frontend-developer" });
    s.reassignTask(rex, { taskId: newTask("E").id, agent: "frontend-developer" });
    const f = newTask("F");
    s.claimTask(be, { taskId: f.id });
    allSteps(f.id);
    s.submitOutput(be, { taskId: f.id, format: "markdown", content: "F" });
    s.completeTask(be, { taskId: f.id });
    s.reassignTask(rex, { taskId: f.id, agent: "frontend-developer" });

    // the sweeper: reminders, then requeue (steps released) and escalation
    const g = newTask("G");
    s.claimTask(be, { taskId: g.id });
    s.updateStep(be, { taskId: g.id, position: 1, status: "in_progress" });
    const h = newTask("H");
    s.claimTask(be, { taskId: h.id });
    const remindOnly = { graceMs: 10 * 60 * 60_000 };
    clock += 2 * 60 * 60_000;
    expect(s.sweepLeases(sys, remindOnly)).toMatchObject({ reminded: 2, recovered: 0 });
    expect(s.sweepLeases(sys, { graceMs: 60_000, onExpiry: "requeue" }).recovered).toBe(2);
    s.claimTask(be, { taskId: h.id });
    clock += 2 * 60 * 60_000;
    s.sweepLeases(sys, remindOnly);
    expect(s.sweepLeases(sys, { graceMs: 60_000, onExpiry: "escalate" }).recovered).toBe(1);
    expect(s.getTask(rex, h.id).status).toBe("blocked");

    // runs: a run on a blocked task requeues it; a failed run blocks its task in progress, leaves a pending one pending
    const runner = { preset: "command", command: ["agent"] };
    const run1 = createRun(admin, { taskId: h.id, ...runner });
    expect(s.getTask(rex, h.id).status).toBe("pending");
    startRun(sys, { runId: run1.id, command: ["agent"] });
    s.claimTask(be, { taskId: h.id });
    expect(finishRun(sys, { runId: run1.id, outcome: "exited", exitCode: 1 }).taskBlocked).toBe(true);
    const run2 = retryRun(admin, { runId: run1.id, ...runner });
    startRun(sys, { runId: run2.id, command: ["agent"] });
    expect(finishRun(sys, { runId: run2.id, outcome: "spawn_failed" }).taskBlocked).toBe(false);
    expect(s.getTask(rex, h.id).status).toBe("pending");
    cancelRun(admin, { runId: createRun(admin, { taskId: h.id, ...runner }).id });

    // messages
    const m = s.sendMessage(be, { to: "hitl", body: "Question", taskId: h.id });
    s.replyToMessage(rex, { messageId: m.id, body: "Answer" });
    s.markMessage(rex, { messageId: m.id, read: true, archived: true });

    // the folder bridge: create, move folders (any move the file made), reassign, messages, outputs, conflicts
    const at = clock - 86_400_000;
    importInstruction(bridge, { id: "inst_20260105_001", title: "From files", createdBy: "hitl", createdAt: at, sourcePath: "inst_20260105_001" });
    const base = { instructionId: "inst_20260105_001", title: "Filed", createdAt: at, createdBy: "hitl", sourcePath: null };
    importTask(bridge, { ...base, ref: "T1", assignedAgent: "backend-developer", status: "pending" });
    importTask(bridge, { ...base, ref: "T1", assignedAgent: "backend-developer", status: "in_progress" });
    importTask(bridge, { ...base, ref: "T1", assignedAgent: "frontend-developer", status: "blocked", blockedReason: "stuck" });
    importTask(bridge, { ...base, ref: "T1", assignedAgent: "frontend-developer", status: "completed" });
    importTask(bridge, { ...base, ref: "T1", assignedAgent: "frontend-developer", status: "pending" });
    const out = {
      instructionId: "inst_20260105_001",
      format: "yaml" as const,
      submittedBy: "backend-developer",
      createdAt: at,
      placeholder: { title: "Result", assignedAgent: "backend-developer", status: "in_progress" as const },
    };
    importOutput(bridge, { ...out, taskRef: "T2", sourcePath: "outputs/partial/T2_result.yaml", content: "a: 1" });
    importOutput(bridge, { ...out, taskRef: "T2", sourcePath: "outputs/partial/T2_result.yaml", content: "a: 2" });
    importMessage(bridge, { sourcePath: "_communication/inbox/hitl/q.yaml", fromKind: "agent", fromName: "backend-developer", toInbox: "hitl", type: "consultation", createdAt: at, original: {} });
    recordBridgeConflict(bridge, { entityKind: "task", entityId: "T1", path: "tasks/pending/T1.yaml", keptAs: null, winner: "database", rule: "database wins" });

    // Every status of every kind was reached by the walk, so no write path was left out.
    expect(moves("task")).toEqual(["blocked", "cancelled", "completed", "in_progress", "in_review", "pending"]);
    expect(moves("step")).toEqual(["blocked", "done", "in_progress", "skipped"]);
    expect(moves("output")).toEqual(["approved", "changes_requested"]);
    const outputStatuses = rows<{ status: string }>(t.db, "SELECT DISTINCT status FROM outputs ORDER BY status").map((r) => r.status);
    expect(outputStatuses).toEqual(["approved", "changes_requested", "pending_review", "superseded"]);
    expect(countOf(t.db, "task_steps WHERE task_id = ? AND status = 'pending' AND started_at IS NOT NULL", d.id)).toBe(1);
  });
});
