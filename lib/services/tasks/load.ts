import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { agents, taskDependencies, tasks, type TaskRow } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import type { Tx } from "../context";
import { notFound, ServiceError } from "../errors";
import { requireTaskAccess } from "../policy";
import { requireTaskWork } from "../access/memory-permissions";
import { prepared } from "../prepared";

/** A lease's length when the agent's definition names none (lease_minutes). */
export const DEFAULT_LEASE_MINUTES = 30;

// The reads and writes every agent verb makes, prepared once per connection (prepared.ts).
const selectTask = (tx: Tx) =>
  prepared(tx, "tasks.byId", (d) =>
    d
      .select()
      .from(tasks)
      .where(eq(tasks.id, sql.placeholder("id")))
      .prepare(),
  );
const selectLease = (tx: Tx) =>
  prepared(tx, "agents.leaseMinutes", (d) =>
    d
      .select({ m: agents.leaseMinutes })
      .from(agents)
      .where(eq(agents.name, sql.placeholder("name")))
      .prepare(),
  );
const extendLease = (tx: Tx) =>
  prepared(tx, "tasks.extendLease", (d) =>
    d
      .update(tasks)
      .set({ leaseExpiresAt: sql`${sql.placeholder("expiresAt")}`, lastHeartbeatAt: sql`${sql.placeholder("at")}`, leaseRemindedAt: null })
      .where(eq(tasks.id, sql.placeholder("id")))
      .prepare(),
  );

/** The task row, or undefined (no access check). */
export function findTask(tx: Tx, taskId: string): TaskRow | undefined {
  return selectTask(tx).get({ id: taskId });
}

/**
 * The task a verb acts on, access checked: another agent's task is not found; an agent writing on
 * its own task needs its Memory Ownership to include the instruction's tasks (docs/permissions.md).
 * Every agent verb on a task by id comes through here (claim by id, steps, tool activity, outputs,
 * complete, block, unblock); heartbeatTask and claimTask's "next one" check the same rule themselves.
 */
export function loadTask(tx: Tx, actor: Actor, taskId: string, write: boolean): TaskRow {
  const task = selectTask(tx).get({ id: taskId });
  if (!task) throw notFound("Task", taskId);
  requireTaskAccess(actor, task, write);
  if (write && actor.kind === "agent") requireTaskWork(tx, actor.name, task.instructionId);
  return task;
}

export function unfinishedDependencies(tx: Tx, taskId: string): string[] {
  return tx
    .select({ id: tasks.id })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.dependsOnTaskId))
    .where(and(eq(taskDependencies.taskId, taskId), ne(tasks.status, "completed")))
    .all()
    .map((r) => r.id);
}

export function leaseMinutesOf(tx: Tx, agentName: string): number {
  const row = selectLease(tx).get({ name: agentName });
  return row?.m ?? DEFAULT_LEASE_MINUTES;
}

/**
 * Every write an agent makes on its task counts as a heartbeat (a model-driven agent does not beat
 * on a timer). A write carrying a lease token older than the task's current one comes from an
 * agent whose lease was taken over: refused, so a zombie cannot overwrite its successor. Only a
 * task in progress holds a lease (docs/task-rules.md): on a blocked task the lease is paused, and
 * starts afresh when the task moves back to in progress (transitionTask).
 */
export function touchLease(tx: Tx, actor: Actor, task: TaskRow, at: number, leaseToken?: number): Partial<TaskRow> {
  if (actor.kind !== "agent") return {};
  if (leaseToken !== undefined && leaseToken !== task.leaseToken) {
    throw new ServiceError("lease_lost", `Lease ${leaseToken} on task ${task.id} is no longer valid (current lease ${task.leaseToken})`);
  }
  if (task.status !== "in_progress") return {};
  const patch = { leaseExpiresAt: at + leaseMinutesOf(tx, task.assignedAgent) * 60_000, lastHeartbeatAt: at, leaseRemindedAt: null };
  extendLease(tx).run({ expiresAt: patch.leaseExpiresAt, at, id: task.id });
  return patch;
}

/** Extends a task's lease to `expiresAt` (heartbeats and every agent write). */
export function writeLease(tx: Tx, taskId: string, at: number, expiresAt: number): void {
  extendLease(tx).run({ expiresAt, at, id: taskId });
}
