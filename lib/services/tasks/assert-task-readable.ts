import "server-only";
import { eq } from "drizzle-orm";
import { tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";

/**
 * Throws not_found unless the task exists and the actor may read it (an agent: only its own).
 * For reads that take a task id but are not getTask (a task's event timeline).
 */
export function assertTaskReadable(ctx: ServiceContext, taskId: string): void {
  const t = ctx.db.select({ id: tasks.id, assignedAgent: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, taskId)).get();
  if (!t) throw notFound("Task", taskId);
  requireTaskAccess(ctx.actor, t, false);
}
