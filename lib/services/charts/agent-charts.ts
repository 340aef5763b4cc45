import "server-only";
import { and, desc, eq, gte, inArray, isNotNull, sql } from "drizzle-orm";
import { agents, taskStepRounds, taskSteps, tasks } from "@/db/schema";
import { dialect } from "@/db/engine";
import type { ServiceContext } from "../context";
import { nowOf } from "../context";
import { notFound } from "../errors";
import { lastEventId } from "../events-queries";
import { requireChartReader } from "./access";
import { dayWindow, median, quantile } from "./days";

/** How many of the agent's most recently changed tasks its step durations are taken from. */
export const STEP_SAMPLE_TASKS = 200;

export type ActivityDay = { day: string; stepsDone: number; tasksCompleted: number };
export type StepDuration = { position: number; title: string; samples: number; medianMs: number | null; p90Ms: number | null };

function agentSteps(ctx: Pick<ServiceContext, "db">, name: string) {
  const a = ctx.db.select({ name: agents.name, steps: agents.steps }).from(agents).where(eq(agents.name, name)).get();
  if (!a) throw notFound("Agent", name);
  return a.steps;
}

/**
 * What an agent did per UTC day over the last `days`: the steps of its tasks marked done that day
 * (this round's and earlier rounds') and the tasks of its completed that day. Both start from its
 * tasks changed since the first day, on the (assigned_agent, updated_at) index: reporting a step
 * touches its task, so a task's updated_at is never before one of its steps' ended_at or its
 * completed_at; the steps come by their (task_id, ...) keys.
 */
export function agentActivity(ctx: ServiceContext, name: string, q: { days?: number } = {}) {
  requireChartReader(ctx.actor, name);
  // The last event before anything is read: a client that received events after it knows this drawing may not include them.
  const drawnAt = lastEventId(ctx);
  agentSteps(ctx, name);
  const window = dayWindow(q.days ?? 28, nowOf(ctx));
  const recent = ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.assignedAgent, name), gte(tasks.updatedAt, window.since)));
  const d = dialect(ctx.db);
  const completedDay = d.utcDay(tasks.completedAt);
  const completed = ctx.db
    .select({ day: completedDay, n: sql<number>`count(*)` })
    .from(tasks)
    .where(and(eq(tasks.assignedAgent, name), gte(tasks.updatedAt, window.since), eq(tasks.status, "completed"), gte(tasks.completedAt, window.since)))
    .groupBy(completedDay)
    .all();
  const stepDay = d.utcDay(taskSteps.endedAt);
  const steps = ctx.db
    .select({ day: stepDay, n: sql<number>`count(*)` })
    .from(taskSteps)
    .where(and(inArray(taskSteps.taskId, recent), eq(taskSteps.status, "done"), gte(taskSteps.endedAt, window.since)))
    .groupBy(stepDay)
    .all();
  const pastDay = d.utcDay(taskStepRounds.endedAt);
  const pastSteps = ctx.db
    .select({ day: pastDay, n: sql<number>`count(*)` })
    .from(taskStepRounds)
    .where(and(inArray(taskStepRounds.taskId, recent), eq(taskStepRounds.status, "done"), gte(taskStepRounds.endedAt, window.since)))
    .groupBy(pastDay)
    .all();
  const stepsBy = new Map<string, number>();
  for (const r of [...steps, ...pastSteps]) stepsBy.set(r.day, (stepsBy.get(r.day) ?? 0) + r.n);
  const completedBy = new Map(completed.map((r) => [r.day, r.n]));
  const byDay: ActivityDay[] = window.days.map((d) => ({ day: d, stepsDone: stepsBy.get(d) ?? 0, tasksCompleted: completedBy.get(d) ?? 0 }));
  return {
    drawnAt,
    agent: name,
    days: window.days.length,
    byDay,
    stepsDone: byDay.reduce((n, d) => n + d.stepsDone, 0),
    tasksCompleted: byDay.reduce((n, d) => n + d.tasksCompleted, 0),
  };
}
export type AgentActivity = ReturnType<typeof agentActivity>;

/**
 * How long each step of the agent's Response Approach takes it: the median (and 90th percentile)
 * time from a step's start to its end, over the done steps (every round) of its STEP_SAMPLE_TASKS
 * most recently changed tasks, by position; titled by its definition's steps, then by the step
 * rows' own titles for positions the definition no longer has.
 */
export function agentStepDurations(ctx: ServiceContext, name: string) {
  requireChartReader(ctx.actor, name);
  const defined = agentSteps(ctx, name);
  const sample = ctx.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(eq(tasks.assignedAgent, name))
    .orderBy(desc(tasks.updatedAt))
    .limit(STEP_SAMPLE_TASKS)
    .all()
    .map((t) => t.id);
  if (sample.length === 0) return { agent: name, tasks: 0, steps: defined.map((d): StepDuration => ({ position: d.position, title: d.title, samples: 0, medianMs: null, p90Ms: null })), samples: 0 };
  const current = ctx.db
    .select({ position: taskSteps.position, title: taskSteps.title, startedAt: taskSteps.startedAt, endedAt: taskSteps.endedAt })
    .from(taskSteps)
    .where(and(inArray(taskSteps.taskId, sample), eq(taskSteps.status, "done"), isNotNull(taskSteps.startedAt), isNotNull(taskSteps.endedAt)))
    .all();
  const past = ctx.db
    .select({ position: taskStepRounds.position, title: taskStepRounds.title, startedAt: taskStepRounds.startedAt, endedAt: taskStepRounds.endedAt })
    .from(taskStepRounds)
    .where(and(inArray(taskStepRounds.taskId, sample), eq(taskStepRounds.status, "done"), isNotNull(taskStepRounds.startedAt), isNotNull(taskStepRounds.endedAt)))
    .all();
  const by = new Map<number, { title: string; ms: number[] }>();
  for (const s of defined) by.set(s.position, { title: s.title, ms: [] });
  for (const r of [...current, ...past]) {
    let b = by.get(r.position);
    if (!b) by.set(r.position, (b = { title: r.title, ms: [] }));
    b.ms.push(Math.max(0, r.endedAt! - r.startedAt!));
  }
  const steps: StepDuration[] = [...by.entries()]
    .sort(([a], [b]) => a - b)
    .map(([position, b]) => {
      const m = median(b.ms);
      return { position, title: b.title, samples: b.ms.length, medianMs: m, p90Ms: quantile(b.ms, 0.9) };
    });
  return { agent: name, tasks: sample.length, steps, samples: steps.reduce((n, s) => n + s.samples, 0) };
}
export type AgentStepDurations = ReturnType<typeof agentStepDurations>;
