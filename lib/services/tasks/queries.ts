import "server-only";
import { and, asc, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { pastRounds } from "../steps/rounds";
import { stepsNote } from "./task-steps";
import type { TaskStepRoundRow } from "@/db/schema";
import { taskUsage } from "../runs/usage";
import { reviewsOf } from "../outputs/reviews-of";
import { agents, instructions, messages, outputs, taskDependencies, taskSteps, tasks, taskStatuses, type TaskStatus } from "@/db/schema";
import { boardTaskStatuses, type Priority } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { nowOf } from "../context";
import { afterCursor, clampLimit, pageOf, type Page } from "../cursor";
import { messageDto, outputDto, progressOf, reviewDto, stepDto, taskDto, type StepProgress, type TaskDto } from "../dto";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";
import { canSeeMessage } from "../messages/send-message";

export interface ListTasksQuery {
  status?: TaskStatus;
  agent?: string;
  instructionId?: string;
  priority?: Priority;
  cursor?: string | null;
  limit?: number;
}

export type TaskListItem = TaskDto & { progress: StepProgress };

function withProgress(ctx: ServiceContext, rows: (typeof tasks.$inferSelect)[]): TaskListItem[] {
  if (rows.length === 0) return [];
  // Progress is aggregated in SQL: one row per task instead of one per step (a board column of 50
  // tasks read and mapped 500 step rows).
  const d = dialect(ctx.db);
  const agg = ctx.db
    .select({
      taskId: taskSteps.taskId,
      total: sql<number>`count(*)`,
      done: d.countIf(sql`${taskSteps.status} = 'done'`),
      skipped: d.countIf(sql`${taskSteps.status} = 'skipped'`),
      current: sql<number | null>`min(CASE WHEN ${taskSteps.status} IN ('in_progress', 'blocked') THEN ${taskSteps.position} END)`,
    })
    .from(taskSteps)
    .where(
      inArray(
        taskSteps.taskId,
        rows.map((r) => r.id),
      ),
    )
    .groupBy(taskSteps.taskId)
    .all();
  const byTask = new Map(agg.map((a) => [a.taskId, a]));
  const now = nowOf(ctx);
  const none: StepProgress = { total: 0, done: 0, skipped: 0, current: null };
  return rows.map((r) => {
    const a = byTask.get(r.id);
    return { ...taskDto(r, now), progress: a ? { total: a.total, done: a.done ?? 0, skipped: a.skipped ?? 0, current: a.current ?? null } : none };
  });
}

/**
 * A page of tasks, most recently changed first. An agent sees only its own. Every filter combination
 * walks an index: (status, updated_at), (assigned_agent, status, ...), (instruction_id, ...).
 */
export function listTasks(ctx: ServiceContext, q: ListTasksQuery = {}): Page<TaskListItem> {
  const limit = clampLimit(q.limit);
  const where: SQL[] = [];
  const agent = ctx.actor.kind === "agent" ? ctx.actor.name : q.agent;
  if (agent) where.push(eq(tasks.assignedAgent, agent));
  if (q.status) where.push(eq(tasks.status, q.status));
  if (q.instructionId) where.push(eq(tasks.instructionId, q.instructionId));
  if (q.priority) where.push(eq(tasks.priority, q.priority));
  const after = afterCursor(q.cursor, tasks.updatedAt, tasks.id, "desc");
  if (after) where.push(after);
  const rows = ctx.db
    .select()
    .from(tasks)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(tasks.updatedAt), desc(tasks.id))
    .limit(limit + 1)
    .all();
  const { page, nextCursor } = pageOf(rows, limit, (r) => [r.updatedAt, r.id]);
  return { items: withProgress(ctx, page), nextCursor };
}

/**
 * A task as a card on the board or in a list: what the card shows and what moving it needs. The
 * board page sends these instead of whole tasks (descriptions, criteria, file lists): 250 cards were
 * half of its HTML (docs/benchmarks.md).
 */
export function taskCard(t: TaskListItem) {
  return {
    id: t.id,
    ref: t.ref,
    instructionId: t.instructionId,
    title: t.title,
    assignedAgent: t.assignedAgent,
    status: t.status,
    priority: t.priority,
    blockedReason: t.blockedReason,
    lease: t.lease,
    progress: t.progress,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}
export type TaskCardData = ReturnType<typeof taskCard>;

/** Board: one page per column, counted, so a column with 100,000 cards renders its first page only. */
export function taskBoard(ctx: ServiceContext, q: Omit<ListTasksQuery, "status" | "cursor"> & { perColumn?: number } = {}) {
  const columns = boardTaskStatuses;
  const counts = taskCounts(ctx, q);
  return columns.map((status) => {
    const page = listTasks(ctx, { ...q, status, limit: q.perColumn ?? 50 });
    return { status, count: counts[status], ...page };
  });
}

export function taskCounts(ctx: ServiceContext, q: Omit<ListTasksQuery, "status" | "cursor"> = {}): Record<TaskStatus, number> {
  const where: SQL[] = [];
  const agent = ctx.actor.kind === "agent" ? ctx.actor.name : q.agent;
  if (agent) where.push(eq(tasks.assignedAgent, agent));
  if (q.instructionId) where.push(eq(tasks.instructionId, q.instructionId));
  if (q.priority) where.push(eq(tasks.priority, q.priority));
  const out = Object.fromEntries(taskStatuses.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const s of taskStatuses) {
    const r = ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(tasks)
      .where(and(eq(tasks.status, s), ...where))
      .get();
    out[s] = r?.n ?? 0;
  }
  return out;
}

/** One task with everything its page and an agent need: steps, criteria, dependencies, instruction, outputs, messages. */
export function getTask(ctx: ServiceContext, taskId: string) {
  const t = ctx.db.select().from(tasks).where(eq(tasks.id, taskId)).get();
  if (!t) throw notFound("Task", taskId);
  requireTaskAccess(ctx.actor, t, false);
  const now = nowOf(ctx);
  const steps = ctx.db.select().from(taskSteps).where(eq(taskSteps.taskId, t.id)).orderBy(asc(taskSteps.position)).all();
  const deps = ctx.db
    .select({ id: tasks.id, ref: tasks.ref, title: tasks.title, status: tasks.status, assignedAgent: tasks.assignedAgent })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.dependsOnTaskId))
    .where(eq(taskDependencies.taskId, t.id))
    .all();
  const dependents = ctx.db
    .select({ id: tasks.id, ref: tasks.ref, title: tasks.title, status: tasks.status })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.taskId))
    .where(eq(taskDependencies.dependsOnTaskId, t.id))
    .all();
  const inst = ctx.db
    .select({ id: instructions.id, title: instructions.title, phase: instructions.phase, tier: instructions.tier, priority: instructions.priority, body: instructions.body })
    .from(instructions)
    .where(eq(instructions.id, t.instructionId))
    .get();
  const outs = ctx.db.select().from(outputs).where(eq(outputs.taskId, t.id)).orderBy(asc(outputs.version)).all();
  const msgs = ctx.db
    .select()
    .from(messages)
    .where(eq(messages.taskId, t.id))
    .orderBy(asc(messages.createdAt))
    .limit(500)
    .all()
    .filter((m) => canSeeMessage(ctx.actor, m));
  const revs = reviewsOf(
    ctx,
    outs.map((o) => o.id),
  );
  return {
    ...taskDto(t, now),
    progress: progressOf(steps),
    steps: steps.map((s) => ({
      ...stepDto(s),
      messageIds: msgs.filter((m) => m.stepPosition === s.position).map((m) => m.id),
      outputIds: outs.filter((o) => o.stepPosition === s.position).map((o) => o.id),
    })),
    dependsOn: deps,
    dependents,
    instruction: inst ?? null,
    outputs: outs.map((o) => outputDto(o, { withContent: false })),
    messages: msgs.map(messageDto),
    reviews: revs.map(reviewDto),
    rounds: roundsOf(ctx, t.id),
    /** Why the task has no steps, in words (null when it has some). */
    stepsNote: stepsNote(
      t,
      steps.length,
      steps.length ? null : ctx.db.select({ active: agents.active, steps: agents.steps, stepsSource: agents.stepsSource }).from(agents).where(eq(agents.name, t.assignedAgent)).get(),
    ),
    usage: taskUsage(ctx, t.id),
    ...taskTree(ctx, t),
  };
}

/**
 * The task's place in a hierarchy: its parent (a strategic task) and its children (tactical tasks),
 * each with status and step progress. An agent sees only the ones assigned to it, as everywhere.
 */
function taskTree(ctx: ServiceContext, t: typeof tasks.$inferSelect) {
  const visible = (x: { assignedAgent: string }) => ctx.actor.kind !== "agent" || x.assignedAgent === ctx.actor.name;
  const parent = t.parentTaskId
    ? ctx.db.select({ id: tasks.id, ref: tasks.ref, title: tasks.title, status: tasks.status, assignedAgent: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, t.parentTaskId)).get()
    : undefined;
  // (parent_task_id, ref) index: a strategic task's children in ref order (TT2.1, TT2.2...).
  const kids = ctx.db.select().from(tasks).where(eq(tasks.parentTaskId, t.id)).orderBy(asc(tasks.ref)).limit(500).all().filter(visible);
  return {
    parentTask: parent && visible(parent) ? parent : null,
    children: withProgress(ctx, kids).map((c) => ({ id: c.id, ref: c.ref, title: c.title, status: c.status, assignedAgent: c.assignedAgent, progress: c.progress })),
  };
}

/** The earlier review rounds' steps (the current round is `steps`), oldest round first. */
function roundsOf(ctx: ServiceContext, taskId: string) {
  const out: { round: number; steps: { position: number; title: string; status: TaskStepRoundRow["status"]; note: string | null; startedAt: string | null; endedAt: string | null }[] }[] = [];
  for (const s of pastRounds(ctx.db, taskId)) {
    let r = out.at(-1);
    if (!r || r.round !== s.round) out.push((r = { round: s.round, steps: [] }));
    r.steps.push({ position: s.position, title: s.title, status: s.status, note: s.note, startedAt: isoOrNull(s.startedAt), endedAt: isoOrNull(s.endedAt) });
  }
  return out;
}
const isoOrNull = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());
export type TaskDetail = ReturnType<typeof getTask>;

/** The agent a task is assigned to (the live stream's visibility filter), or null. */
/** Title and ref of the tasks the actor may see among `ids` (a thread's links to its tasks); unknown or hidden ones are left out. */
export function taskTitles(ctx: ServiceContext, ids: string[]): Record<string, { title: string; ref: string }> {
  const out: Record<string, { title: string; ref: string }> = {};
  if (!ids.length) return out;
  const rows = ctx.db.select({ id: tasks.id, title: tasks.title, ref: tasks.ref, assignedAgent: tasks.assignedAgent }).from(tasks).where(inArray(tasks.id, ids)).all();
  for (const r of rows) {
    if (ctx.actor.kind === "agent" && ctx.actor.name !== r.assignedAgent) continue;
    out[r.id] = { title: r.title, ref: r.ref };
  }
  return out;
}

export function taskOwner(ctx: Pick<ServiceContext, "db">, taskId: string): string | null {
  return ctx.db.select({ a: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, taskId)).get()?.a ?? null;
}
