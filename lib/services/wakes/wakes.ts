import "server-only";
import { and, asc, count, eq, gte, inArray, isNull, sql } from "drizzle-orm";
import { runs, wakes, type WakeRow } from "@/db/schema";
import { dialect } from "@/db/engine";
import { newId } from "@/lib/ids";
import { wakeKinds, type WakeStatus } from "@/lib/domain/vocabulary";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { escalateToPeople } from "../messages/send-message";
import { parseInput } from "../validate";
import { requireSystem } from "../runs/shared";

/** The loop guard's limits (docs/runners.md, "Wakes"): wakes per task, and per pair of agents, in the last hour. */
export interface WakeLimits {
  perTaskPerHour: number;
  perPairPerHour: number;
}

export const RecordWakeInput = z.strictObject({
  agent: z.string().min(1),
  taskId: z.string().min(1).nullable(),
  kind: z.enum(wakeKinds),
  reason: z.string().min(1).max(2000),
  causedBy: z.string().min(1).max(320),
  fromAgent: z.string().min(1).nullable().default(null),
  messageId: z.string().min(1).nullable().default(null),
  sourceEventId: z.number().int().positive().nullable().default(null),
});

const HOUR = 3_600_000;

/**
 * Records that something should wake an agent (the run supervisor, from the events it watches), on
 * the task's timeline as `task.woken`. The loop guard counts the wakes of the last hour: past
 * `perTaskPerHour` on the task, or `perPairPerHour` from the same agent, the wake is recorded as
 * suppressed, and the first suppressed one of the hour tells the people's inbox. The same event never
 * wakes the same agent twice (sourceEventId). Returns null when it did already.
 */
export function recordWake(ctx: ServiceContext, raw: z.input<typeof RecordWakeInput>, limits: WakeLimits): WakeRow | null {
  requireSystem(ctx.actor);
  const input = parseInput(RecordWakeInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    if (input.sourceEventId !== null) {
      const seen = tx
        .select({ id: wakes.id })
        .from(wakes)
        .where(and(eq(wakes.sourceEventId, input.sourceEventId), eq(wakes.agentName, input.agent), input.taskId ? eq(wakes.taskId, input.taskId) : isNull(wakes.taskId)))
        .get();
      if (seen) return null;
    }
    const since = at - HOUR;
    const counted = inArray(wakes.status, ["pending", "consumed"] as WakeStatus[]);
    const onTask = input.taskId
      ? tx
          .select({ n: count() })
          .from(wakes)
          .where(and(eq(wakes.taskId, input.taskId), counted, gte(wakes.createdAt, since)))
          .get()!.n
      : 0;
    const fromPair = input.fromAgent
      ? tx
          .select({ n: count() })
          .from(wakes)
          .where(and(eq(wakes.fromAgent, input.fromAgent), eq(wakes.agentName, input.agent), counted, gte(wakes.createdAt, since)))
          .get()!.n
      : 0;
    const tripped =
      input.taskId && onTask >= limits.perTaskPerHour
        ? `${input.taskId} was woken ${onTask} times in the last hour (limit ${limits.perTaskPerHour})`
        : input.fromAgent && fromPair >= limits.perPairPerHour
          ? `${input.fromAgent} woke ${input.agent} ${fromPair} times in the last hour (limit ${limits.perPairPerHour})`
          : null;
    const row = tx
      .insert(wakes)
      .values({
        id: newId("wak", at),
        agentName: input.agent,
        taskId: input.taskId,
        kind: input.kind,
        status: tripped ? "suppressed" : "pending",
        reason: input.reason,
        causedBy: input.causedBy,
        fromAgent: input.fromAgent,
        messageId: input.messageId,
        sourceEventId: input.sourceEventId,
        createdAt: at,
        settledAt: tripped ? at : null,
      })
      .returning()
      .get();
    emit({
      verb: tripped ? "task.wake_suppressed" : "task.woken",
      entityKind: input.taskId ? "task" : "agent",
      entityId: input.taskId ?? input.agent,
      taskId: input.taskId,
      after: { wakeId: row.id, agent: input.agent, kind: input.kind, reason: input.reason, causedBy: input.causedBy, ...(tripped ? { guard: tripped } : {}) },
    });
    if (tripped) {
      // Once an hour per task or pair: the first suppressed wake tells the people, the rest are only recorded.
      const key = input.taskId && onTask >= limits.perTaskPerHour ? eq(wakes.taskId, input.taskId) : and(eq(wakes.fromAgent, input.fromAgent!), eq(wakes.agentName, input.agent));
      const earlier = tx
        .select({ n: count() })
        .from(wakes)
        .where(and(key, eq(wakes.status, "suppressed"), gte(wakes.createdAt, since), sql`${wakes.id} <> ${row.id}`))
        .get()!.n;
      if (earlier === 0) {
        const body =
          `AgentDesk stopped waking **${input.agent}**: ${tripped}. The loop guard holds further wakes for the rest of the hour, ` +
          `so two agents cannot keep answering each other forever.\n\nThe wake it stopped: ${input.reason}\n\n` +
          "Look at the thread and the task; press Run now on the task when the agent should go on, or raise the limits (`wakes` in agentdesk.config.json).";
        escalateToPeople(tx, ctx, at, emit, { subject: `Loop guard: ${input.agent} woken too often`, body, ...(input.taskId ? { taskId: input.taskId } : {}) });
      }
    }
    return row;
  });
}

/** Wakes waiting for a run, oldest first. */
export function pendingWakes(ctx: Pick<ServiceContext, "db">): WakeRow[] {
  return ctx.db.select().from(wakes).where(eq(wakes.status, "pending")).orderBy(asc(wakes.createdAt), asc(wakes.id)).all();
}

/** The wakes a run took, oldest first (its prompt says what happened). */
export function wakesOfRun(ctx: Pick<ServiceContext, "db">, runId: string): WakeRow[] {
  return ctx.db.select().from(wakes).where(eq(wakes.runId, runId)).orderBy(asc(wakes.createdAt), asc(wakes.id)).all();
}

export const SettleWakesInput = z.strictObject({
  ids: z.array(z.string().min(1)).min(1).max(1000),
  status: z.enum(["consumed", "dropped"]),
  runId: z.string().min(1).nullable().default(null),
  /** Why they were dropped (recorded on the event). */
  why: z.string().max(500).optional(),
  /** The wakes join a run already queued: their reasons are added to its wake_reason. */
  appendReason: z.boolean().default(false),
});

/** Pending wakes taken by a run (consumed) or left with nothing to do (dropped: the task is done, the agent has no runner). */
export function settleWakes(ctx: ServiceContext, raw: z.input<typeof SettleWakesInput>): number {
  requireSystem(ctx.actor);
  const input = parseInput(SettleWakesInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const rows = tx
      .update(wakes)
      .set({ status: input.status, runId: input.runId, settledAt: at })
      .where(and(inArray(wakes.id, input.ids), eq(wakes.status, "pending")))
      .returning()
      .all();
    if (input.appendReason && input.runId && rows.length) {
      const more = rows.map((w) => w.reason).join("\n");
      tx.update(runs)
        .set({ wakeReason: sql`coalesce(${runs.wakeReason} || ${dialect(tx).newline()}, '') || ${more}` })
        .where(eq(runs.id, input.runId))
        .run();
    }
    if (input.status === "dropped") {
      for (const w of rows) {
        emit({
          verb: "task.wake_dropped",
          entityKind: w.taskId ? "task" : "agent",
          entityId: w.taskId ?? w.agentName,
          taskId: w.taskId,
          after: { wakeId: w.id, agent: w.agentName, reason: w.reason, why: input.why ?? null },
        });
      }
    }
    return rows.length;
  });
}
