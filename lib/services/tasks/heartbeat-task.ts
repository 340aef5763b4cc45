import "server-only";
import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import type { Actor } from "@/lib/auth/actor";
import type { Db } from "@/db/engine";
import { agents, tasks } from "@/db/schema";
import { immediateTx, type ServiceContext, type Tx } from "../context";
import { notFound, ServiceError } from "../errors";
import { requireTaskAccess } from "../policy";
import { permissionsOf, requireTaskWork } from "../access/memory-permissions";
import { parseInput } from "../validate";
import { prepared } from "../prepared";
import { leaseEndSql } from "./load";

export const HeartbeatInput = z.strictObject({
  taskId: z.string().min(1),
  leaseToken: z.number().int().nonnegative().optional(),
});

const leaseOf = (tx: Tx) =>
  prepared(tx, "tasks.leaseOf", (d) =>
    d
      .select({ id: tasks.id, instructionId: tasks.instructionId, assignedAgent: tasks.assignedAgent, status: tasks.status, leaseToken: tasks.leaseToken, leaseMinutes: agents.leaseMinutes })
      .from(tasks)
      .leftJoin(agents, eq(agents.name, tasks.assignedAgent))
      .where(eq(tasks.id, sql.placeholder("id")))
      .prepare(),
  );

// The heartbeat in one statement: the lease renewed only on the agent's own task, in progress, and
// under the lease token the agent names (any, when it names none). PostgreSQL reads the row's newest
// committed version (waiting for a writer holding it) to decide: a sweep, a reassignment or a new
// claim committed first leaves nothing to renew, and the refusal below says why.
const renew = (tx: Tx | Db) =>
  prepared(tx, "tasks.heartbeat", (d) =>
    d
      .update(tasks)
      .set({ leaseExpiresAt: leaseEndSql(sql`${sql.placeholder("at")}`), lastHeartbeatAt: sql`${sql.placeholder("at")}`, leaseRemindedAt: null })
      .where(
        sql`${tasks.id} = ${sql.placeholder("id")} AND ${tasks.assignedAgent} = ${sql.placeholder("agent")} AND ${tasks.status} = 'in_progress' AND ${tasks.leaseToken} = coalesce(${sql.placeholder("leaseToken")}, ${tasks.leaseToken})`,
      )
      .returning({ id: tasks.id, instructionId: tasks.instructionId, leaseToken: tasks.leaseToken, leaseExpiresAt: tasks.leaseExpiresAt })
      .prepare(),
  );

/** Why a heartbeat renewed nothing, in the words of the rule it broke (the checks as they were before the write). */
function refusal(h: Tx | Db, actor: Actor & { kind: "agent" }, taskId: string, leaseToken: number | undefined): ServiceError | null {
  const task = leaseOf(h as Tx).get({ id: taskId });
  if (!task) return notFound("Task", taskId);
  try {
    requireTaskAccess(actor, task, true);
    requireTaskWork(h as Tx, actor.name, task.instructionId);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  if (task.status !== "in_progress") {
    return new ServiceError(
      "illegal_transition",
      task.status === "blocked"
        ? `Task ${task.id} is blocked: its lease is paused until it is unblocked, so there is no lease to extend`
        : `Task ${task.id} is ${task.status.replace("_", " ")}: there is no lease to extend`,
      { details: { taskStatus: task.status } },
    );
  }
  if (leaseToken !== undefined && leaseToken !== task.leaseToken) return new ServiceError("lease_lost", `Lease ${leaseToken} on task ${task.id} is no longer valid`);
  return null;
}

/**
 * Extends the lease. Not an event: heartbeats would drown the activity feed and the audit log. Only
 * a task in progress holds a lease: a blocked task's lease is paused (a fresh one starts when it is
 * unblocked), so there is nothing to extend.
 *
 * One guarded UPDATE ... RETURNING, and nothing else when the agent may work on any instruction
 * (its Memory Ownership names none: no transaction, one round trip on PostgreSQL); in a READ
 * COMMITTED transaction otherwise, the task's instruction checked against its scope before the
 * commit. Refused, the task is read once more to say why.
 */
export function heartbeatTask(ctx: ServiceContext, raw: z.input<typeof HeartbeatInput>) {
  const { actor } = ctx;
  if (actor.kind !== "agent") throw new ServiceError("forbidden", "Only the agent working on a task sends heartbeats");
  const input = parseInput(HeartbeatInput, raw);
  const at = ctx.now ? ctx.now() : Date.now();
  const beat = (h: Tx | Db) => {
    // A heartbeat that found nothing to renew, yet nothing to refuse: the task changed in between; once more.
    for (let attempt = 1; ; attempt++) {
      const row = renew(h).get({ id: input.taskId, agent: actor.name, at, leaseToken: input.leaseToken ?? null });
      if (row) {
        requireTaskWork(h as Tx, actor.name, row.instructionId);
        return { taskId: row.id, leaseToken: row.leaseToken, leaseExpiresAt: new Date(row.leaseExpiresAt!).toISOString() };
      }
      const why = refusal(h, actor, input.taskId, input.leaseToken);
      if (why) throw why;
      if (attempt === 3) throw new ServiceError("version_conflict", `Task ${input.taskId} changed while its lease was being renewed: try again`);
    }
  };
  const p = permissionsOf(ctx.db as unknown as Tx, actor.name);
  if (!p.declared || p.tasks === "any") return beat(ctx.db);
  return immediateTx(ctx.db, beat, { isolation: "read-committed" });
}
