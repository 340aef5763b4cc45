import { afterEach, beforeEach, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { makeTestDb, people, agent, refusal } from "@/test/db";
import { one } from "@/test/sql";
import * as s from "@/lib/services";

// The agent verbs that write on a task (step update, tool activity, heartbeat, a message about it)
// racing a takeover committed by another process (the lease sweeper, a new claim, a reassignment),
// and concurrent sends to one inbox. On PostgreSQL these verbs run READ COMMITTED: what they decide
// from the task must come from its newest committed version, read under the row's lock
// (touchTaskForWrite, the heartbeat's guarded UPDATE). The takeover here is written and held
// uncommitted by the other process while the verb runs: on PostgreSQL the verb waits for the row,
// then must see the takeover and refuse (a verb that decided from a plain read taken before would
// write its step on a task that is no longer its own); on SQLite it waits for the write lock.

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

function worker(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/tx-worker.ts", ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: string[] = [];
  const waiting = new Map<string, () => void>();
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    let nl;
    while ((nl = out.indexOf("\n")) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      lines.push(line);
      for (const [prefix, done] of waiting) if (line.startsWith(prefix)) done();
    }
  });
  const exited = new Promise<number | null>((r) => child.on("exit", r));
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const found = () => resolve(lines.find((l) => l.startsWith(prefix))!);
      if (lines.some((l) => l.startsWith(prefix))) return found();
      waiting.set(prefix, found);
      void exited.then((code) => reject(new Error(`worker exited (${code}) before printing ${prefix}`)));
    });
  return { line, go: () => child.stdin.end("go\n"), exited };
}

/** A task of backend-developer's, claimed, its first step under way: returns it and its lease token. */
function workingTask() {
  const rex = t.ctx(people.reviewer);
  const be = t.ctx(agent("backend-developer"));
  const inst = s.createInstruction(rex, { title: "Races" });
  const task = s.createTask(rex, { instructionId: inst.id, title: "Contended", assignedAgent: "backend-developer" });
  const token = s.claimTask(be, { taskId: task.id })!.lease!.token;
  s.updateStep(be, { taskId: task.id, position: 1, status: "in_progress", leaseToken: token });
  return { id: task.id, token, be, rex };
}

/** Starts the takeover in the other process and returns once it is written and held, not committed. */
async function takeoverHeld(takeover: string, taskId: string) {
  const w = worker(["hold", t.location, takeover, taskId, "700"]);
  await w.line("ready");
  w.go();
  await w.line("holding");
  return w;
}

const stepOne = (id: string) => one<{ status: string; version: number }>(t.db, "SELECT status, version FROM task_steps WHERE task_id = ? AND position = 1", id)!;

it("a step reported with the lease the sweeper took back and gave to a new claim meanwhile is refused: lease_lost, the step untouched", async () => {
  const { id, token, be } = workingTask();
  const w = await takeoverHeld("sweep-reclaim", id);
  const err = refusal(() => s.updateStep(be, { taskId: id, position: 1, status: "done", leaseToken: token }));
  expect(err.code).toBe("lease_lost");
  await w.line("committed");
  expect(await w.exited).toBe(0);
  // Released to pending by the sweep: not done by the zombie.
  expect(stepOne(id).status).toBe("pending");
  const task = s.getTask(t.ctx(people.reviewer), id);
  expect(task.lease!.token).toBe(token + 1);
  expect(s.listEvents(t.ctx(people.reviewer), { taskId: id }).filter((e) => e.verb === "step.done")).toHaveLength(0);
});

it("a step reported on a task reassigned meanwhile is refused (not the agent's task any more), the step untouched", async () => {
  const { id, token, be } = workingTask();
  const w = await takeoverHeld("reassign", id);
  const err = refusal(() => s.updateStep(be, { taskId: id, position: 1, status: "done", leaseToken: token }));
  expect(err.code).toBe("not_found");
  expect(await w.exited).toBe(0);
  expect(stepOne(id).status).toBe("pending");
  expect(s.getTask(t.ctx(people.reviewer), id)).toMatchObject({ assignedAgent: "frontend-developer", status: "pending" });
});

it("tool activity on a task the sweeper took back and gave to a new claim meanwhile is refused: lease_lost, no event", async () => {
  const { id, token, be } = workingTask();
  const w = await takeoverHeld("sweep-reclaim", id);
  const err = refusal(() => s.recordStepActivity(be, { taskId: id, position: 1, tool: "Edit", leaseToken: token }));
  expect(err.code).toBe("lease_lost");
  expect(await w.exited).toBe(0);
  expect(s.listEvents(t.ctx(people.reviewer), { taskId: id }).filter((e) => e.verb === "step.activity")).toHaveLength(0);
});

it("a heartbeat on a task the sweeper took back meanwhile is refused and leaves no lease; with the old token after a new claim: lease_lost", async () => {
  const { id, token, be, rex } = workingTask();
  let w = await takeoverHeld("sweep", id);
  const paused = refusal(() => s.heartbeatTask(be, { taskId: id }));
  expect(paused.code).toBe("illegal_transition");
  expect(await w.exited).toBe(0);
  expect(s.getTask(rex, id)).toMatchObject({ status: "pending", lease: null });

  const again = s.claimTask(be, { taskId: id })!.lease!.token;
  w = await takeoverHeld("sweep-reclaim", id);
  const lost = refusal(() => s.heartbeatTask(be, { taskId: id, leaseToken: again }));
  expect(lost.code).toBe("lease_lost");
  expect(await w.exited).toBe(0);
  expect(s.getTask(rex, id).lease!.token).toBe(again + 1);
  void token;
});

it("a message about a task, with the lease the sweeper took back and gave to a new claim meanwhile, is refused and not stored", async () => {
  const { id, token, be } = workingTask();
  const w = await takeoverHeld("sweep-reclaim", id);
  const err = refusal(() => s.sendMessage(be, { to: "people", type: "status_update", body: "late news", taskId: id, leaseToken: token }));
  expect(err.code).toBe("lease_lost");
  expect(await w.exited).toBe(0);
  expect(s.listInbox(t.ctx(people.reviewer), { inbox: "people" }).items.filter((m) => m.body === "late news")).toHaveLength(0);
});

it("concurrent sends from four processes to one inbox all succeed, with no transaction run again, and its unread count stays exact", async () => {
  const { id } = workingTask();
  const workers = Array.from({ length: 4 }, () => worker(["send", t.location, "backend-developer", "backend-developer", id, "60"]));
  await Promise.all(workers.map((w) => w.line("ready")));
  for (const w of workers) w.go();
  const results = (await Promise.all(workers.map((w) => w.line("{")))).map((l) => JSON.parse(l) as { sent: number; failed: string[]; retries: number });
  await Promise.all(workers.map((w) => w.exited));
  expect(results.flatMap((r) => r.failed)).toEqual([]);
  expect(results.reduce((n, r) => n + r.sent, 0)).toBe(240);
  // Waiting for the inbox's counter row, never failing on it (SERIALIZABLE ran these sends again, or refused them).
  expect(results.reduce((n, r) => n + r.retries, 0)).toBe(0);
  const stored = Number(one<{ n: number }>(t.db, "SELECT count(*) AS n FROM messages WHERE to_inbox = ? AND read_at IS NULL AND archived_at IS NULL", "backend-developer")!.n);
  expect(stored).toBe(240);
  expect(Number(one<{ unread: number }>(t.db, "SELECT unread FROM inbox_unread WHERE inbox = ?", "backend-developer")!.unread)).toBe(240);
  expect(s.listInbox(t.ctx(agent("backend-developer")), { inbox: "backend-developer" }).unreadCount).toBe(240);
});
