import "server-only";
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, sql, type SQL } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { agents, messages, outputs, runLog, runs, taskDependencies, tasks, type RunRow } from "@/db/schema";
import { messageDto } from "../dto";
import type { ServiceContext } from "../context";
import { clampLimit } from "../cursor";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";
import { getTask } from "../tasks/queries";
import { systemActor } from "@/lib/auth/actor";
import { requireUsageReader } from "./usage";
import { ACTIVE_RUN_STATUSES, runDto, runLogLineDto, type RunDto, type RunLogLineDto } from "./shared";

function readableTask(ctx: ServiceContext, taskId: string) {
  const t = ctx.db.select({ id: tasks.id, assignedAgent: tasks.assignedAgent }).from(tasks).where(eq(tasks.id, taskId)).get();
  if (!t) throw notFound("Task", taskId);
  requireTaskAccess(ctx.actor, t, false);
  return t;
}

/**
 * A run is readable where its task is; a run without a task (an agent answering messages) by
 * people and by that agent only. Anything else is "not found", as for a task out of reach.
 */
function readableRun(ctx: ServiceContext, run: { id: string; taskId: string | null; agentName: string }) {
  try {
    if (run.taskId) readableTask(ctx, run.taskId);
    else if (ctx.actor.kind === "agent" && ctx.actor.name !== run.agentName) throw notFound("Run", run.id);
  } catch {
    throw notFound("Run", run.id);
  }
}

/** Every queued run id, in the order they will be considered (FIFO). */
function queueOrder(ctx: Pick<ServiceContext, "db">): Map<string, number> {
  const ids = ctx.db.select({ id: runs.id }).from(runs).where(eq(runs.status, "queued")).orderBy(asc(runs.createdAt), asc(runs.id)).all();
  return new Map(ids.map((r, i) => [r.id, i + 1]));
}

function withPositions(ctx: ServiceContext, rows: RunRow[]): RunDto[] {
  const order = rows.some((r) => r.status === "queued") ? queueOrder(ctx) : new Map<string, number>();
  return rows.map((r) => runDto(r, { queuePosition: order.get(r.id) ?? null }));
}

/** The runs of a task, newest first, queued ones with their place in the queue. */
export function listRuns(ctx: ServiceContext, q: { taskId: string; limit?: number }): { items: RunDto[] } {
  readableTask(ctx, q.taskId);
  const rows = ctx.db
    .select()
    .from(runs)
    .where(eq(runs.taskId, q.taskId))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(clampLimit(q.limit, 20, 100))
    .all();
  return { items: withPositions(ctx, rows) };
}

export function getRun(ctx: ServiceContext, runId: string): RunDto {
  const r = ctx.db.select().from(runs).where(eq(runs.id, runId)).get();
  if (!r) throw notFound("Run", runId);
  readableRun(ctx, r);
  return withPositions(ctx, [r])[0];
}

export interface RunLogQuery {
  /** Lines after this seq, oldest first (following a live log). */
  after?: number;
  /** Lines before this seq, the newest of them (scrolling back). */
  before?: number;
  /** Only lines containing this text (case-insensitive for ASCII). */
  q?: string;
  limit?: number;
}

export interface RunLogPage {
  runId: string;
  status: RunDto["status"];
  items: RunLogLineDto[];
  /** The highest seq stored for the run (follow from here). */
  lastSeq: number;
  /** More lines exist after the last one returned (page again with after = its seq). */
  hasMore: boolean;
  /** Lines exist before the first one returned. */
  hasEarlier: boolean;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A page of a run's log over the (run_id, seq) primary key. With `after`: the lines that follow it,
 * oldest first. Without: the tail (the newest lines, before `before` if given), returned oldest
 * first. `q` narrows to matching lines in either mode.
 */
export function getRunLog(ctx: ServiceContext, runId: string, query: RunLogQuery = {}): RunLogPage {
  const run = ctx.db.select({ id: runs.id, taskId: runs.taskId, agentName: runs.agentName, status: runs.status, logLines: runs.logLines }).from(runs).where(eq(runs.id, runId)).get();
  if (!run) throw notFound("Run", runId);
  readableRun(ctx, run);
  const limit = clampLimit(query.limit, 500, 2000);
  const where: SQL[] = [eq(runLog.runId, run.id)];
  const needle = query.q?.trim();
  if (needle) where.push(dialect(ctx.db).ilike(runLog.text, `%${likeEscape(needle)}%`));
  let rows;
  let hasMore = false;
  let hasEarlier = false;
  if (query.after !== undefined) {
    rows = ctx.db
      .select()
      .from(runLog)
      .where(and(...where, gt(runLog.seq, query.after)))
      .orderBy(asc(runLog.seq))
      .limit(limit + 1)
      .all();
    hasMore = rows.length > limit;
    rows = rows.slice(0, limit);
    hasEarlier = query.after > 0;
  } else {
    if (query.before !== undefined) where.push(lt(runLog.seq, query.before));
    rows = ctx.db
      .select()
      .from(runLog)
      .where(and(...where))
      .orderBy(desc(runLog.seq))
      .limit(limit + 1)
      .all();
    hasEarlier = rows.length > limit;
    rows = rows.slice(0, limit).reverse();
  }
  return { runId: run.id, status: run.status, items: rows.map(runLogLineDto), lastSeq: run.logLines, hasMore, hasEarlier };
}

/** An agent's runs, newest first (with the runs without a task it did to answer messages): people, and the agent itself. */
export function listAgentRuns(ctx: ServiceContext, q: { agent: string; limit?: number }): { items: RunDto[] } {
  requireUsageReader(ctx.actor, q.agent);
  const rows = ctx.db
    .select()
    .from(runs)
    .where(eq(runs.agentName, q.agent))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(clampLimit(q.limit, 20, 100))
    .all();
  return { items: withPositions(ctx, rows) };
}

/* ---------- for the run supervisor (system) ---------- */

/**
 * The session a new run of this task should continue: the newest earlier run of the same agent and
 * preset on the task that reported one (claude-code's session_id), with that run's id.
 */
export function lastSessionOf(ctx: Pick<ServiceContext, "db">, taskId: string, agent: string, preset: string): { runId: string; sessionId: string } | null {
  const r = ctx.db
    .select({ runId: runs.id, sessionId: runs.sessionId })
    .from(runs)
    .where(and(eq(runs.taskId, taskId), eq(runs.agentName, agent), eq(runs.preset, preset), isNotNull(runs.sessionId)))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(1)
    .get();
  return r?.sessionId ? { runId: r.runId, sessionId: r.sessionId } : null;
}

/** The run before this one on the same task (any agent): the command preset gets its id. */
export function previousRunOf(ctx: Pick<ServiceContext, "db">, run: Pick<RunRow, "id" | "taskId" | "agentName" | "createdAt">): string | null {
  const where = run.taskId ? eq(runs.taskId, run.taskId) : and(isNull(runs.taskId), eq(runs.agentName, run.agentName));
  const r = ctx.db
    .select({ id: runs.id })
    .from(runs)
    .where(and(where, sql`(${runs.createdAt}, ${runs.id}) < (${run.createdAt}, ${run.id})`))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(1)
    .get();
  return r?.id ?? null;
}

/** The agent a run is for: its definition body (system prompt) and model. */
export function runAgent(ctx: Pick<ServiceContext, "db">, agent: string): { body: string; model: string | null } | null {
  return ctx.db.select({ body: agents.body, model: agents.model }).from(agents).where(eq(agents.name, agent)).get() ?? null;
}

/** The messages named by a run's wakes (a run without a task answers them), oldest first. */
export function wakeMessages(ctx: Pick<ServiceContext, "db">, wakes: { messageId: string | null }[]) {
  const ids = [...new Set(wakes.map((w) => w.messageId).filter((id): id is string => !!id))];
  if (!ids.length) return [];
  return ctx.db.select().from(messages).where(inArray(messages.id, ids)).orderBy(asc(messages.createdAt)).all().map(messageDto);
}

/** The stored lines of a run, oldest first (the supervisor reads a finished run's stream for its session and usage). */
export function runLogLines(ctx: Pick<ServiceContext, "db">, runId: string, stream: "stdout" | "stderr" = "stdout"): { seq: number; stream: string; text: string; at: number }[] {
  return ctx.db
    .select({ seq: runLog.seq, stream: runLog.stream, text: runLog.text, at: runLog.at })
    .from(runLog)
    .where(and(eq(runLog.runId, runId), eq(runLog.stream, stream)))
    .orderBy(asc(runLog.seq))
    .all();
}

/** Queued runs, FIFO. */
export function queuedRuns(ctx: Pick<ServiceContext, "db">, limit = 500): RunRow[] {
  return ctx.db.select().from(runs).where(eq(runs.status, "queued")).orderBy(asc(runs.createdAt), asc(runs.id)).limit(limit).all();
}

export function runningRuns(ctx: Pick<ServiceContext, "db">): RunRow[] {
  return ctx.db.select().from(runs).where(eq(runs.status, "running")).all();
}

/** Queued or running runs of a task. */
export function activeRunsOfTask(ctx: Pick<ServiceContext, "db">, taskId: string): RunRow[] {
  return ctx.db
    .select()
    .from(runs)
    .where(and(eq(runs.taskId, taskId), inArray(runs.status, [...ACTIVE_RUN_STATUSES])))
    .all();
}

/** Queued or running runs of an agent without a task (answering messages). */
export function listAgentRunsActive(ctx: Pick<ServiceContext, "db">, agent: string): RunRow[] {
  return ctx.db
    .select()
    .from(runs)
    .where(and(eq(runs.agentName, agent), isNull(runs.taskId), inArray(runs.status, [...ACTIVE_RUN_STATUSES])))
    .all();
}

export function runRow(ctx: Pick<ServiceContext, "db">, runId: string): RunRow | null {
  return ctx.db.select().from(runs).where(eq(runs.id, runId)).get() ?? null;
}

export interface DependencyOutput {
  id: string;
  ref: string;
  title: string;
  status: string;
  assignedAgent: string;
  output: { id: string; version: number; format: string; language: string | null; status: string; content: string; truncated: boolean; files: { path: string; action?: string }[] } | null;
}

/**
 * What a runner needs to write the prompt: the task in full, the agent's definition body, and for
 * each dependency its latest output (content cut to `maxOutputChars`).
 */
export function runPromptContext(ctx: Pick<ServiceContext, "db">, taskId: string, opts: { maxOutputChars?: number } = {}) {
  const max = opts.maxOutputChars ?? 8000;
  const task = getTask({ db: ctx.db, actor: systemActor("runner") }, taskId);
  const agent = ctx.db
    .select({ name: agents.name, title: agents.title, description: agents.description, body: agents.body, extra: agents.extra })
    .from(agents)
    .where(eq(agents.name, task.assignedAgent))
    .get();
  const deps = ctx.db
    .select({ id: tasks.id, ref: tasks.ref, title: tasks.title, status: tasks.status, assignedAgent: tasks.assignedAgent })
    .from(taskDependencies)
    .innerJoin(tasks, eq(tasks.id, taskDependencies.dependsOnTaskId))
    .where(eq(taskDependencies.taskId, taskId))
    .all();
  const dependencies: DependencyOutput[] = deps.map((d) => {
    const o = ctx.db.select().from(outputs).where(eq(outputs.taskId, d.id)).orderBy(desc(outputs.version)).limit(1).get();
    return {
      ...d,
      output: o
        ? {
            id: o.id,
            version: o.version,
            format: o.format,
            language: o.language,
            status: o.status,
            content: o.content.length > max ? o.content.slice(0, max) : o.content,
            truncated: o.content.length > max,
            files: o.files,
          }
        : null,
    };
  });
  return { task, agent: agent ?? null, dependencies };
}
export type RunPromptContext = ReturnType<typeof runPromptContext>;

/** An agent's `runner:` front matter (kept in `extra`), or undefined; null when there is no such agent. */
export function agentRunnerDefinition(ctx: Pick<ServiceContext, "db">, agent: string): { runner: unknown; active: boolean } | null {
  const row = ctx.db.select({ extra: agents.extra, active: agents.active }).from(agents).where(eq(agents.name, agent)).get();
  if (!row) return null;
  return { runner: (row.extra as Record<string, unknown> | null)?.runner, active: row.active };
}
