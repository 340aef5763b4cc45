import { afterAll, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import { exec, one } from "@/test/sql";
import * as s from "@/lib/services";

// tasks.fts on PostgreSQL is kept by a trigger (0004_tasks_fts_trigger), computed when a task is
// inserted and when its title, description or acceptance criteria change, not by a generated column
// recomputed on every UPDATE (every heartbeat and step). It must stay what 0001's expression gives.

const t = makeTestDb();
afterAll(() => t.cleanup());

const EXPRESSION = `setweight(to_tsvector('ad_simple', coalesce(title, '')), 'A') || setweight(to_tsvector('ad_simple', coalesce(description, '')), 'B') || setweight(to_tsvector('ad_simple', coalesce(agentdesk_json_lines(acceptance_criteria), '')), 'C')`;
const fts = (id: string) => one<{ fts: string; same: boolean }>(t.db, `SELECT fts::text AS fts, fts = (${EXPRESSION}) AS same FROM tasks WHERE id = ?`, id)!;

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
  expect(fts(task.id)).toEqual({ fts: expect.stringContaining("'cafe':1A"), same: true });
  expect(fts(task.id).fts).toContain("'totals':");

  const token = s.claimTask(be, { taskId: task.id })!.lease!.token;
  s.heartbeatTask(be, { taskId: task.id, leaseToken: token });
  s.updateStep(be, { taskId: task.id, position: 1, status: "in_progress", leaseToken: token });
  const before = fts(task.id);
  expect(before.same).toBe(true);

  exec(t.db, `UPDATE tasks SET title = ?, description = ?, acceptance_criteria = ? WHERE id = ?`, "Tea invoices", "Print them", JSON.stringify(["signed"]), task.id);
  const after = fts(task.id);
  expect(after.same).toBe(true);
  expect(after.fts).toContain("'tea':1A");
  expect(after.fts).not.toContain("cafe");

  // Set by hand, it is computed again from the text.
  exec(t.db, `UPDATE tasks SET fts = NULL WHERE id = ?`, task.id);
  expect(fts(task.id).same).toBe(true);
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
  expect(fts("tsk_bulk_1")).toEqual({ fts: expect.stringContaining("'bulk':1A"), same: true });
});
