import "server-only";
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { instructions, messages, outputs, reviews, taskDependencies, tasks, type InstructionRow, type MessageRow, type OutputRow, type ReviewRow, type TaskRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { requireBridge } from "./shared";

/** What the bridge reads to write files: whole rows (with `original`), plus the refs files use. */
export type ProtocolInstruction = InstructionRow;
export type ProtocolTask = TaskRow & { dependsOn: string[]; parentRef: string | null };
export type ProtocolMessage = MessageRow & { taskRef: string | null };
export type ProtocolOutput = OutputRow & { taskRef: string; instructionId: string; versions: number };
export type ProtocolReview = ReviewRow & { taskRef: string; instructionId: string; outputVersion: number };

export function protocolInstructions(ctx: ServiceContext, q: { ids?: string[] } = {}): ProtocolInstruction[] {
  requireBridge(ctx.actor);
  if (q.ids && q.ids.length === 0) return [];
  return ctx.db
    .select()
    .from(instructions)
    .where(q.ids ? inArray(instructions.id, q.ids) : undefined)
    .orderBy(asc(instructions.id))
    .all();
}

export function protocolTasks(ctx: ServiceContext, q: { ids?: string[]; instructionId?: string } = {}): ProtocolTask[] {
  requireBridge(ctx.actor);
  if (q.ids && q.ids.length === 0) return [];
  const where = [q.ids ? inArray(tasks.id, q.ids) : undefined, q.instructionId ? eq(tasks.instructionId, q.instructionId) : undefined].filter((w) => w !== undefined);
  const rows = ctx.db
    .select()
    .from(tasks)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(tasks.instructionId), asc(tasks.ref))
    .all();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const deps = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const found = ctx.db
      .select({ taskId: taskDependencies.taskId, ref: tasks.ref })
      .from(taskDependencies)
      .innerJoin(tasks, eq(tasks.id, taskDependencies.dependsOnTaskId))
      .where(inArray(taskDependencies.taskId, chunk))
      .all();
    for (const d of found) {
      const list = deps.get(d.taskId) ?? [];
      list.push(d.ref);
      deps.set(d.taskId, list);
    }
  }
  const parentIds = [...new Set(rows.map((r) => r.parentTaskId).filter((p): p is string => p !== null))];
  const parentRefs = new Map<string, string>();
  for (let i = 0; i < parentIds.length; i += 500) {
    for (const p of ctx.db
      .select({ id: tasks.id, ref: tasks.ref })
      .from(tasks)
      .where(inArray(tasks.id, parentIds.slice(i, i + 500)))
      .all())
      parentRefs.set(p.id, p.ref);
  }
  return rows.map((r) => ({ ...r, dependsOn: (deps.get(r.id) ?? []).sort(), parentRef: r.parentTaskId ? (parentRefs.get(r.parentTaskId) ?? null) : null }));
}

/** Messages in insertion order, a page at a time (`afterSeq` from the last one of the previous page). */
export function protocolMessages(ctx: ServiceContext, q: { ids?: string[]; afterSeq?: number; limit?: number } = {}): ProtocolMessage[] {
  requireBridge(ctx.actor);
  if (q.ids && q.ids.length === 0) return [];
  const where = [q.ids ? inArray(messages.id, q.ids) : undefined, q.afterSeq !== undefined ? gt(messages.seq, q.afterSeq) : undefined].filter((w) => w !== undefined);
  const rows = ctx.db
    .select({ m: messages, taskRef: tasks.ref })
    .from(messages)
    .leftJoin(tasks, eq(tasks.id, messages.taskId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(messages.seq))
    .limit(Math.min(q.limit ?? 1000, 5000))
    .all();
  return rows.map((r) => ({ ...r.m, taskRef: r.taskRef ?? null }));
}

/** The latest output version of each task (one result file per task), optionally for some tasks. */
export function protocolLatestOutputs(ctx: ServiceContext, q: { taskIds?: string[] } = {}): ProtocolOutput[] {
  requireBridge(ctx.actor);
  if (q.taskIds && q.taskIds.length === 0) return [];
  const latest = sql`${outputs.version} = (SELECT max(o2.version) FROM outputs o2 WHERE o2.task_id = ${outputs.taskId})`;
  const rows = ctx.db
    .select({ o: outputs, taskRef: tasks.ref, instructionId: tasks.instructionId, versions: sql<number>`(SELECT count(*) FROM outputs o3 WHERE o3.task_id = ${outputs.taskId})` })
    .from(outputs)
    .innerJoin(tasks, eq(tasks.id, outputs.taskId))
    .where(and(latest, q.taskIds ? inArray(outputs.taskId, q.taskIds) : undefined))
    .orderBy(asc(tasks.instructionId), asc(tasks.ref))
    .all();
  return rows.map((r) => ({ ...r.o, taskRef: r.taskRef, instructionId: r.instructionId, versions: r.versions }));
}

export function protocolReviews(ctx: ServiceContext, q: { outputIds?: string[]; ids?: string[] } = {}): ProtocolReview[] {
  requireBridge(ctx.actor);
  if ((q.outputIds && q.outputIds.length === 0) || (q.ids && q.ids.length === 0)) return [];
  const where = [q.outputIds ? inArray(reviews.outputId, q.outputIds) : undefined, q.ids ? inArray(reviews.id, q.ids) : undefined].filter((w) => w !== undefined);
  const rows = ctx.db
    .select({ r: reviews, taskRef: tasks.ref, instructionId: tasks.instructionId, outputVersion: outputs.version })
    .from(reviews)
    .innerJoin(outputs, eq(outputs.id, reviews.outputId))
    .innerJoin(tasks, eq(tasks.id, outputs.taskId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(reviews.createdAt), asc(reviews.id))
    .all();
  return rows.map((r) => ({ ...r.r, taskRef: r.taskRef, instructionId: r.instructionId, outputVersion: r.outputVersion }));
}
