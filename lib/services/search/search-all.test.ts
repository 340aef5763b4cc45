import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { HIT_END, HIT_START } from "@/lib/services";
import { countOf, exec, one } from "@/test/sql";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const viewer = () => t.ctx(people.viewer);
const be = () => t.ctx(agent("backend-developer"));
const fe = () => t.ctx(agent("frontend-developer"));
const sqlite = () => t.db.$engine.kind === "sqlite";
const ids = (r: s.SearchAllResult) => r.items.map((h) => `${h.kind}:${h.id}`);

/** One of each kind, each carrying a word only it contains. */
function world() {
  const inst = s.createInstruction(rex(), { title: "Quarterly ledger", body: "The marmoset plan for reconciliation" });
  const task = s.createTask(rex(), {
    instructionId: inst.id,
    title: "Ledger export",
    description: "Export the ledger as a pangolin report",
    acceptanceCriteria: ["The narwhal column is present"],
    assignedAgent: "backend-developer",
  });
  const other = s.createTask(rex(), { instructionId: inst.id, title: "Ledger screen", description: "Show the quokka chart", assignedAgent: "frontend-developer" });
  s.claimTask(be(), { taskId: task.id });
  const v1 = s.submitOutput(be(), { taskId: task.id, format: "text", content: "first draft with an axolotl" });
  const v2 = s.submitOutput(be(), { taskId: task.id, format: "text", content: "second draft with a capybara" });
  s.claimTask(fe(), { taskId: other.id });
  const feOut = s.submitOutput(fe(), { taskId: other.id, format: "text", content: "frontend draft with a wombat and a capybara" });
  const toBe = s.sendMessage(rex(), { to: "backend-developer", subject: "About the tapir", body: "Please check the tapir numbers" });
  const toFe = s.sendMessage(rex(), { to: "frontend-developer", subject: "Colours", body: "The tapir palette" });
  return { inst, task, other, v1, v2, feOut, toBe, toFe };
}

describe("searchAll: every kind, filters, visibility", () => {
  it("finds each kind by a word only it contains, with links and marked snippets", () => {
    const w = world();
    const one = (q: string) => {
      const r = s.searchAll(rex(), { q });
      expect(r.items, q).toHaveLength(1);
      return r.items[0];
    };
    const task = one("pangolin");
    expect(task).toMatchObject({ kind: "task", id: w.task.id, title: "Ledger export", status: "in_progress", agent: "backend-developer" });
    expect(task.links).toMatchObject({ taskId: w.task.id, instructionId: w.inst.id });
    expect(task.snippet).toContain(`${HIT_START}pangolin${HIT_END}`);
    expect(one("narwhal")).toMatchObject({ kind: "task", id: w.task.id });
    // A word only in the output's v2 finds that version.
    const out = one("axolotl");
    expect(out).toMatchObject({ kind: "output", id: w.v1.id, title: "Ledger export · v1" });
    const v2 = s.searchAll(rex(), { q: "capybara", kinds: ["output"] });
    expect(ids(v2).sort()).toEqual([`output:${w.v2.id}`, `output:${w.feOut.id}`].sort());
    expect(v2.items.find((h) => h.id === w.v2.id)!.links).toMatchObject({ taskId: w.task.id, outputId: w.v2.id, version: 2 });
    const inst = one("marmoset");
    expect(inst).toMatchObject({ kind: "instruction", id: w.inst.id, links: { instructionId: w.inst.id } });
    const msgs = s.searchAll(rex(), { q: "tapir" });
    expect(ids(msgs).sort()).toEqual([`message:${w.toBe.id}`, `message:${w.toFe.id}`].sort());
    expect(msgs.items.find((h) => h.id === w.toBe.id)!.links).toMatchObject({ messageId: w.toBe.id, threadId: w.toBe.threadId });
    // Mixed: one word in several kinds, with counts per kind.
    const ledger = s.searchAll(rex(), { q: "ledger" });
    expect(ledger.counts).toEqual({ task: 2, output: 0, instruction: 1, message: 0 });
    expect(new Set(ledger.items.map((h) => h.kind))).toEqual(new Set(["task", "instruction"]));
    expect(s.searchAll(viewer(), { q: "ledger" }).counts.task).toBe(2);
  });

  it("filters by kind, agent, status and date; counts ignore the kinds filter", () => {
    const w = world();
    const onlyTasks = s.searchAll(rex(), { q: "ledger", kinds: ["task"] });
    expect(onlyTasks.items.every((h) => h.kind === "task")).toBe(true);
    expect(onlyTasks.counts.instruction).toBe(1);
    expect(ids(s.searchAll(rex(), { q: "ledger", kinds: ["task"], agent: "frontend-developer" }))).toEqual([`task:${w.other.id}`]);
    expect(ids(s.searchAll(rex(), { q: "ledger", agent: "frontend-developer" })).sort()).toEqual([`instruction:${w.inst.id}`, `task:${w.other.id}`].sort());
    expect(ids(s.searchAll(rex(), { q: "tapir", agent: "frontend-developer" }))).toEqual([`message:${w.toFe.id}`]);
    expect(ids(s.searchAll(rex(), { q: "capybara", agent: "frontend-developer" }))).toEqual([`output:${w.feOut.id}`]);
    // Status: a task's, an output's, an instruction's phase; messages have none.
    expect(ids(s.searchAll(rex(), { q: "capybara", status: "superseded" }))).toEqual([]);
    expect(ids(s.searchAll(rex(), { q: "axolotl", status: "superseded" }))).toEqual([`output:${w.v1.id}`]);
    expect(ids(s.searchAll(rex(), { q: "ledger", status: "pending" }))).toEqual([]);
    const phase = one<{ phase: string }>(t.db, "SELECT phase FROM instructions WHERE id = ?", w.inst.id)!.phase;
    expect(ids(s.searchAll(rex(), { q: "ledger", status: phase }))).toEqual([`instruction:${w.inst.id}`]);
    expect(s.searchAll(rex(), { q: "tapir", status: "in_progress" }).items).toEqual([]);
    // Dates: created at or after `from`, before `to`.
    const now = Date.now();
    expect(s.searchAll(rex(), { q: "ledger", from: now + 60_000 }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: "ledger", to: now - 3_600_000 }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: "ledger", from: now - 3_600_000, to: now + 60_000 }).items).toHaveLength(3);
  });

  it("an agent never finds another agent's task, output or message, nor instructions", () => {
    const w = world();
    expect(ids(s.searchAll(be(), { q: "ledger" }))).toEqual([`task:${w.task.id}`]);
    expect(s.searchAll(be(), { q: "ledger" }).searchable).toEqual(["task", "output", "message"]);
    expect(s.searchAll(be(), { q: "quokka" }).items).toEqual([]);
    expect(s.searchAll(be(), { q: "wombat" }).items).toEqual([]);
    expect(ids(s.searchAll(be(), { q: "capybara" }))).toEqual([`output:${w.v2.id}`]);
    expect(ids(s.searchAll(be(), { q: "tapir" }))).toEqual([`message:${w.toBe.id}`]);
    expect(s.searchAll(be(), { q: "marmoset" }).items).toEqual([]);
    // Asking for another agent's work gives nothing, never theirs.
    expect(s.searchAll(be(), { q: "ledger", agent: "frontend-developer" }).items).toEqual([]);
    expect(s.searchAll(be(), { q: "capybara", agent: "frontend-developer" }).counts).toEqual({ task: 0, output: 0, instruction: 0, message: 0 });
    // The agent's own name, or the hex key of an id, is never a search word.
    expect(s.searchAll(be(), { q: "backend" }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: w.task.id }).items.filter((h) => h.kind !== "message")).toEqual([]);
    // Reassigned: the outputs follow the task to its new agent.
    s.reassignTask(rex(), { taskId: w.task.id, agent: "frontend-developer" });
    expect(s.searchAll(be(), { q: "capybara" }).items).toEqual([]);
    expect(ids(s.searchAll(fe(), { q: "capybara" })).sort()).toEqual([`output:${w.v2.id}`, `output:${w.feOut.id}`].sort());
    expect(ids(s.searchAll(fe(), { q: "pangolin" }))).toEqual([`task:${w.task.id}`]);
  });

  it("keeps the indexes in step with updates and deletes", () => {
    const w = world();
    s.updateInstruction(rex(), { id: w.inst.id, title: "Annual ledger", body: "The ocelot plan" });
    expect(s.searchAll(rex(), { q: "marmoset" }).items).toEqual([]);
    expect(ids(s.searchAll(rex(), { q: "ocelot" }))).toEqual([`instruction:${w.inst.id}`]);
    exec(t.db, "UPDATE tasks SET description = 'now a platypus' WHERE id = ?", w.task.id);
    expect(s.searchAll(rex(), { q: "pangolin" }).items).toEqual([]);
    expect(ids(s.searchAll(rex(), { q: "platypus" }))).toEqual([`task:${w.task.id}`]);
    if (sqlite()) {
      // A status change does not touch the FTS5 index (no trigger on it).
      const before = one(t.db, "SELECT rowid FROM tasks_fts WHERE id = ?", w.task.id);
      exec(t.db, "UPDATE tasks SET status = 'blocked', version = version + 1 WHERE id = ?", w.task.id);
      expect(one(t.db, "SELECT rowid FROM tasks_fts WHERE id = ?", w.task.id)).toEqual(before);
    }
    exec(t.db, "UPDATE outputs SET content = 'edited with a kinkajou' WHERE id = ?", w.v2.id);
    expect(ids(s.searchAll(rex(), { q: "kinkajou" }))).toEqual([`output:${w.v2.id}`]);
    expect(ids(s.searchAll(rex(), { q: "capybara" }))).toEqual([`output:${w.feOut.id}`]);
    // Deleting a task takes its outputs (cascade) out of the index too.
    if (sqlite()) {
      t.db.$client.pragma("foreign_keys = OFF");
      exec(t.db, "DELETE FROM task_steps WHERE task_id = ?", w.task.id);
      t.db.$client.pragma("foreign_keys = ON");
    }
    exec(t.db, "DELETE FROM outputs WHERE task_id = ?", w.task.id);
    exec(t.db, "DELETE FROM messages WHERE task_id = ?", w.task.id);
    exec(t.db, "DELETE FROM tasks WHERE id = ?", w.task.id);
    expect(s.searchAll(rex(), { q: "platypus" }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: "axolotl" }).items).toEqual([]);
    // FTS5 keeps its own rows (PostgreSQL's fts columns are part of the row).
    if (sqlite()) for (const table of ["tasks", "outputs", "instructions"]) expect(countOf(t.db, `${table}_fts`), table).toBe(countOf(t.db, table));
  });

  it("hostile queries give results or a clean validation error, never an SQL error", () => {
    world();
    const hostile = [
      "NEAR(ledger pangolin, 2)",
      "ledger NEAR pangolin",
      "*",
      "***",
      "ledger*",
      "ledg*",
      'ledger"',
      '"unterminated',
      "'; DROP TABLE tasks; --",
      "title:ledger",
      "{title} : ledger",
      "key : k00",
      "agent:backend",
      "ledger AND OR NOT",
      "^ledger",
      "-ledger +pangolin",
      "(ledger",
      "ledger)",
      "\u0000\u0002ledger\u0003",
      "ledger ".repeat(60),
      "é́́́́ ledger ümlaut",
    ];
    for (const q of hostile) {
      const r = s.searchAll(rex(), { q });
      expect(Array.isArray(r.items), q).toBe(true);
    }
    // NEAR is a word like any other; a quoted phrase stays a phrase.
    expect(s.searchAll(rex(), { q: "NEAR ledger" }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: '"ledger export"' }).items.map((h) => h.kind)).toEqual(["task"]);
    expect(s.searchAll(rex(), { q: "ledg*" }).counts.task).toBe(2);
    expect(s.searchAll(rex(), { q: "ledgerx*" }).items).toEqual([]);
    expect(s.searchAll(rex(), { q: "*** ::" })).toMatchObject({ items: [], query: null });
    expect(() => s.searchAll(rex(), { q: "x".repeat(501) })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
    expect(() => s.searchAll(rex(), { q: "ledger", cursor: "garbage" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  });

  it("pages through mixed kinds with an offset cursor, without repeats", () => {
    const inst = s.createInstruction(rex(), { title: "Many", body: "gecko" });
    for (let i = 0; i < 7; i++) s.createTask(rex(), { instructionId: inst.id, title: `Gecko ${i}`, description: i % 2 ? "gecko gecko" : "a gecko", assignedAgent: "backend-developer" });
    for (let i = 0; i < 5; i++) s.sendMessage(rex(), { to: "backend-developer", subject: `Gecko note ${i}`, body: "gecko" });
    const seen: string[] = [];
    const snippets: string[] = [];
    let cursor: string | null = null;
    do {
      const page: s.SearchAllResult = s.searchAll(rex(), { q: "gecko", limit: 5, cursor });
      seen.push(...ids(page));
      snippets.push(...page.items.map((h) => h.snippet));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
    const all = s.searchAll(rex(), { q: "gecko", limit: 50 });
    expect(seen).toEqual(ids(all));
    // A page shorter than the candidates gets its snippets as the whole list does (PostgreSQL builds them for the page only).
    expect(snippets).toEqual(all.items.map((h) => h.snippet));
    for (const snippet of snippets) expect(snippet).toMatch(new RegExp(`${HIT_START}gecko${HIT_END}`, "i"));
  });
});
