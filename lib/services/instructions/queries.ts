import "server-only";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { instructions, messages, outputs, taskDependencies, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { afterCursor, clampLimit, pageOf, type Page } from "../cursor";
import { instructionDto, instructionNotes, messageDto, outputDto, type InstructionDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { listTasks, type TaskListItem } from "../tasks/queries";

export type InstructionListItem = InstructionDto & { taskCounts: { total: number; completed: number } };

export function listInstructions(ctx: ServiceContext, q: { phase?: InstructionDto["phase"]; cursor?: string | null; limit?: number } = {}): Page<InstructionListItem> {
  if (ctx.actor.kind === "agent") throw new ServiceError("forbidden", "Agents see instructions through their tasks");
  const limit = clampLimit(q.limit);
  const where = [];
  if (q.phase) where.push(eq(instructions.phase, q.phase));
  const after = afterCursor(q.cursor, instructions.createdAt, instructions.id, "desc");
  if (after) where.push(after);
  const rows = ctx.db
    .select({
      i: instructions,
      // Qualified by hand: inside the subquery drizzle's bare "id" would bind to tasks.id. The unary
      // + keeps SQLite from leading with a status index (every completed task, once per instruction:
      // 7 s for a page of 100 on the large dataset, 3 ms now; test/query-plans.test.ts).
      total: sql<number>`(SELECT count(*) FROM tasks t WHERE t.instruction_id = "instructions"."id")`,
      completed: sql<number>`(SELECT count(*) FROM tasks t WHERE t.instruction_id = "instructions"."id" AND ${dialect(ctx.db).noIndex(sql`t.status`)} = 'completed')`,
    })
    .from(instructions)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(instructions.createdAt), desc(instructions.id))
    .limit(limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, limit, (r) => [r.i.createdAt, r.i.id]);
  return { items: page.map((r) => ({ ...instructionDto(r.i), taskCounts: { total: r.total, completed: r.completed } })), nextCursor };
}

/** Tasks in dependency order: a task comes after every task it depends on (Kahn's order, ties by creation). */
export function orderByDependencies<T extends { id: string; createdAt: string }>(items: T[], edges: { taskId: string; dependsOnTaskId: string }[]): T[] {
  const byId = new Map(items.map((t) => [t.id, t]));
  const indegree = new Map(items.map((t) => [t.id, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!byId.has(e.taskId) || !byId.has(e.dependsOnTaskId)) continue;
    indegree.set(e.taskId, (indegree.get(e.taskId) ?? 0) + 1);
    next.set(e.dependsOnTaskId, [...(next.get(e.dependsOnTaskId) ?? []), e.taskId]);
  }
  const byAge = (a: T, b: T) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
  const ready = items.filter((t) => indegree.get(t.id) === 0).sort(byAge);
  const out: T[] = [];
  while (ready.length) {
    const t = ready.shift()!;
    out.push(t);
    for (const n of next.get(t.id) ?? []) {
      indegree.set(n, indegree.get(n)! - 1);
      if (indegree.get(n) === 0) {
        ready.push(byId.get(n)!);
        ready.sort(byAge);
      }
    }
  }
  // A cycle cannot be created through the service, but imported data might hold one: keep those last.
  for (const t of items) if (!out.includes(t)) out.push(t);
  return out;
}

export function getInstruction(ctx: ServiceContext, id: string) {
  if (ctx.actor.kind === "agent") throw new ServiceError("forbidden", "Agents see instructions through their tasks");
  const i = ctx.db.select().from(instructions).where(eq(instructions.id, id)).get();
  if (!i) throw notFound("Instruction", id);
  const taskPage = listTasks(ctx, { instructionId: id, limit: 200 });
  const edges = ctx.db
    .select({ taskId: taskDependencies.taskId, dependsOnTaskId: taskDependencies.dependsOnTaskId })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.taskId))
    .where(eq(tasks.instructionId, id))
    .all();
  const ordered: (TaskListItem & { dependsOn: string[] })[] = orderByDependencies(taskPage.items, edges).map((t) => ({
    ...t,
    dependsOn: edges.filter((e) => e.taskId === t.id).map((e) => e.dependsOnTaskId),
  }));
  const outs = ctx.db
    .select({ o: outputs, title: tasks.title })
    .from(outputs)
    .innerJoin(tasks, eq(tasks.id, outputs.taskId))
    .where(eq(tasks.instructionId, id))
    .orderBy(desc(outputs.createdAt))
    .limit(100)
    .all();
  const msgs = ctx.db.select().from(messages).where(eq(messages.instructionId, id)).orderBy(asc(messages.createdAt)).limit(200).all();
  return {
    ...instructionDto(i),
    notes: instructionNotes(i),
    tasks: ordered,
    moreTasks: taskPage.nextCursor !== null,
    outputs: outs.map((r) => ({ ...outputDto(r.o, { withContent: false }), taskTitle: r.title })),
    messages: msgs.map(messageDto),
  };
}
export type InstructionDetail = ReturnType<typeof getInstruction>;
