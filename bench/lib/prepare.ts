// Fixtures the measurements need, written into a database file: bench agents with their own work
// (so claims never run dry and step updates stay legal), tokens minted by the real createToken, and
// a person with a password for the pages. Rows go in with prepared statements, shaped as the verbs
// write them.
import fs from "node:fs";
import Database from "better-sqlite3";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import { createToken, createUser } from "@/lib/services";
import { hashPassword } from "@/lib/auth/secrets";

export const CLAIMER = "bench-claimer";
export const WORKER = "bench-worker";
export const READER = "backend-developer";
export const BENCH_INSTRUCTION = "inst_20261126_999";
export const BENCH_EMAIL = "bench-admin@agentdesk.local";
export const BENCH_PASSWORD = "bench password 2026";

/** Copies a database file (after folding its WAL in) so a write-heavy run leaves the original as generated. */
export function copyDatabase(from: string, to: string) {
  const src = new Database(from);
  src.pragma("wal_checkpoint(TRUNCATE)");
  src.close();
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(to + suffix, { force: true });
  fs.copyFileSync(from, to);
}

export function removeDatabase(file: string) {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
}

export interface ApiFixture {
  tokens: { claimer: string; worker: string; reader: string };
  /** in_progress tasks of WORKER with every step pending, one list per server so neither reuses the other's. */
  workerTasks: string[][];
  steps: number;
  claimable: number;
}

/**
 * Bench agents (copies of backend-developer's row), an instruction, `claimable` pending tasks for
 * CLAIMER and `workerTasks` in_progress tasks for WORKER split into `servers` lists, the latter with
 * the Response Approach copied onto them as steps. Tokens come from createToken, the real verb.
 */
export function prepareApiFixture(db: Db, opts: { claimable: number; workerTasks: number; servers: number }): ApiFixture {
  const c = db.$client;
  const cols = (c.prepare(`PRAGMA table_info(agents)`).all() as { name: string }[]).map((r) => r.name);
  const now = Date.now();
  const base = c.prepare(`SELECT steps FROM agents WHERE name = ?`).get(READER) as { steps: string };
  const steps = JSON.parse(base.steps) as { position: number; title: string; guidance: string }[];
  const insTask = c.prepare(
    `INSERT INTO tasks (id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, lease_expires_at, last_heartbeat_at, claimed_at, created_by, created_at, updated_at, version)
     VALUES (?, ?, ?, ?, 'Bench task', 'create', ?, ?, ?, ?, 'review_required', '[]', '[]', '[]', ?, ?, ?, ?, 'bench', ?, ?, 1)`,
  );
  const insStep = c.prepare(`INSERT INTO task_steps (task_id, position, title, guidance, status, version) VALUES (?, ?, ?, ?, 'pending', 1)`);
  const priorities = ["critical", "high", "normal", "normal", "low"] as const;
  const ranks = { critical: 0, high: 1, normal: 2, low: 3 };
  const workerTasks: string[][] = Array.from({ length: opts.servers }, () => []);
  c.transaction(() => {
    for (const name of [CLAIMER, WORKER]) {
      c.prepare(`INSERT OR IGNORE INTO agents (${cols.join(", ")}) SELECT ${cols.map((k) => (k === "name" ? "?" : k === "source_path" ? "NULL" : k)).join(", ")} FROM agents WHERE name = ?`).run(
        name,
        READER,
      );
    }
    c.prepare(
      `INSERT OR IGNORE INTO instructions (id, title, body, tier, priority, phase, created_by, created_at, updated_at, version) VALUES (?, 'Bench work', '', 1, 'normal', 'executing', 'bench', ?, ?, 1)`,
    ).run(BENCH_INSTRUCTION, now, now);
    const start = (c.prepare(`SELECT count(*) AS n FROM tasks WHERE instruction_id = ?`).get(BENCH_INSTRUCTION) as { n: number }).n;
    let n = start;
    const add = (agent: string, status: "pending" | "in_progress", i: number, withSteps: boolean) => {
      const id = `tsk_bench_${String(n).padStart(7, "0")}`;
      const p = priorities[i % priorities.length];
      const leased = status === "in_progress";
      insTask.run(
        id,
        BENCH_INSTRUCTION,
        `B${n}`,
        `Bench task ${n}`,
        agent,
        status,
        p,
        ranks[p],
        leased ? 1 : 0,
        leased ? now + 3_600_000 : null,
        leased ? now : null,
        leased ? now : null,
        now + i,
        now + i,
      );
      if (withSteps) for (const s of steps) insStep.run(id, s.position, s.title, s.guidance);
      n++;
      return id;
    };
    // Claims never read steps: the claim pool goes in without them (a 150,000-task pool stays quick to write).
    for (let i = 0; i < opts.claimable; i++) add(CLAIMER, "pending", i, false);
    for (let i = 0; i < opts.workerTasks; i++) workerTasks[i % opts.servers].push(add(WORKER, "in_progress", i, true));
  })();
  const sys = { db, actor: { kind: "system" as const, name: "bench" } };
  const tokens = {
    claimer: createToken(sys, { agent: CLAIMER, label: "bench" }).token,
    worker: createToken(sys, { agent: WORKER, label: "bench" }).token,
    reader: createToken(sys, { agent: READER, label: "bench" }).token,
  };
  return { tokens, workerTasks, steps: steps.length, claimable: opts.claimable };
}

/** A person who can sign in through /api/auth/sign-in (created once per database file). */
export async function ensureBenchPerson(file: string): Promise<{ email: string; password: string }> {
  const db = openDatabase(file);
  try {
    const exists = db.$client.prepare(`SELECT 1 FROM users WHERE email = ?`).get(BENCH_EMAIL);
    if (!exists) {
      const passwordHash = await hashPassword(BENCH_PASSWORD);
      createUser({ db, actor: { kind: "system", name: "bench" } }, { email: BENCH_EMAIL, name: "Bench", role: "admin", passwordHash });
    }
  } finally {
    db.$client.close();
  }
  return { email: BENCH_EMAIL, password: BENCH_PASSWORD };
}
