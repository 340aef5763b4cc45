import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import { agents, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { taskDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requireTaskAccess } from "../policy";
import { DEFAULT_LEASE_MINUTES } from "./transitions";
import { parseInput } from "../validate";
import { leaseMinutesOf, loadTask, unfinishedDependencies, writeLease } from "./load";
import { prepared } from "../prepared";
import { immediateTx, type Tx } from "../context";

export const ClaimTaskInput = z.strictObject({
  /** Claim this task rather than the next one in priority order. */
  taskId: z.string().min(1).optional(),
});

const ready = sql`NOT EXISTS (
  SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
  WHERE d.task_id = ${tasks.id} AND dt.status <> 'completed')`;

const claimSet = {
  status: "in_progress" as const,
  leaseToken: sql`${tasks.leaseToken} + 1`,
  leaseExpiresAt: sql`${sql.placeholder("expiresAt")}`,
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
              ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1) AND ${tasks.status} = 'pending' AND ${ready}`,
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

/**
 * Takes the agent's highest-priority pending task whose dependencies are completed, in one
 * UPDATE ... WHERE status = 'pending' ... RETURNING under the write lock: two claimers can never
 * get the same task. Returns null when nothing is ready. The lease token increases with every claim.
 */
export function claimTask(ctx: ServiceContext, raw: z.input<typeof ClaimTaskInput> = {}) {
  const { actor } = ctx;
  if (actor.kind !== "agent") throw new ServiceError("forbidden", "Only an agent claims tasks");
  const input = parseInput(ClaimTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const leaseMs = leaseMinutesOf(tx, actor.name) * 60_000;
    let row;
    if (input.taskId) {
      const t = loadTask(tx, actor, input.taskId, true);
      if (t.status !== "pending") {
        throw new ServiceError("illegal_transition", `Task ${t.id} is ${t.status}, only a pending task can be claimed`);
      }
      const open = unfinishedDependencies(tx, t.id);
      if (open.length) {
        throw new ServiceError("dependencies_not_done", `Task ${t.id} waits for ${open.join(", ")}`, { details: { waitingFor: open } });
      }
      row = claimById(tx).get({ id: t.id, at, expiresAt: at + leaseMs });
    } else {
      row = claimNext(tx).get({ agent: actor.name, at, expiresAt: at + leaseMs });
    }
    if (!row) return null;
    emit({
      verb: "task.claimed",
      entityKind: "task",
      entityId: row.id,
      instructionId: row.instructionId,
      taskId: row.id,
      before: { status: "pending" },
      after: { status: "in_progress", leaseToken: row.leaseToken, leaseExpiresAt: new Date(row.leaseExpiresAt!).toISOString() },
    });
    return taskDto(row, at);
  });
}

export const HeartbeatInput = z.strictObject({
  taskId: z.string().min(1),
  leaseToken: z.number().int().nonnegative().optional(),
});

const leaseOf = (tx: Tx) =>
  prepared(tx, "tasks.leaseOf", (d) =>
    d
      .select({ id: tasks.id, assignedAgent: tasks.assignedAgent, status: tasks.status, leaseToken: tasks.leaseToken, leaseMinutes: agents.leaseMinutes })
      .from(tasks)
      .leftJoin(agents, eq(agents.name, tasks.assignedAgent))
      .where(eq(tasks.id, sql.placeholder("id")))
      .prepare(),
  );

/** Extends the lease. Not an event: heartbeats would drown the activity feed and the audit log. */
export function heartbeatTask(ctx: ServiceContext, raw: z.input<typeof HeartbeatInput>) {
  const { actor } = ctx;
  if (actor.kind !== "agent") throw new ServiceError("forbidden", "Only the agent working on a task sends heartbeats");
  const input = parseInput(HeartbeatInput, raw);
  const at = ctx.now ? ctx.now() : Date.now();
  return immediateTx(ctx.db, (tx) => {
    // The few columns a lease needs and the agent's lease length, in one read (no full task row).
    const task = leaseOf(tx).get({ id: input.taskId });
    if (!task) throw notFound("Task", input.taskId);
    requireTaskAccess(actor, task, true);
    if (task.status !== "in_progress" && task.status !== "blocked") {
      throw new ServiceError("illegal_transition", `Task ${task.id} is ${task.status}: there is no lease to extend`);
    }
    if (input.leaseToken !== undefined && input.leaseToken !== task.leaseToken) {
      throw new ServiceError("lease_lost", `Lease ${input.leaseToken} on task ${task.id} is no longer valid`);
    }
    const expiresAt = at + (task.leaseMinutes ?? DEFAULT_LEASE_MINUTES) * 60_000;
    writeLease(tx, task.id, at, expiresAt);
    return { taskId: task.id, leaseToken: task.leaseToken, leaseExpiresAt: new Date(expiresAt).toISOString() };
  });
}
