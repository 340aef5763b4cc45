import "server-only";
import { and, eq, inArray, ne } from "drizzle-orm";
import { messages, taskDependencies, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";

/** What the run supervisor needs to decide whether a message wakes its recipient. */
export function messageForWake(ctx: Pick<ServiceContext, "db">, messageId: string) {
  const m = ctx.db
    .select({
      id: messages.id,
      fromKind: messages.fromKind,
      fromName: messages.fromName,
      toInbox: messages.toInbox,
      type: messages.type,
      subject: messages.subject,
      taskId: messages.taskId,
      threadId: messages.threadId,
      inReplyTo: messages.inReplyTo,
    })
    .from(messages)
    .where(eq(messages.id, messageId))
    .get();
  if (!m) return null;
  const task = m.taskId
    ? (ctx.db.select({ id: tasks.id, status: tasks.status, assignedAgent: tasks.assignedAgent, title: tasks.title }).from(tasks).where(eq(tasks.id, m.taskId)).get() ?? null)
    : null;
  // Did the recipient write earlier in this thread (it asked, and this is the answer it waits for),
  // or did AgentDesk start it about the recipient's task (a run that ended early: the answer is for its agent)?
  const asked = ctx.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.threadId, m.threadId), eq(messages.fromName, m.toInbox), ne(messages.id, m.id)))
    .limit(1)
    .get();
  const root = asked ? null : ctx.db.select({ fromKind: messages.fromKind }).from(messages).where(eq(messages.id, m.threadId)).get();
  const aboutItsTask = root?.fromKind === "system" && task?.assignedAgent === m.toInbox;
  return { ...m, task, recipientAsked: !!asked || aboutItsTask };
}

/** A task's status, agent and round (null when it is gone). */
export function taskForWake(ctx: Pick<ServiceContext, "db">, taskId: string) {
  return ctx.db.select({ id: tasks.id, status: tasks.status, assignedAgent: tasks.assignedAgent, round: tasks.round, ref: tasks.ref }).from(tasks).where(eq(tasks.id, taskId)).get() ?? null;
}

/**
 * The pending tasks that were waiting for `taskId` and wait for nothing else now: every task they
 * depend on is completed.
 */
export function dependentsReady(ctx: Pick<ServiceContext, "db">, taskId: string) {
  const dependents = ctx.db
    .select({ id: tasks.id, ref: tasks.ref, assignedAgent: tasks.assignedAgent })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.taskId))
    .where(and(eq(taskDependencies.dependsOnTaskId, taskId), eq(tasks.status, "pending")))
    .all();
  return dependents.filter((d) => !hasUnfinishedDependencies(ctx, d.id));
}

/** Some task this one depends on is not completed yet (claim refuses it until then). */
export function hasUnfinishedDependencies(ctx: Pick<ServiceContext, "db">, taskId: string): boolean {
  const deps = ctx.db.select({ id: taskDependencies.dependsOnTaskId }).from(taskDependencies).where(eq(taskDependencies.taskId, taskId)).all();
  if (!deps.length) return false;
  return !!ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(
      and(
        inArray(
          tasks.id,
          deps.map((d) => d.id),
        ),
        ne(tasks.status, "completed"),
      ),
    )
    .limit(1)
    .get();
}
