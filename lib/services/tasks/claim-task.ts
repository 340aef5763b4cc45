import "server-only";
import { z } from "zod";
import { sql } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { tasks, type TaskRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { claimTransition } from "./transitions";
import { parseInput } from "../validate";
import { leaseEndSql, loadTask, unfinishedDependencies } from "./load";
import { prepared } from "../prepared";
import { taskWorkScope } from "../access/memory-permissions";
import type { Tx } from "../context";

export const ClaimTaskInput = z.strictObject({
  /** Claim this task rather than the next one in priority order. */
  taskId: z.string().min(1).optional(),
});

const ready = sql`NOT EXISTS (
  SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
  WHERE d.task_id = ${tasks.id} AND dt.status <> 'completed')`;

// The lease's length is the agent's (leaseEndSql reads it in the same statement).
const claimSet = {
  status: "in_progress" as const,
  leaseToken: sql`${tasks.leaseToken} + 1`,
  leaseExpiresAt: leaseEndSql(sql`${sql.placeholder("at")}`),
  lastHeartbeatAt: sql`${sql.placeholder("at")}`,
  leaseRemindedAt: null,
  claimedAt: sql`${sql.placeholder("at")}`,
  updatedAt: sql`${sql.placeholder("at")}`,
  version: sql`${tasks.version} + 1`,
};

// The agent's next task: prepared once (prepared.ts), it is what every polling agent runs.
const claimNext = (tx: Tx) =>
  prepared(tx, "tasks.claimNext", (d) =>
    d
      .update(tasks)
      .set(claimSet)
      .where(
        sql`${tasks.id} = (SELECT t.id FROM tasks t WHERE t.assigned_agent = ${sql.placeholder("agent")} AND t.status = 'pending'
              AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
                              WHERE d.task_id = t.id AND dt.status <> 'completed')
              ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1 ${dialect(d).skipLocked()}) AND ${tasks.status} = 'pending' AND ${ready}`,
      )
      .returning()
      .prepare(),
  );

const claimById = (tx: Tx) =>
  prepared(tx, "tasks.claimById", (d) =>
    d
      .update(tasks)
      .set(claimSet)
      .where(sql`${tasks.id} = ${sql.placeholder("id")} AND ${tasks.status} = 'pending' AND ${ready}`)
      .returning()
      .prepare(),
  );

/** claimNext limited to the instructions an agent's Memory Ownership names (GLOB patterns; rare, so not prepared). */
function claimNextIn(tx: Tx, agent: string, instructions: string[], at: number): TaskRow | undefined {
  const inScope = sql.join(
    instructions.map((g) => dialect(tx).glob(sql`t.instruction_id`, g)),
    sql` OR `,
  );
  return tx
    .update(tasks)
    .set({ ...claimSet, leaseExpiresAt: leaseEndSql(sql`${at}`), lastHeartbeatAt: at, claimedAt: at, updatedAt: at })
    .where(
      sql`${tasks.id} = (SELECT t.id FROM tasks t WHERE t.assigned_agent = ${agent} AND t.status = 'pending' AND (${inScope})
            AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
                            WHERE d.task_id = t.id AND dt.status <> 'completed')
            ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1 ${dialect(tx).skipLocked()}) AND ${tasks.status} = 'pending' AND ${ready}`,
    )
    .returning()
    .get();
}

/**
 * Takes the agent's highest-priority pending task whose dependencies are completed, in one
 * UPDATE ... WHERE status = 'pending' ... RETURNING under the write lock (SQLite) or with the row
 * locked by FOR UPDATE SKIP LOCKED (PostgreSQL): two claimers can never get the same task. Returns null when nothing is ready. The lease token increases with every claim.
 */
// PostgreSQL: READ COMMITTED, the next task taken with FOR UPDATE SKIP LOCKED (claimers on other
// connections pass over a row being claimed instead of waiting for it, and never get it twice).
// SERIALIZABLE made concurrent claimers fail and retry until they gave up (claim-contention.test.ts).
// Its event goes with the COMMIT (eventsLater: one round trip less).
const claimIsolation = { isolation: "read-committed", eventsLater: true } as const;

export function claimTask(ctx: ServiceContext, raw: z.input<typeof ClaimTaskInput> = {}) {
  const { actor } = ctx;
  if (actor.kind !== "agent") throw new ServiceError("forbidden", "Only an agent claims tasks");
  const input = parseInput(ClaimTaskInput, raw);
  return writeTx(
    ctx,
    (tx, at, emit) => {
      let claimed: () => TaskRow | undefined;
      if (input.taskId) {
        const t = loadTask(tx, actor, input.taskId, true);
        if (t.status !== "pending") {
          throw new ServiceError("illegal_transition", `Task ${t.id} is ${t.status}, only a pending task can be claimed`);
        }
        const open = unfinishedDependencies(tx, t.id);
        if (open.length) {
          throw new ServiceError("dependencies_not_done", `Task ${t.id} waits for ${open.join(", ")}`, { details: { waitingFor: open } });
        }
        claimed = () => claimById(tx).get({ id: t.id, at });
      } else {
        // Memory Ownership naming instructions (docs/permissions.md): the next task among theirs only.
        const scope = taskWorkScope(tx, actor);
        claimed = scope ? () => claimNextIn(tx, actor.name, scope, at) : () => claimNext(tx).get({ agent: actor.name, at });
      }
      const row = claimTransition({ at, emit, after: (r) => ({ leaseToken: r.leaseToken, leaseExpiresAt: new Date(r.leaseExpiresAt!).toISOString() }) }, claimed);
      if (!row) {
        // Claimed by id, and taken by another connection between the check above and the UPDATE (on
        // PostgreSQL's READ COMMITTED the UPDATE waits for that claim, then finds the task taken):
        // the same answer as when the check itself sees it taken.
        if (input.taskId) throw new ServiceError("illegal_transition", `Task ${input.taskId} was claimed meanwhile, only a pending task can be claimed`);
        return null;
      }
      return taskDto(row, at);
    },
    claimIsolation,
  );
}
