// Test helper (no test in it): the crash test's verification (workload.ts verifyDatabase) must pass
// on what the verbs wrote and fail on what a crash could leave behind, on either engine. The tests
// (verify.test.ts on SQLite, verify.pg.test.ts on PostgreSQL) give it a fresh database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { claimTask, sendMessage, updateStep } from "@/lib/services";
import { exec, one } from "@/test/sql";
import { openLocation, seedWorkload, type Seeded } from "./seed";
import { verifyDatabase, type Ack } from "./workload";

export interface VerifyTarget {
  engine: "sqlite" | "pg";
  /** A fresh database: an SQLite file that does not exist yet, or a postgres:// URL of an empty or migrated database. */
  location: string;
  cleanup: () => void;
}

const failing = (location: string, acks: Ack[], seeded: Seeded) =>
  verifyDatabase(location, acks, { seedEvents: seeded.events })
    .filter((c) => !c.ok)
    .map((c) => c.name.replace(/ \(\d+\)$/, ""));

export function describeVerification(engine: VerifyTarget["engine"], make: () => VerifyTarget): void {
  describe(`the crash test's verification on ${engine === "pg" ? "PostgreSQL" : "SQLite"}`, () => cases(make));
}

function cases(make: () => VerifyTarget): void {
  let target: VerifyTarget;
  let seeded: Seeded;
  let db: Db;
  const acks: Ack[] = [];

  beforeAll(() => {
    target = make();
    seeded = seedWorkload(target.location, { tasksPerAgent: 2, tokensPerAgent: 1, agents: ["backend-developer"] });
    db = openLocation(target.location);
    const agent = { db, actor: { kind: "agent" as const, name: "backend-developer" } };
    const task = claimTask(agent)!;
    acks.push({ kind: "claim", taskId: task.id, leaseToken: task.lease!.token });
    if (target.engine === "pg") {
      // An identity value taken and never used, as by a transaction rolled back or run again.
      one(db, "SELECT nextval('events_id_seq') AS n");
    }
    updateStep(agent, { taskId: task.id, position: 1, status: "done", note: "done" });
    acks.push({ kind: "step", taskId: task.id, position: 1, status: "done" });
    const body = "crashprobe0123456789ab about step 1";
    const m = sendMessage(agent, { to: "hitl", type: "status_update", subject: "Step 1", body, taskId: task.id });
    acks.push({ kind: "message", id: m.id, body });
  });

  afterAll(() => {
    db?.$engine.close();
    target?.cleanup();
  });

  it("passes on what the verbs wrote", () => {
    expect(verifyDatabase(target.location, acks, { seedEvents: seeded.events }).filter((c) => !c.ok)).toEqual([]);
  });

  it("reports an acknowledged write that is not there", () => {
    const claimed = acks[0] as Extract<Ack, { kind: "claim" }>;
    const lost: Ack[] = [...acks, { kind: "message", id: "msg_lost", body: "crashprobelost gone" }, { kind: "complete", taskId: claimed.taskId }];
    const names = failing(target.location, lost, seeded);
    expect(names).toContain("acknowledged messages present");
    expect(names).toContain("acknowledged completions present");
    // The search check looks for the last acknowledged message: the lost one is not found either.
    expect(names.some((n) => n.startsWith("search"))).toBe(true);
  });

  it("reports a step changed without its event", () => {
    const task = acks[0] as Extract<Ack, { kind: "claim" }>;
    exec(db, "UPDATE task_steps SET status = 'done', version = version + 1 WHERE task_id = ? AND position = 2", task.taskId);
    const names = failing(target.location, acks, seeded);
    expect(names).toEqual(expect.arrayContaining(["every changed step has its event", "one event per step change"]));
    if (target.engine === "pg") expect(names).toContain("events are the seed's plus one per change");
  });

  it("reports an event without its change", () => {
    exec(db, "INSERT INTO events (at, actor_kind, actor_id, verb, entity_kind, entity_id) VALUES (?, 'system', 'test', 'message.sent', 'message', 'msg_ghost')", Date.now());
    const names = failing(target.location, acks, seeded);
    expect(names).toContain("one event per message, output and completion");
  });
}
