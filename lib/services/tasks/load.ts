import "server-only";
import { and, eq, ne, sql, type SQL } from "drizzle-orm";
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

/**
 * A lease's end, as SQL on the row being written: `at` plus the assigned agent's lease_minutes (its
 * definition's, else DEFAULT_LEASE_MINUTES), read in the same statement (no round trip of its own).
 */
export const leaseEndSql = (at: SQL) =>
  sql`CAST(${at} AS bigint) + CAST(coalesce((SELECT ${agents.leaseMinutes} FROM ${agents} WHERE ${agents.name} = ${tasks.assignedAgent}), ${sql.raw(String(DEFAULT_LEASE_MINUTES))}) AS bigint) * 60000`;

// touchLease's rule in SQL: only the agent holding a task in progress renews its lease.
const holding = sql`${tasks.status} = 'in_progress' AND ${tasks.assignedAgent} = ${sql.placeholder("agent")}`;
const touchForWrite = (tx: Tx) =>
  prepared(tx, "tasks.touchForWrite", (d) =>
    d
      .update(tasks)
      .set({
        updatedAt: sql`CASE WHEN ${sql.placeholder("touch")} = 1 THEN CAST(${sql.placeholder("at")} AS bigint) ELSE ${tasks.updatedAt} END`,
        leaseExpiresAt: sql`CASE WHEN ${holding} THEN ${leaseEndSql(sql`${sql.placeholder("at")}`)} ELSE ${tasks.leaseExpiresAt} END`,
        lastHeartbeatAt: sql`CASE WHEN ${holding} THEN CAST(${sql.placeholder("at")} AS bigint) ELSE ${tasks.lastHeartbeatAt} END`,
        leaseRemindedAt: sql`CASE WHEN ${holding} THEN NULL ELSE ${tasks.leaseRemindedAt} END`,
      })
      .where(eq(tasks.id, sql.placeholder("id")))
      .returning()
      .prepare(),
  );

/**
 * The first statement of a write on a task (a step, tool activity, a message about it): one UPDATE
 * ... RETURNING that reads the row, renews the lease when the actor is the agent holding the task
 * in progress (touchLease's rule: every agent write is a heartbeat) and sets updated_at when
 * `touch` says so. Undefined when there is no such task. The verb checks what it read afterwards
 * and throws to refuse: the transaction rolls the touch back.
 *
 * On PostgreSQL the UPDATE also locks the row until the transaction ends, and reads its newest
 * committed version (waiting for a writer that holds it): whatever the verb decides from the task
 * (its status, its agent, its lease token) stays true until it commits, so these verbs need no
 * SERIALIZABLE isolation (they run READ COMMITTED: no serialisation failures on a busy task or
 * inbox). A sweep, a reassignment or a new claim either commits before (the verb sees it and
 * refuses) or waits for the verb's commit. Every other writer of a task's steps writes the task
 * row in the same transaction, so the steps the verb reads under this lock are settled too.
 */
export function touchTaskForWrite(tx: Tx, actor: Actor, taskId: string, at: number, touch: boolean): TaskRow | undefined {
  return touchForWrite(tx).get({ id: taskId, at, touch: touch ? 1 : 0, agent: actor.kind === "agent" ? actor.name : null });
}

/** loadTask for a write, through touchTaskForWrite: the task row, locked, its lease renewed; access checked. */
export function lockTask(tx: Tx, actor: Actor, taskId: string, at: number, opts: { touch: boolean }): TaskRow {
  const task = touchTaskForWrite(tx, actor, taskId, at, opts.touch);
  if (!task) throw notFound("Task", taskId);
  requireTaskAccess(actor, task, true);
  if (actor.kind === "agent") requireTaskWork(tx, actor.name, task.instructionId);
  return task;
}

/**
 * touchLease's refusal, on a task read by touchTaskForWrite (which renewed the lease already): a
 * write carrying a lease token older than the task's current one comes from an agent whose lease
 * was taken over.
 */
export function checkLease(actor: Actor, task: TaskRow, leaseToken?: number): void {
  if (actor.kind !== "agent") return;
  if (leaseToken !== undefined && leaseToken !== task.leaseToken) {
    throw new ServiceError("lease_lost", `Lease ${leaseToken} on task ${task.id} is no longer valid (current lease ${task.leaseToken})`);
  }
}

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
