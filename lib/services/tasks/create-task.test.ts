import { afterEach, beforeEach, expect, it } from "vitest";
import { goWorker } from "@/test/go-worker";
import { makeTestDb, people } from "@/test/db";
import { rows } from "@/test/sql";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const worker = (location: string, instructionId: string, count: number) =>
  goWorker<{ refs: string[]; errors: string[] }>("test/create-task-worker.ts", [location, instructionId, String(count)], { refs: [], errors: [] });

it("creates from several processes at once in one instruction all succeed, with the refs T1..Tn once each", async () => {
  const rex = t.ctx(people.reviewer);
  const inst = s.createInstruction(rex, { title: "Many hands" });
  const [processes, each] = [4, 40];
  const workers = Array.from({ length: processes }, () => worker(t.location, inst.id, each));
  // Every process has opened its connection before any of them starts creating.
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const results = await Promise.all(workers.map((w) => w.done));
  expect(results.flatMap((r) => r.errors)).toEqual([]);
  const refs = results.flatMap((r) => r.refs);
  expect(refs.toSorted()).toEqual(Array.from({ length: processes * each }, (_, i) => `T${i + 1}`).toSorted());
  // Each process's own creates got increasing refs (a later create sees the earlier ones).
  for (const r of results) expect(r.refs.map((ref) => Number(ref.slice(1)))).toEqual(r.refs.map((ref) => Number(ref.slice(1))).toSorted((a, b) => a - b));
  // The stored tasks are those: one row per ref, and the instruction started once.
  const stored = rows<{ ref: string }>(t.db, "SELECT ref FROM tasks WHERE instruction_id = ?", inst.id);
  expect(stored.map((x) => x.ref).toSorted()).toEqual(refs.toSorted());
  expect(s.getInstruction(rex, inst.id).phase).toBe("executing");
}, 180_000);
