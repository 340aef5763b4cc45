// Seeds a database for the durability tests with the service verbs themselves: the repository's
// agents, one instruction, many autonomous tasks per agent, and bearer tokens for the agents. The
// database is an SQLite file or a PostgreSQL database (a postgres:// URL, migrated here).
import path from "node:path";
import { openConfigured, openDatabase, type Db } from "@/db/client";
import { loadAgentDefinitions } from "@/lib/agents";
import { createInstruction, createTask, createToken, syncAgents } from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";
import { countOf } from "@/test/sql";
import { isPostgresUrl } from "./child";

export const admin: Actor = { kind: "person", id: "usr_ops", email: "ops@example.com", name: "Ops", role: "admin" };
export const system: Actor = { kind: "system", name: "crash-test" };

export interface SeededAgent {
  name: string;
  tokens: string[];
}

export interface Seeded {
  instructionId: string;
  agents: SeededAgent[];
  /** How many steps each task has (its agent's Response Approach). */
  stepsByTask: Record<string, number>;
  /** How many events the seed wrote (the workload's are counted from there). */
  events: number;
}

/** Opens (and migrates) the database at `location`: an SQLite file or a postgres:// URL. */
export const openLocation = (location: string): Db => (isPostgresUrl(location) ? openConfigured({ ...process.env, DATABASE_URL: location }) : openDatabase(location));

export function seedWorkload(location: string, opts: { tasksPerAgent: number; tokensPerAgent: number; agents?: string[] }): Seeded {
  const db = openLocation(location);
  try {
    const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
    syncAgents({ db, actor: system }, agents);
    const names = opts.agents ?? agents.map((a) => a.name);
    const ctx = { db, actor: admin };
    const inst = createInstruction(ctx, { title: "Durability workload", body: "Seeded by the crash test", tier: 2 });
    // One transaction for all the tasks (each verb's own becomes a savepoint). It may run again on
    // PostgreSQL after a serialisation failure: the step counts are collected anew each time.
    const stepsByTask = db.$engine.transaction(() => {
      const steps: Record<string, number> = {};
      for (let i = 0; i < opts.tasksPerAgent; i++) {
        for (const name of names) {
          const t = createTask(ctx, { instructionId: inst.id, title: `Work item ${i} for ${name}`, assignedAgent: name, authority: "autonomous", priority: "normal" });
          steps[t.id] = countOf(db, "task_steps WHERE task_id = ?", t.id);
        }
      }
      return steps;
    });
    const seeded: SeededAgent[] = names.map((name) => ({
      name,
      tokens: Array.from({ length: opts.tokensPerAgent }, (_, k) => createToken(ctx, { agent: name, label: `crash ${k}` }).token),
    }));
    return { instructionId: inst.id, agents: seeded, stepsByTask, events: countOf(db, "events") };
  } finally {
    // SQLite: checkpoints the WAL into the file before closing.
    db.$engine.close();
  }
}
