import { afterEach, beforeEach, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

function worker(file: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/claim-worker.ts", file, "backend-developer"], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.startsWith("ready\n")) markReady();
  });
  const done = new Promise<string[]>((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.slice("ready\n".length) || "[]")) : reject(new Error(`worker exited ${code}`)))),
  );
  return { ready, go: () => child.stdin.end("go\n"), done };
}

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
