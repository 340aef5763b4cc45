import { afterAll, describe, expect, test } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import { claimTask, createInstruction, createTask, getTask, listInbox } from "@/lib/services";
import { appendRunOutput, cancelRun, createRun, finishRun, getRunLog, listRuns, retryRun, startRun } from "@/lib/services/runs";

// The run verbs on their own (no processes): rules, events, and the query plans of the hot reads.

const t = makeTestDb();
afterAll(() => t.cleanup());
const admin = t.ctx(people.admin);
const sys = t.ctx(system);
const inst = createInstruction(admin, { title: "Runs", body: "x", tier: 1 });
const newTask = (title = "A task") => createTask(admin, { instructionId: inst.id, title, assignedAgent: "backend-developer" });
const runner = { preset: "command", command: ["agent"] };

const ADA = "ada@example.com"; // people.admin
const events = (verb: string) => (t.db.$client.prepare("SELECT count(*) AS n FROM events WHERE verb = ?").get(verb) as { n: number }).n;

describe("run verbs", () => {
  test("who may do what", () => {
    const task = newTask();
    expect(() => createRun(t.ctx(people.viewer), { taskId: task.id, ...runner })).toThrow(/read-only/);
    expect(() => createRun(t.ctx(agent("backend-developer")), { taskId: task.id, ...runner })).toThrow(/Only a person/);
    const run = createRun(admin, { taskId: task.id, ...runner });
    expect(() => startRun(admin, { runId: run.id, command: [] })).toThrow(/Only the run supervisor/);
    expect(() => appendRunOutput(admin, { runId: run.id, lines: [] })).toThrow(/Only the run supervisor/);
    expect(() => finishRun(admin, { runId: run.id, outcome: "exited", exitCode: 0 })).toThrow(/Only the run supervisor/);
    // one active run per task
    expect(() => createRun(admin, { taskId: task.id, ...runner })).toThrow(/already queued/);
    // the agent reads runs of its own tasks only
    expect(listRuns(t.ctx(agent("backend-developer")), { taskId: task.id }).items).toHaveLength(1);
    expect(() => listRuns(t.ctx(agent("frontend-developer")), { taskId: task.id })).toThrow(/not found/i);
    cancelRun(admin, { runId: run.id });
  });

  test("start mints a run token; output is paged by seq; finish revokes it and blocks the unfinished task with the tail", () => {
    const task = newTask("Crashes");
    const run = createRun(admin, { taskId: task.id, ...runner });
    const before = events("run.output");
    const started = startRun(sys, { runId: run.id, command: ["agent", "<prompt>"] });
    if (!started.started) throw new Error("not started");
    expect(started.token).toMatch(/^adk_/);
    claimTask(t.ctx(agent("backend-developer")), { taskId: task.id }); // the run's agent takes the task, as a real one does
    const lines = Array.from({ length: 30 }, (_, i) => ({ stream: "stdout" as const, text: `line ${i + 1}`, at: Date.now() }));
    expect(appendRunOutput(sys, { runId: run.id, lines: lines.slice(0, 20) })).toEqual({ stored: 20, lastSeq: 20 });
    expect(appendRunOutput(sys, { runId: run.id, lines: [...lines.slice(20), { stream: "stderr", text: "boom", at: Date.now() }] }).lastSeq).toBe(31);
    expect(events("run.output") - before).toBe(2);

    expect(getRunLog(admin, run.id, { after: 28 }).items.map((l) => l.text)).toEqual(["line 29", "line 30", "boom"]);
    const tail = getRunLog(admin, run.id, { limit: 5 });
    expect(tail.items.map((l) => l.seq)).toEqual([27, 28, 29, 30, 31]);
    expect(tail.hasEarlier).toBe(true);
    expect(getRunLog(admin, run.id, { before: 3 }).items.map((l) => l.seq)).toEqual([1, 2]);
    expect(getRunLog(admin, run.id, { q: "LINE 1" }).items.map((l) => l.text)).toEqual(["line 1", ...Array.from({ length: 10 }, (_, i) => `line ${i + 10}`)]);
    expect(getRunLog(admin, run.id, { q: "100%_" }).items).toEqual([]);

    const done = finishRun(sys, { runId: run.id, outcome: "exited", exitCode: 3 });
    expect(done.run).toMatchObject({ status: "failed", exitCode: 3, reason: "Exited with code 3" });
    expect(done.taskBlocked).toBe(true);
    const blocked = getTask(admin, task.id);
    expect(blocked.status).toBe("blocked");
    expect(blocked.blockedReason).toContain("Last output:\nline 20");
    expect(blocked.blockedReason).toMatch(/line 30\nboom$/);
    const msg = listInbox(admin, { inbox: "hitl" }).items.find((m) => m.id === done.messageId);
    expect(msg).toMatchObject({ type: "escalation", taskId: task.id });
    const tok = t.db.$client.prepare("SELECT revoked_at FROM api_tokens WHERE id = ?").get(started.run.tokenId) as { revoked_at: number | null };
    expect(tok.revoked_at).not.toBeNull();
    // finishing twice changes nothing
    expect(finishRun(sys, { runId: run.id, outcome: "exited", exitCode: 0 }).run.status).toBe("failed");
    // output after the end is ignored
    expect(appendRunOutput(sys, { runId: run.id, lines: lines.slice(0, 1) }).stored).toBe(0);

    // Retry: the blocked task goes back to pending, the new run remembers the old
    const again = retryRun(admin, { runId: run.id, ...runner });
    expect(again).toMatchObject({ retryOf: run.id, trigger: "retry", status: "queued" });
    expect(getTask(admin, task.id)).toMatchObject({ status: "pending", blockedReason: null });
    expect(() => retryRun(admin, { runId: again.id, ...runner })).toThrow(/still queued/);
  });

  test("cancelling a running run keeps the person's reason, on the run and on the blocked task; without one it says who", () => {
    const task = newTask("Cancelled with a reason");
    const run = createRun(admin, { taskId: task.id, ...runner });
    expect(startRun(sys, { runId: run.id, command: ["agent"] }).started).toBe(true);
    claimTask(t.ctx(agent("backend-developer")), { taskId: task.id });
    expect(cancelRun(admin, { runId: run.id, reason: "wrong branch" }).cancelRequested).toBe(true);
    // the supervisor stops the process and finishes the run without repeating the reason
    const done = finishRun(sys, { runId: run.id, outcome: "cancelled", signal: "SIGTERM" });
    expect(done.run.reason).toBe(`Cancelled by ${ADA}: wrong branch`);
    expect(getTask(admin, task.id).blockedReason).toContain(`Cancelled by ${ADA}: wrong branch.`);
    // a person cancelled it: no escalation
    expect(done.messageId).toBeNull();

    const plain = newTask("Cancelled without a reason");
    const run2 = createRun(admin, { taskId: plain.id, ...runner });
    startRun(sys, { runId: run2.id, command: ["agent"] });
    cancelRun(admin, { runId: run2.id });
    expect(finishRun(sys, { runId: run2.id, outcome: "cancelled", signal: "SIGTERM" }).run.reason).toBe(`Cancelled by ${ADA}`);

    // a queued run keeps it too
    const queued = createRun(admin, { taskId: newTask("Cancelled in the queue").id, ...runner });
    expect(cancelRun(admin, { runId: queued.id, reason: "not now" }).reason).toBe(`Cancelled by ${ADA} before it started: not now`);
  });

  test("a run whose task was reassigned is cancelled at start; a task in review has nothing to run", () => {
    const task = newTask("Moves away");
    const run = createRun(admin, { taskId: task.id, ...runner });
    t.db.$client.prepare("UPDATE tasks SET assigned_agent = 'frontend-developer' WHERE id = ?").run(task.id);
    const r = startRun(sys, { runId: run.id, command: [] });
    expect(r).toMatchObject({ started: false, run: { status: "cancelled", reason: expect.stringMatching(/reassigned to frontend-developer/) } });
    t.db.$client.prepare("UPDATE tasks SET status = 'in_review' WHERE id = ?").run(task.id);
    expect(() => createRun(admin, { taskId: task.id, ...runner })).toThrow(/in review: there is nothing/);
  });

  test("queue positions are FIFO across all queued runs", () => {
    const a = createRun(admin, { taskId: newTask("Q1").id, ...runner });
    const b = createRun(admin, { taskId: newTask("Q2").id, ...runner });
    expect(listRuns(admin, { taskId: a.taskId! }).items[0].queuePosition).toBeLessThan(listRuns(admin, { taskId: b.taskId! }).items[0].queuePosition!);
  });

  test("the hot reads walk an index", () => {
    const plan = (sql: string, ...args: unknown[]) => (t.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join(" | ");
    expect(plan("SELECT * FROM run_log WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT 500", "run_x", 10)).toMatch(/USING PRIMARY KEY|sqlite_autoindex_run_log/);
    expect(plan("SELECT * FROM run_log WHERE run_id = ? ORDER BY seq DESC LIMIT 500", "run_x")).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT * FROM runs WHERE status = 'queued' ORDER BY created_at, id")).toMatch(/runs_status_idx/);
    expect(plan("SELECT * FROM runs WHERE status = 'queued' ORDER BY created_at, id")).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT * FROM runs WHERE task_id = ? ORDER BY created_at DESC", "tsk_x")).toMatch(/runs_task_idx/);
  });
});
