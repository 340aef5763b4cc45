import "server-only";
import { asc, desc, eq } from "drizzle-orm";
import { outputs, runs, taskStepRounds, taskSteps, tasks, type RunStatus, type StepStatus } from "@/db/schema";
import type { ServiceContext } from "../context";
import { nowOf } from "../context";
import { notFound } from "../errors";
import { requireTaskAccess } from "../policy";
import { reviewsOf } from "../outputs/reviews-of";
import { lastEventId } from "../events-queries";

/** The newest runs of a task the timeline draws (a task retried more often than that shows its latest). */
export const TIMELINE_RUNS = 100;

export type TimelineStep = {
  round: number;
  position: number;
  title: string;
  status: StepStatus;
  startedAt: number | null;
  endedAt: number | null;
  /** Time between the end of what came before in its round (the step that ended last before it started, or the round's start) and its start. */
  waitMs: number | null;
};
export type TimelineRun = { id: string; status: RunStatus; round: number | null; queuedAt: number; startedAt: number | null; endedAt: number | null };
export type TimelineOutput = { id: string; version: number; handedInAt: number; status: string; decidedAt: number | null; decision: string | null };

const open = (status: string) => status !== "completed" && status !== "cancelled";

/**
 * What happened on a task, on one time axis: every round's steps (task_steps for the current round,
 * task_step_rounds for the earlier ones) with when each started and ended and the wait before it,
 * the runs (queued, started, ended, status), the outputs handed in and their review decisions. Each
 * part by the task's own keys; an agent reads only its own task.
 */
export function taskTimeline(ctx: ServiceContext, taskId: string) {
  // The last event before anything is read: a client that received events after it knows this drawing may not include them.
  const drawnAt = lastEventId(ctx);
  const t = ctx.db
    .select({ id: tasks.id, assignedAgent: tasks.assignedAgent, status: tasks.status, round: tasks.round, createdAt: tasks.createdAt, claimedAt: tasks.claimedAt, completedAt: tasks.completedAt })
    .from(tasks)
    .where(eq(tasks.id, taskId))
    .get();
  if (!t) throw notFound("Task", taskId);
  requireTaskAccess(ctx.actor, t, false);
  const now = nowOf(ctx);

  const current = ctx.db.select().from(taskSteps).where(eq(taskSteps.taskId, t.id)).orderBy(asc(taskSteps.position)).all();
  const past = ctx.db.select().from(taskStepRounds).where(eq(taskStepRounds.taskId, t.id)).orderBy(asc(taskStepRounds.round), asc(taskStepRounds.position)).all();
  const runRows = ctx.db
    .select({ id: runs.id, status: runs.status, round: runs.round, queuedAt: runs.createdAt, startedAt: runs.startedAt, endedAt: runs.endedAt })
    .from(runs)
    .where(eq(runs.taskId, t.id))
    .orderBy(desc(runs.createdAt))
    .limit(TIMELINE_RUNS)
    .all()
    .reverse();
  const outs = ctx.db
    .select({ id: outputs.id, version: outputs.version, handedInAt: outputs.createdAt, status: outputs.status })
    .from(outputs)
    .where(eq(outputs.taskId, t.id))
    .orderBy(asc(outputs.version))
    .all();
  const decisionOf = new Map<string, { decision: string; at: number }>();
  for (const r of reviewsOf(
    ctx,
    outs.map((o) => o.id),
  ))
    if (!decisionOf.has(r.outputId)) decisionOf.set(r.outputId, { decision: r.decision, at: r.createdAt });
  const outputsOut: TimelineOutput[] = outs.map((o) => ({ ...o, decidedAt: decisionOf.get(o.id)?.at ?? null, decision: decisionOf.get(o.id)?.decision ?? null }));

  // A round after the first begins when a reviewer requests changes; the current first round, when the task was claimed.
  const changeRequests = outputsOut.filter((o) => o.decision === "changes_requested" && o.decidedAt != null).map((o) => o.decidedAt!);
  const roundStart = (round: number): number | null => (round === 1 ? (t.round === 1 ? t.claimedAt : null) : (changeRequests[round - 2] ?? null));

  const rows = [
    ...past.map((s) => ({ round: s.round, position: s.position, title: s.title, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt })),
    ...current.map((s) => ({ round: t.round, position: s.position, title: s.title, status: s.status, startedAt: s.startedAt, endedAt: s.endedAt })),
  ];
  const steps: TimelineStep[] = rows.map((s) => {
    if (s.startedAt == null) return { ...s, waitMs: null };
    // The last end in the same round at or before this start, else the round's start.
    let before: number | null = null;
    for (const o of rows) if (o.round === s.round && o !== s && o.endedAt != null && o.endedAt <= s.startedAt && (before == null || o.endedAt > before)) before = o.endedAt;
    before ??= roundStart(s.round);
    return { ...s, waitMs: before != null && before <= s.startedAt ? s.startedAt - before : null };
  });

  const times: number[] = [];
  for (const s of steps) for (const x of [s.startedAt, s.endedAt]) if (x != null) times.push(x);
  for (const r of runRows) for (const x of [r.queuedAt, r.startedAt, r.endedAt]) if (x != null) times.push(x);
  for (const o of outputsOut) for (const x of [o.handedInAt, o.decidedAt]) if (x != null) times.push(x);
  if (t.claimedAt != null) times.push(t.claimedAt);
  const isOpen = open(t.status);
  if (!isOpen && t.completedAt != null) times.push(t.completedAt);
  const start = times.length ? Math.min(...times) : null;
  const end = start == null ? null : Math.max(isOpen ? now : start, ...times);

  return {
    drawnAt,
    taskId: t.id,
    status: t.status,
    round: t.round,
    open: isOpen,
    now,
    createdAt: t.createdAt,
    claimedAt: t.claimedAt,
    completedAt: t.completedAt,
    /** The axis: the first and last thing that happened (now, for a task still open); null when nothing has. */
    start,
    end,
    steps,
    runs: runRows,
    outputs: outputsOut,
  };
}
export type TaskTimeline = ReturnType<typeof taskTimeline>;
