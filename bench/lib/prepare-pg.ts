// The API fixture of bench/lib/prepare.ts on PostgreSQL: the same bench agents, instruction, pending
// tasks for the claimer and held tasks with the Response Approach as steps for the worker, written
// set-based (INSERT … SELECT over generate_series) rather than row by row; tokens from the real
// createToken on the PostgreSQL engine.
import pg from "pg";
import { openPostgres } from "@/db/engine/pg";
import { createToken } from "@/lib/services";
import { BENCH_INSTRUCTION, CLAIMER, READER, WORKER, type ApiFixture } from "./prepare";

const TASK_COLS = `id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, lease_expires_at, last_heartbeat_at, claimed_at, created_by, created_at, updated_at, version`;

/** Tasks n0 … n0+count-1 (ids tsk_bench_<n>) for `agent`, priorities rotating as in prepare.ts. */
function insertTasks(agent: string, status: "pending" | "in_progress", n0: number, count: number, now: number) {
  const leased = status === "in_progress";
  return {
    text: `INSERT INTO tasks (${TASK_COLS})
      SELECT 'tsk_bench_' || lpad((${n0} + i)::text, 7, '0'), $1, 'B' || (${n0} + i), 'Bench task ' || (${n0} + i), 'Bench task', 'create', $2, $3,
             (ARRAY['critical','high','normal','normal','low'])[i % 5 + 1], (ARRAY[0,1,2,2,3])[i % 5 + 1], 'review_required', '[]', '[]', '[]',
             ${leased ? 1 : 0}, ${leased ? now + 3_600_000 : "NULL"}, ${leased ? now : "NULL"}, ${leased ? now : "NULL"}, 'bench', $4::bigint + i, $4::bigint + i, 1
      FROM generate_series(0, ${count - 1}) AS i`,
    values: [BENCH_INSTRUCTION, agent, status, now],
  };
}

export async function prepareApiFixturePg(url: string, opts: { claimable: number; workerTasks: number; servers: number }): Promise<ApiFixture> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const now = Date.now();
  let steps: number;
  let w0 = 0;
  const workerTasks: string[][] = Array.from({ length: opts.servers }, () => []);
  try {
    await c.query("BEGIN");
    const cols = (await c.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'agents' AND table_schema = 'public' ORDER BY ordinal_position`)).rows.map(
      (r: { column_name: string }) => r.column_name,
    );
    for (const name of [CLAIMER, WORKER]) {
      await c.query(
        `INSERT INTO agents (${cols.join(", ")}) SELECT ${cols.map((k) => (k === "name" ? "$1" : k === "source_path" ? "NULL" : k)).join(", ")} FROM agents WHERE name = $2 ON CONFLICT DO NOTHING`,
        [name, READER],
      );
    }
    await c.query(
      `INSERT INTO instructions (id, title, body, tier, priority, phase, created_by, created_at, updated_at, version) VALUES ($1, 'Bench work', '', 1, 'normal', 'executing', 'bench', $2, $2, 1) ON CONFLICT DO NOTHING`,
      [BENCH_INSTRUCTION, now],
    );
    const start = Number((await c.query(`SELECT count(*) AS n FROM tasks WHERE instruction_id = $1`, [BENCH_INSTRUCTION])).rows[0].n);
    if (opts.claimable > 0) await c.query(insertTasks(CLAIMER, "pending", start, opts.claimable, now));
    w0 = start + opts.claimable;
    if (opts.workerTasks > 0) {
      await c.query(insertTasks(WORKER, "in_progress", w0, opts.workerTasks, now));
      // The Response Approach of READER's row (a JSON array), one pending step per entry, on every worker task.
      await c.query(
        `INSERT INTO task_steps (task_id, position, title, guidance, status, version)
         SELECT 'tsk_bench_' || lpad((${w0} + i)::text, 7, '0'), (s->>'position')::int, s->>'title', s->>'guidance', 'pending', 1
         FROM generate_series(0, ${opts.workerTasks - 1}) AS i, json_array_elements((SELECT steps FROM agents WHERE name = $1)::json) AS s`,
        [READER],
      );
    }
    steps = Number((await c.query(`SELECT json_array_length(steps::json) AS n FROM agents WHERE name = $1`, [READER])).rows[0].n);
    await c.query("COMMIT");
    await c.query("ANALYZE tasks");
    await c.query("ANALYZE task_steps");
  } finally {
    await c.end();
  }
  for (let i = 0; i < opts.workerTasks; i++) workerTasks[i % opts.servers].push(`tsk_bench_${String(w0 + i).padStart(7, "0")}`);
  const db = openPostgres(url);
  try {
    const sys = { db, actor: { kind: "system" as const, name: "bench" } };
    const tokens = {
      claimer: createToken(sys, { agent: CLAIMER, label: "bench" }).token,
      worker: createToken(sys, { agent: WORKER, label: "bench" }).token,
      reader: createToken(sys, { agent: READER, label: "bench" }).token,
    };
    return { tokens, workerTasks, steps, claimable: opts.claimable };
  } finally {
    db.$engine.close();
  }
}
