import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/engine";
import { createInstruction, createTask } from "@/lib/services";
import { RunSupervisor } from "@/lib/runners";
import { getLogger } from "@/lib/log";
import { makeTestDb, system } from "@/test/db";
import { exec, one } from "@/test/sql";
import { startReplicaJobs, type ReplicaJobs } from "./replica-jobs";

// Two server replicas = two connections to one database, each with its run supervisor behind the
// `runs` lease, as server.ts wires them (the PostgreSQL side with real processes and SIGKILL:
// test/replicas-kill.pg.test.ts).
let t: ReturnType<typeof makeTestDb>;
let other: Db;
const started: ReplicaJobs[] = [];
const supervisors: RunSupervisor[] = [];
beforeEach(() => {
  t = makeTestDb();
  other = t.reopen();
});
afterEach(async () => {
  for (const j of started.splice(0)) await j.stop();
  for (const s of supervisors.splice(0)) await s.shutdown();
  other.$engine.close();
  t.cleanup();
});

const log = getLogger();
function replica(db: Db, id: string): ReplicaJobs {
  const runs = new RunSupervisor({ db, config: { file: "/nonexistent/agentdesk.config.json" }, url: "http://127.0.0.1:1", log, replica: id, pollMs: 50 });
  supervisors.push(runs);
  const jobs = startReplicaJobs({ db, log, replica: id, runs, sweepMs: 60_000 });
  started.push(jobs);
  return jobs;
}
const runStatus = () => one<{ status: string }>(t.db, "SELECT status FROM runs WHERE id = 'run_live'")?.status;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the run supervisor behind the runs lease", () => {
  it("a second replica starting does not take the first one's live runs for lost; taking the lease over does", async () => {
    const a = replica(t.db, "replica-a");
    a.start();
    expect(a.leases.holds("runs")).toBe(true);
    await sleep(50); // its supervisor starts (and recovers what an earlier holder left) once the lease is taken
    // A run replica-a launched and is watching (its process is alive).
    const inst = createInstruction({ db: t.db, actor: system }, { title: "Runs" });
    const task = createTask({ db: t.db, actor: system }, { instructionId: inst.id, title: "Being run", assignedAgent: "backend-developer" });
    exec(
      t.db,
      "INSERT INTO runs (id, task_id, agent_name, status, trigger, preset, command, requested_by, created_at, started_at, launched_by) VALUES ('run_live', ?, 'backend-developer', 'running', 'manual', 'custom', '[]', 'system:test', ?, ?, 'replica-a')",
      task.id,
      Date.now(),
      Date.now(),
    );

    const b = replica(other, "replica-b");
    b.start();
    await sleep(200);
    expect(b.leases.holds("runs")).toBe(false);
    expect(runStatus()).toBe("running");

    // replica-a goes (gracefully: its leases go back), replica-b takes the runs over at its next renewal.
    await a.stop();
    b.leases.renew();
    expect(b.leases.holds("runs")).toBe(true);
    for (let i = 0; i < 100 && runStatus() === "running"; i++) await sleep(20);
    expect(runStatus()).toBe("failed");
    expect(one(t.db, "SELECT holder, token FROM leases WHERE name = 'runs'")).toEqual({ holder: "replica-b", token: 2 });
  });
});
