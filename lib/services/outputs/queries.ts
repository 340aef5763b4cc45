import "server-only";
import { and, asc, desc, eq, gt, inArray, notExists, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { outputs, reviews, tasks } from "@/db/schema";
import type { ReviewDecision } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { afterCursor, clampLimit, pageOf, type Page } from "../cursor";
import { outputDto, reviewDto, type OutputDto } from "../dto";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";
import { taskManifest } from "./manifest";

export type ReviewQueueItem = Omit<OutputDto, "content"> & {
  task: { id: string; ref: string; title: string; status: string; assignedAgent: string; instructionId: string; priority: string };
  versions: number;
};

const newer = alias(outputs, "newer");

/**
 * What a person can decide on now (docs/task-rules.md rule 1): a version waiting for review, of a
 * task in review (its agent has completed it), and the task's latest version. A version handed in
 * while the task is still in progress, blocked or pending, or of a cancelled task, waits for nobody.
 * Conditions on `outputs` joined with `tasks`.
 */
function awaitingDecision(ctx: ServiceContext): SQL[] {
  return [
    eq(outputs.status, "pending_review"),
    eq(tasks.status, "in_review"),
    notExists(
      ctx.db
        .select({ one: sql`1` })
        .from(newer)
        .where(and(eq(newer.taskId, outputs.taskId), gt(newer.version, outputs.version))),
    ),
  ];
}

/**
 * The review queue, oldest first (the (status, created_at, id) index): by default the versions a
 * person can decide on now (`awaitingDecision`); with a decision's status, the versions so decided.
 */
export function listReviewQueue(ctx: ServiceContext, q: { status?: "pending_review" | ReviewDecision; cursor?: string | null; limit?: number } = {}): Page<ReviewQueueItem> & { total: number } {
  const status = q.status ?? "pending_review";
  const limit = clampLimit(q.limit);
  // Waiting for review: only what can be decided now. Decided versions: all of them.
  const of = (): SQL[] => {
    const w = status === "pending_review" ? awaitingDecision(ctx) : [eq(outputs.status, status)];
    // Counted and listed over what the caller may see: an agent's are of its own tasks only.
    if (ctx.actor.kind === "agent") w.push(eq(tasks.assignedAgent, ctx.actor.name));
    return w;
  };
  const where = of();
  const after = afterCursor(q.cursor, outputs.createdAt, outputs.id, "asc");
  if (after) where.push(after);
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
  const total =
    status === "pending_review"
      ? countAwaitingReview(ctx)
      : (ctx.db
          .select({ n: sql<number>`count(*)` })
          .from(outputs)
          .innerJoin(tasks, eq(tasks.id, outputs.taskId))
          .where(and(...of()))
          .get()?.n ?? 0);
  return {
    total,
    items: page.map(({ o, t }) => ({ ...(outputDto(o, { withContent: false }) as Omit<OutputDto, "content">), task: t, versions: o.version })),
    nextCursor,
  };
}

/**
 * How many versions wait for a person's decision: the review queue's total (the overview's and the
 * sidebar's count). The number of versions `awaitingDecision` lists, counted from the other side: each task in review
 * (the tasks (status) index, or (assigned_agent, status) for an agent) whose latest version (the
 * (task_id, version) index) waits for review. Counting from outputs walked every version waiting for
 * review, of tasks in any status: 297 ms on the large benchmark dataset (15,618 such versions,
 * 3,129 decidable) against 8 ms this way, and the layout counts it on every dashboard page.
 */
export function countAwaitingReview(ctx: ServiceContext): number {
  const latestStatus = sql`(SELECT ${outputs.status} FROM ${outputs} WHERE ${outputs.taskId} = ${tasks.id} ORDER BY ${outputs.version} DESC LIMIT 1)`;
  const where: SQL[] = [eq(tasks.status, "in_review"), sql`${latestStatus} = 'pending_review'`];
  if (ctx.actor.kind === "agent") where.push(eq(tasks.assignedAgent, ctx.actor.name));
  return (
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(tasks)
      .where(and(...where))
      .get()?.n ?? 0
  );
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
    acceptanceCriteria: t.acceptanceCriteria,
    /** The task's completion manifest (folder protocol) as a checklist against its acceptance criteria, or null. */
    manifest: taskManifest(ctx, t),
  };
}
export type OutputDetail = ReturnType<typeof getOutput>;
