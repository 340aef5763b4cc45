import "server-only";
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { outputs, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { nowOf } from "../context";
import { lastEventId } from "../events-queries";
import { requireChartReader } from "./access";
import { DAY_MS, dayWindow, median, utcDay } from "./days";

/** How many days before a chart's first day an output may have been handed in and still count when decided inside it. */
export const REVIEW_LOOKBACK_DAYS = 14;

export type CompletedDay = { day: string; completed: number };
export type ReviewDay = { day: string; decisions: number; approved: number; changesRequested: number; medianMs: number | null; longestMs: number | null };

/**
 * Tasks completed per UTC day over `days` (ending today): the completed tasks changed since the
 * first day, walked on the (status, updated_at) index (a task's updated_at is never before its
 * completed_at), counted by the day of completed_at.
 */
export function completedByDay(ctx: Pick<ServiceContext, "db">, window: { days: string[]; since: number }): CompletedDay[] {
  const day = dialect(ctx.db).utcDay(tasks.completedAt);
  const rows = ctx.db
    .select({ day, n: sql<number>`count(*)` })
    .from(tasks)
    .where(and(eq(tasks.status, "completed"), gte(tasks.updatedAt, window.since), gte(tasks.completedAt, window.since)))
    .groupBy(day)
    .all();
  const by = new Map(rows.map((r) => [r.day, r.n]));
  return window.days.map((d) => ({ day: d, completed: by.get(d) ?? 0 }));
}

/**
 * Time from an output's hand-in to its review decision, per UTC day of the decision: the decided
 * outputs (approved, changes requested) handed in since REVIEW_LOOKBACK_DAYS before the first day,
 * on the (status, created_at) index, each with its review's time from the (output_id, created_at)
 * index. A decision on an output handed in earlier than that is left out (the summary says so).
 */
export function reviewTurnaround(ctx: Pick<ServiceContext, "db">, window: { days: string[]; since: number }): { byDay: ReviewDay[]; decisions: number; medianMs: number | null } {
  // Written out: drizzle leaves the columns of a one-table select unqualified, and inside the subquery "id" would be the review's.
  const decidedAt = sql<number | null>`(SELECT min("r"."created_at") FROM "reviews" AS "r" WHERE "r"."output_id" = "outputs"."id")`;
  const rows = ctx.db
    .select({ handedIn: outputs.createdAt, status: outputs.status, decidedAt })
    .from(outputs)
    .where(and(inArray(outputs.status, ["approved", "changes_requested"]), gte(outputs.createdAt, window.since - REVIEW_LOOKBACK_DAYS * DAY_MS)))
    .all();
  const by = new Map<string, { waits: number[]; approved: number; changesRequested: number }>();
  const all: number[] = [];
  for (const r of rows) {
    if (r.decidedAt == null || r.decidedAt < window.since) continue;
    all.push(Math.max(0, r.decidedAt - r.handedIn));
    const d = utcDay(r.decidedAt);
    let b = by.get(d);
    if (!b) by.set(d, (b = { waits: [], approved: 0, changesRequested: 0 }));
    b.waits.push(Math.max(0, r.decidedAt - r.handedIn));
    if (r.status === "approved") b.approved++;
    else b.changesRequested++;
  }
  const byDay = window.days.map((d): ReviewDay => {
    const b = by.get(d);
    if (!b) return { day: d, decisions: 0, approved: 0, changesRequested: 0, medianMs: null, longestMs: null };
    const m = median(b.waits);
    return { day: d, decisions: b.waits.length, approved: b.approved, changesRequested: b.changesRequested, medianMs: m, longestMs: b.waits[b.waits.length - 1] };
  });
  return { byDay, decisions: all.length, medianMs: median(all) };
}

/**
 * The overview's pictures that are not in getOverview (tasks completed per day, review turnaround),
 * over the last `days` UTC days. The open work per agent is getOverview's agents' load; cost per day
 * is usageOverview's.
 */
export function overviewCharts(ctx: ServiceContext, q: { days?: number } = {}) {
  requireChartReader(ctx.actor, null);
  // The last event before anything is read: a client that received events after it knows this drawing may not include them.
  const drawnAt = lastEventId(ctx);
  const now = nowOf(ctx);
  const window = dayWindow(q.days ?? 14, now);
  const completed = completedByDay(ctx, window);
  const reviews = reviewTurnaround(ctx, window);
  return { drawnAt, now, days: window.days.length, completed, reviews, reviewLookbackDays: REVIEW_LOOKBACK_DAYS };
}
export type OverviewCharts = ReturnType<typeof overviewCharts>;
