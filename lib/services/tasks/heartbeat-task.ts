import "server-only";
import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import { agents, tasks } from "@/db/schema";
import { immediateTx, type ServiceContext, type Tx } from "../context";
import { notFound, ServiceError } from "../errors";
import { requireTaskAccess } from "../policy";
import { requireTaskWork } from "../access/memory-permissions";
import { parseInput } from "../validate";
import { prepared } from "../prepared";
import { DEFAULT_LEASE_MINUTES, writeLease } from "./load";

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

/**
 * Extends the lease. Not an event: heartbeats would drown the activity feed and the audit log. Only
 * a task in progress holds a lease: a blocked task's lease is paused (a fresh one starts when it is
 * unblocked), so there is nothing to extend.
 */
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
    requireTaskWork(tx, actor.name, task.instructionId);
    if (task.status !== "in_progress") {
      throw new ServiceError(
        "illegal_transition",
        task.status === "blocked"
          ? `Task ${task.id} is blocked: its lease is paused until it is unblocked, so there is no lease to extend`
          : `Task ${task.id} is ${task.status.replace("_", " ")}: there is no lease to extend`,
        { details: { taskStatus: task.status } },
      );
    }
    if (input.leaseToken !== undefined && input.leaseToken !== task.leaseToken) {
      throw new ServiceError("lease_lost", `Lease ${input.leaseToken} on task ${task.id} is no longer valid`);
    }
    const expiresAt = at + (task.leaseMinutes ?? DEFAULT_LEASE_MINUTES) * 60_000;
    writeLease(tx, task.id, at, expiresAt);
    return { taskId: task.id, leaseToken: task.leaseToken, leaseExpiresAt: new Date(expiresAt).toISOString() };
  });
}
