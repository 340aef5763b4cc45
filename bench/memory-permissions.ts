// The cost of the Memory Ownership check on the agent hot paths (docs/permissions.md): times claimTask
// (next), updateStep and recordStepActivity called directly (no HTTP), on a fresh SQLite file with the
// repository's agents. Run before and after a change: `node --import tsx bench/memory-permissions.ts [N]`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { loadAgentDefinitions } from "@/lib/agents";
import { claimTask, createInstruction, createTask, recordStepActivity, syncAgents, updateStep } from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";

const N = Number(process.argv[2] ?? 5000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-mp-bench-"));
const db = openDatabase(path.join(dir, "bench.db"));
const system: Actor = { kind: "system", name: "bench" };
const admin: Actor = { kind: "person", id: "usr_b", email: "b@example.com", name: "B", role: "admin" };
const be = { db, actor: { kind: "agent", name: "backend-developer" } as Actor };
syncAgents({ db, actor: system }, loadAgentDefinitions([path.join(process.cwd(), "agents")]).agents);
const inst = createInstruction({ db, actor: admin }, { title: "Bench", body: "", tier: 1, priority: "normal" });

// CPU time as well as wall time: the machine may be busy with other work.
function time(label: string, n: number, fn: (i: number) => void) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) fn(i);
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  const cpuUs = (c.user + c.system) / n;
  console.log(`${label.padEnd(24)} ${String(n).padStart(7)} calls  wall ${((ms * 1000) / n).toFixed(2).padStart(7)} µs/call  cpu ${cpuUs.toFixed(2).padStart(7)} µs/call`);
}

const tasks = N / 2;
const ids: string[] = [];
for (let i = 0; i < tasks; i++) ids.push(createTask({ db, actor: admin }, { instructionId: inst.id, title: `T${i}`, assignedAgent: "backend-developer" }).id);
time("claimTask (next)", tasks, () => claimTask(be));
time("updateStep", N, (i) => updateStep(be, { taskId: ids[i >> 1]!, position: 1, status: i % 2 ? "done" : "in_progress" }));
for (let i = 0; i < 100; i++) updateStep(be, { taskId: ids[i]!, position: 2, status: "in_progress" });
time("recordStepActivity", N, (i) => recordStepActivity(be, { taskId: ids[i % 100]!, position: 2, tool: "Edit", summary: "src/a.ts" }));
// The check alone, where it exists (a cache hit per call, data_version read at most once a millisecond).
const mp = await import("@/lib/services/access/memory-permissions").catch(() => null);
if (mp) {
  const { immediateTx } = await import("@/lib/services/context");
  immediateTx(db, (tx) => time("requireTaskWork alone", 1_000_000, () => mp.requireTaskWork(tx, "backend-developer", inst.id)));
}
db.$client.close();
fs.rmSync(dir, { recursive: true, force: true });
