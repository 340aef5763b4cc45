import { afterAll, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import { exec, one } from "@/test/sql";
import * as s from "@/lib/services";

// tasks.fts on PostgreSQL is kept by a trigger (0004_tasks_fts_trigger; its words as 0005 splits
// them), computed when a task is inserted and when its title, description or acceptance criteria
// change, not by a generated column recomputed on every UPDATE (every heartbeat and step). The stored
// vector must always be what the task's text gives: computed again from the text (setting fts
// itself makes the trigger compute it), it does not change.

const t = makeTestDb();
afterAll(() => t.cleanup());

const stored = (id: string) => one<{ fts: string }>(t.db, `SELECT fts::text AS fts FROM tasks WHERE id = ?`, id)!.fts;
/** The stored vector, after checking that it is what the text gives now. */
function fts(id: string): string {
  const before = stored(id);
  exec(t.db, `UPDATE tasks SET fts = NULL WHERE id = ?`, id);
  expect(stored(id)).toBe(before);
  return before;
}

it("is the text of the task as written, followed through edits of its text, and untouched by lease and step writes", () => {
  const rex = t.ctx(people.reviewer);
  const be = t.ctx(agent("backend-developer"));
  const inst = s.createInstruction(rex, { title: "Search" });
  const task = s.createTask(rex, {
    instructionId: inst.id,
    title: "Café orders API",
    description: "List the orders",
    assignedAgent: "backend-developer",
    acceptanceCriteria: ["fast pages", "exact totals"],
  });
  expect(fts(task.id)).toContain("'cafe':1A");
  expect(fts(task.id)).toContain("'totals':");

  const token = s.claimTask(be, { taskId: task.id })!.lease!.token;
  s.heartbeatTask(be, { taskId: task.id, leaseToken: token });
  s.updateStep(be, { taskId: task.id, position: 1, status: "in_progress", leaseToken: token });
  fts(task.id);

  exec(t.db, `UPDATE tasks SET title = ?, description = ?, acceptance_criteria = ? WHERE id = ?`, "Tea invoices", "Print them", JSON.stringify(["signed"]), task.id);
  const after = fts(task.id);
  expect(after).toContain("'tea':1A");
  expect(after).not.toContain("cafe");

  // Set by hand, it is computed again from the text.
  exec(t.db, `UPDATE tasks SET fts = to_tsvector('simple', 'stale') WHERE id = ?`, task.id);
  expect(stored(task.id)).toBe(after);
});

it("is computed for rows loaded in bulk with triggers off for replication (the bench's COPY), as the generated column was", () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Bulk" });
  t.db.$engine.transaction((tx) => {
    exec(tx, `SET LOCAL session_replication_role = replica`);
    exec(
      tx,
      `INSERT INTO tasks (id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, created_by, created_at, updated_at, version)
       VALUES ('tsk_bulk_1', ?, 'B1', 'Bulk loaded', 'by COPY', 'create', 'backend-developer', 'pending', 'normal', 2, 'review_required', '[]', '[]', '[]', 0, 'bench', 1, 1, 1)`,
      inst.id,
    );
  });
  expect(fts("tsk_bulk_1")).toContain("'bulk':1A");
});
