import "server-only";
import { and, desc, eq, gte, sql } from "drizzle-orm";
import { runUsage } from "@/db/schema";
import type { ServiceContext } from "../context";
import type { Actor } from "@/lib/auth/actor";
import { ServiceError } from "../errors";

/** Tokens and cost summed (run_usage, filled when a run ends: finishRun). */
const sums = {
  inputTokens: sql<number>`coalesce(sum(${runUsage.inputTokens}), 0)`.mapWith(Number),
  outputTokens: sql<number>`coalesce(sum(${runUsage.outputTokens}), 0)`.mapWith(Number),
  cacheReadTokens: sql<number>`coalesce(sum(${runUsage.cacheReadTokens}), 0)`.mapWith(Number),
  cacheCreationTokens: sql<number>`coalesce(sum(${runUsage.cacheCreationTokens}), 0)`.mapWith(Number),
  costUsd: sql<number>`coalesce(sum(${runUsage.costUsd}), 0)`.mapWith(Number),
};
export type UsageTotals = { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; costUsd: number };

/** Usage is the people's view of what the agents cost: an agent reads only its own (agent null: everyone's). */
export function requireUsageReader(actor: Actor, agent: string | null): void {
  if (actor.kind !== "agent") return;
  if (agent === null) throw new ServiceError("forbidden", "Only people may read the usage of every agent");
  if (actor.name !== agent) throw new ServiceError("forbidden", `Agent ${actor.name} may not read the usage or runs of ${agent}`);
}

/** A task's tokens and cost: the total, and by round and step (position 0: no step was in progress). */
export function taskUsage(ctx: Pick<ServiceContext, "db">, taskId: string) {
  const byStep = ctx.db
    .select({ round: runUsage.round, position: runUsage.position, ...sums })
    .from(runUsage)
    .where(eq(runUsage.taskId, taskId))
    .groupBy(runUsage.round, runUsage.position)
    .orderBy(runUsage.round, runUsage.position)
    .all();
  const total = ctx.db.select(sums).from(runUsage).where(eq(runUsage.taskId, taskId)).get()!;
  return { ...total, byStep };
}

/** An agent's tokens and cost: the total and the last `days` days, day by day (UTC). */
export function agentUsage(ctx: Pick<ServiceContext, "db" | "actor">, agent: string, days = 14, now = Date.now()) {
  requireUsageReader(ctx.actor, agent);
  const since = new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const total = ctx.db.select(sums).from(runUsage).where(eq(runUsage.agentName, agent)).get()!;
  const byDay = ctx.db
    .select({ day: runUsage.day, ...sums })
    .from(runUsage)
    .where(and(eq(runUsage.agentName, agent), gte(runUsage.day, since)))
    .groupBy(runUsage.day)
    .orderBy(runUsage.day)
    .all();
  return { ...total, byDay };
}

/** Every agent's tokens and cost over the last `days` days: by day, and by agent (most expensive first). */
export function usageOverview(ctx: Pick<ServiceContext, "db" | "actor">, days = 14, now = Date.now()) {
  requireUsageReader(ctx.actor, null);
  const since = new Date(now - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const byDay = ctx.db
    .select({ day: runUsage.day, ...sums })
    .from(runUsage)
    .where(gte(runUsage.day, since))
    .groupBy(runUsage.day)
    .orderBy(runUsage.day)
    .all();
  const byAgent = ctx.db
    .select({ agent: runUsage.agentName, ...sums })
    .from(runUsage)
    .where(gte(runUsage.day, since))
    .groupBy(runUsage.agentName)
    .orderBy(desc(sums.costUsd))
    .all();
  const total = ctx.db.select(sums).from(runUsage).where(gte(runUsage.day, since)).get()!;
  return { since, ...total, byDay, byAgent };
}
