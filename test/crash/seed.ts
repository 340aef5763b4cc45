// Seeds a database file for the durability tests with the service verbs themselves: the repository's
// agents, one instruction, many autonomous tasks per agent, and bearer tokens for the agents.
import path from "node:path";
import { openDatabase } from "@/db/client";
import { loadAgentDefinitions } from "@/lib/agents";
import { createInstruction, createTask, createToken, syncAgents } from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";

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
}

export function seedWorkload(file: string, opts: { tasksPerAgent: number; tokensPerAgent: number; agents?: string[] }): Seeded {
  const db = openDatabase(file);
  try {
    const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
    syncAgents({ db, actor: system }, agents);
    const names = opts.agents ?? agents.map((a) => a.name);
    const ctx = { db, actor: admin };
    const inst = createInstruction(ctx, { title: "Durability workload", body: "Seeded by the crash test", tier: 2 });
    const stepsByTask: Record<string, number> = {};
    const count = db.$client.prepare("SELECT count(*) AS n FROM task_steps WHERE task_id = ?");
    db.$client.exec("BEGIN");
    try {
      for (let i = 0; i < opts.tasksPerAgent; i++) {
        for (const name of names) {
          const t = createTask(ctx, { instructionId: inst.id, title: `Work item ${i} for ${name}`, assignedAgent: name, authority: "autonomous", priority: "normal" });
          stepsByTask[t.id] = (count.get(t.id) as { n: number }).n;
        }
      }
      db.$client.exec("COMMIT");
    } catch (err) {
      if (db.$client.inTransaction) db.$client.exec("ROLLBACK");
      throw err;
    }
    const seeded: SeededAgent[] = names.map((name) => ({
      name,
      tokens: Array.from({ length: opts.tokensPerAgent }, (_, k) => createToken(ctx, { agent: name, label: `crash ${k}` }).token),
    }));
    return { instructionId: inst.id, agents: seeded, stepsByTask };
  } finally {
    db.$client.pragma("wal_checkpoint(TRUNCATE)");
    db.$client.close();
  }
}
