import "server-only";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { outputs, reviews, tasks } from "@/db/schema";
import type { ReviewDecision } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { afterCursor, clampLimit, pageOf, type Page } from "../cursor";
import { outputDto, reviewDto, type OutputDto } from "../dto";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";

export type ReviewQueueItem = Omit<OutputDto, "content"> & {
  task: { id: string; ref: string; title: string; status: string; assignedAgent: string; instructionId: string; priority: string };
  versions: number;
};

/** The review queue: outputs awaiting a person, oldest first (the (status, created_at, id) index). */
export function listReviewQueue(ctx: ServiceContext, q: { status?: "pending_review" | ReviewDecision; cursor?: string | null; limit?: number } = {}): Page<ReviewQueueItem> & { total: number } {
  const status = q.status ?? "pending_review";
  const limit = clampLimit(q.limit);
  const where = [eq(outputs.status, status)];
  const after = afterCursor(q.cursor, outputs.createdAt, outputs.id, "asc");
  if (after) where.push(after);
  if (ctx.actor.kind === "agent") where.push(eq(tasks.assignedAgent, ctx.actor.name));
  const rows = ctx.db
    .select({
      o: outputs,
      t: { id: tasks.id, ref: tasks.ref, title: tasks.title, status: tasks.status, assignedAgent: tasks.assignedAgent, instructionId: tasks.instructionId, priority: tasks.priority },
    })
    .from(outputs)
    .innerJoin(tasks, eq(tasks.id, outputs.taskId))
    .where(and(...where))
    .orderBy(asc(outputs.createdAt), asc(outputs.id))
    .limit(limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, limit, (r) => [r.o.createdAt, r.o.id]);
  // Counted over what the caller may see: an agent's total is of its own tasks' outputs only.
  const total =
    ctx.actor.kind === "agent"
      ? (ctx.db
          .select({ n: sql<number>`count(*)` })
          .from(outputs)
          .innerJoin(tasks, eq(tasks.id, outputs.taskId))
          .where(and(eq(outputs.status, status), eq(tasks.assignedAgent, ctx.actor.name)))
          .get()?.n ?? 0)
      : (ctx.db
          .select({ n: sql<number>`count(*)` })
          .from(outputs)
          .where(eq(outputs.status, status))
          .get()?.n ?? 0);
  return {
    total,
    items: page.map(({ o, t }) => ({ ...(outputDto(o, { withContent: false }) as Omit<OutputDto, "content">), task: t, versions: o.version })),
    nextCursor,
  };
}

/** One output with every version of its task (for the version picker and diff) and its reviews. */
export function getOutput(ctx: ServiceContext, outputId: string) {
  const o = ctx.db.select().from(outputs).where(eq(outputs.id, outputId)).get();
  if (!o) throw notFound("Output", outputId);
  const t = ctx.db.select().from(tasks).where(eq(tasks.id, o.taskId)).get()!;
  // Another agent's output is not found, worded as one that does not exist.
  if (ctx.actor.kind === "agent" && ctx.actor.name !== t.assignedAgent) throw notFound("Output", outputId);
  requireTaskAccess(ctx.actor, t, false);
  const versions = ctx.db.select().from(outputs).where(eq(outputs.taskId, o.taskId)).orderBy(asc(outputs.version)).all();
  const revs = ctx.db
    .select()
    .from(reviews)
    .where(
      inArray(
        reviews.outputId,
        versions.map((v) => v.id),
      ),
    )
    .orderBy(desc(reviews.createdAt))
    .all();
  return {
    output: outputDto(o),
    task: { id: t.id, ref: t.ref, title: t.title, status: t.status, assignedAgent: t.assignedAgent, instructionId: t.instructionId, authority: t.authority, priority: t.priority },
    versions: versions.map((v) => outputDto(v)),
    reviews: revs.map(reviewDto),
  };
}
export type OutputDetail = ReturnType<typeof getOutput>;
