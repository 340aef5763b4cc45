import { afterEach, beforeEach, expect, it } from "vitest";
import { goWorker } from "@/test/go-worker";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const worker = (file: string) => goWorker<string[]>("test/claim-worker.ts", [file, "backend-developer"], []);

it("many claimers on separate connections never get the same task, and every task is claimed once", async () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Contention" });
  const ids = Array.from({ length: 300 }, (_, i) => s.createTask(rex, { instructionId: inst.id, title: `task ${i}`, assignedAgent: "backend-developer" }).id);
  const workers = Array.from({ length: 4 }, () => worker(t.location));
  // Every process has opened its connection before any of them starts claiming.
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.done));
  const all = results.flat();
  expect(all).toHaveLength(ids.length);
  expect(new Set(all).size).toBe(ids.length);
  expect(new Set(all)).toEqual(new Set(ids));
  // More than one process really took part.
  expect(results.filter((r) => r.length > 0).length).toBeGreaterThan(1);
  expect(s.taskCounts(t.ctx(agent("backend-developer"))).in_progress).toBe(ids.length);
}, 180_000);
