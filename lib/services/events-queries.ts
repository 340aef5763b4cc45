import "server-only";
import { and, desc, eq, gt, lt, notInArray, type SQL } from "drizzle-orm";
import { events, tasks } from "@/db/schema";
import type { ServiceContext } from "./context";
import { clampLimit } from "./cursor";
import { eventDto } from "./dto";
import { notFound, ServiceError } from "./errors";

/**
 * Events after an id (the live stream and its resume) or before one (the activity feed and
 * timelines, newest first). People read everything; an agent only the events of its own tasks.
 */
export function listEvents(ctx: ServiceContext, q: { afterId?: number; beforeId?: number; taskId?: string; instructionId?: string; limit?: number; excludeVerbs?: string[] } = {}) {
  if (ctx.actor.kind === "agent") {
    if (!q.taskId) throw new ServiceError("forbidden", "An agent reads the events of its own tasks only");
    const owner = ctx.db.select({ a: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, q.taskId)).get();
    if (!owner || owner.a !== ctx.actor.name) throw notFound("Task", q.taskId);
  }
  const limit = clampLimit(q.limit, 50, 500);
  const where: SQL[] = [];
  if (q.taskId) where.push(eq(events.taskId, q.taskId));
  if (q.instructionId) where.push(eq(events.instructionId, q.instructionId));
  if (q.afterId !== undefined) where.push(gt(events.id, q.afterId));
  if (q.beforeId !== undefined) where.push(lt(events.id, q.beforeId));
  if (q.excludeVerbs?.length) where.push(notInArray(events.verb, q.excludeVerbs));
  const ascending = q.afterId !== undefined;
  const rows = ctx.db
    .select()
    .from(events)
    .where(where.length ? and(...where) : undefined)
    .orderBy(ascending ? events.id : desc(events.id))
    .limit(limit)
    .all();
  return rows.map(eventDto);
}

export function lastEventId(ctx: Pick<ServiceContext, "db">): number {
  const r = ctx.db.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1).get();
  return r?.id ?? 0;
}
