import { afterAll, beforeAll, expect, test } from "vitest";
import type { Db } from "@/db/engine";
import { createInstruction, createTask, createToken } from "@/lib/services";
import { exec, one, rows } from "./sql";
import { system } from "./db";
import { replicaDatabase, startReplica, stopReplica, until, type Replica } from "./replicas";

// Killing a replica (SIGKILL) under load, on PostgreSQL: no acknowledged write is lost, the other
// replica carries on, and takes over the jobs the dead one held (the sweeper, and the runs: the runs
// the dead one had launched are finished as lost, as after a single server's crash).
let db: Db;
let drop: () => void;
let a: Replica;
let b: Replica;

beforeAll(async () => {
  let url: string;
  ({ url, db, drop } = replicaDatabase());
  a = await startReplica("replica-a", url);
  await until(() => a.logged("this replica now runs a job", { lease: "sweeper" }).length && a.logged("this replica now runs a job", { lease: "runs" }).length, 10_000, "replica-a taking its jobs");
  b = await startReplica("replica-b", url);
}, 60_000);

afterAll(async () => {
  await Promise.all([a && stopReplica(a), b && stopReplica(b)]);
  drop?.();
}, 60_000);

test("SIGKILL of the replica holding the jobs under load: nothing acknowledged is lost, the other carries on and takes the sweeper and runs over", async () => {
  // A run the doomed replica launched and is watching.
  const inst = createInstruction({ db, actor: system }, { title: "Runs" });
  const task = createTask({ db, actor: system }, { instructionId: inst.id, title: "Being run", assignedAgent: "backend-developer" });
  exec(
    db,
    "INSERT INTO runs (id, task_id, agent_name, status, trigger, preset, command, requested_by, created_at, started_at, launched_by) VALUES ('run_killed', ?, 'backend-developer', 'running', 'manual', 'custom', '[]', 'system:test', ?, ?, 'replica-a')",
    task.id,
    Date.now(),
    Date.now(),
  );
  const token = createToken({ db, actor: system }, { agent: "backend-developer", label: "load" }).token;
  const acknowledged: string[] = [];
  const refused = { a: 0, b: 0 };
  let killedAt = 0;
  // Four senders, each alternating between the replicas, 60 messages each; A is killed a third of the way.
  const send = async (sender: number) => {
    for (let i = 0; i < 60; i++) {
      const target = (i + sender) % 2 ? b : a;
      if (sender === 0 && i === 20) {
        a.child.kill("SIGKILL");
        killedAt = Date.now();
      }
      try {
        const res = await fetch(`${target.url}/api/v1/messages`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ to: "hitl", body: `load ${sender}.${i}` }),
        });
        if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        else refused[target === a ? "a" : "b"]++;
      } catch {
        refused[target === a ? "a" : "b"]++; // the killed replica: connection refused or reset, not acknowledged
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(send));
  await a.exited;

  // Every acknowledged write is there.
  expect(acknowledged.length).toBeGreaterThan(100);
  const stored = new Set(rows<{ id: string }>(db, "SELECT id FROM messages WHERE from_name = 'backend-developer'").map((r) => r.id));
  expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  // B answered every request sent to it, before, during and after the kill.
  expect(refused.b).toBe(0);
  expect(refused.a).toBeGreaterThan(0);

  // B takes the jobs over once A's leases expire (TTL 3 s, renewal 1 s here; 15 s and 5 s by default).
  await until(
    () => b.logged("this replica now runs a job", { lease: "sweeper" }).length && b.logged("this replica now runs a job", { lease: "runs" }).length,
    15_000,
    "replica-b taking the jobs over",
  );
  const takeover = Math.max(...["sweeper", "runs"].map((lease) => Date.parse(String(b.logged("this replica now runs a job", { lease })[0].time))));
  expect(takeover - killedAt).toBeLessThan(3000 + 1000 + 2000);
  expect(one(db, "SELECT holder, token FROM leases WHERE name = 'sweeper'")).toEqual({ holder: "replica-b", token: 2 });
  // The run A was watching has no process any more: finished as lost by B's supervisor.
  const run = await until(
    () => {
      const r = one<{ status: string; reason: string | null }>(db, "SELECT status, reason FROM runs WHERE id = 'run_killed'");
      return r && r.status !== "running" ? r : null;
    },
    5000,
    "the lost run being finished",
  );
  expect(run.status).toBe("failed");
  // And B carries on: a write through it now.
  const after = await fetch(`${b.url}/api/v1/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ to: "hitl", body: "still here" }),
  });
  expect(after.status).toBe(201);
}, 90_000);
