import "server-only";
import { z } from "zod";
import { and, eq, inArray, isNull } from "drizzle-orm";
import { agents, runs, runTriggers } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import type { EventInput } from "../events";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { loadTask } from "../tasks/load";
import { transitionSteps } from "../steps/transitions";
import { transitionTask } from "../tasks/transitions";
import { ACTIVE_RUN_STATUSES, loadRun, RUN_ENTITY, runDto, isActive, requireSystem } from "./shared";

/** What the runner resolved for the agent (lib/runners): recorded for people to read, never executed from here. */
const runnerFields = {
  preset: z.string().trim().min(1).max(40),
  command: z.array(z.string().max(2000)).max(200).default([]),
};

export const CreateRunInput = z.strictObject({
  taskId: z.string().min(1),
  ...runnerFields,
  trigger: z.enum(runTriggers).default("manual"),
  /** Why the agent is woken (trigger "wake"): the wakes, one per line. */
  wakeReason: z.string().max(8000).optional(),
});

/** A run without a task (system only): an agent woken to answer the messages that ask it to act. */
export const CreateAgentRunInput = z.strictObject({
  agent: z.string().min(1),
  ...runnerFields,
  wakeReason: z.string().max(8000),
});

export const RetryRunInput = z.strictObject({
  runId: z.string().min(1),
  ...runnerFields,
});

function queueRun(
  tx: Tx,
  ctx: ServiceContext,
  at: number,
  emit: (e: EventInput) => number,
  input: { taskId: string; preset: string; command: string[]; trigger: (typeof runTriggers)[number]; retryOf?: string; wakeReason?: string },
) {
  const task = loadTask(tx, ctx.actor, input.taskId, true);
  if (task.status === "in_review" || task.status === "completed" || task.status === "cancelled") {
    throw new ServiceError("illegal_transition", `Task ${task.id} is ${task.status.replace("_", " ")}: there is nothing for an agent to run`, {
      details: { taskStatus: task.status },
    });
  }
  const active = tx
    .select({ id: runs.id, status: runs.status })
    .from(runs)
    .where(and(eq(runs.taskId, task.id), inArray(runs.status, [...ACTIVE_RUN_STATUSES])))
    .get();
  if (active) {
    throw new ServiceError("conflict", `Run ${active.id} of task ${task.id} is already ${active.status}: cancel it first`, { details: { runId: active.id } });
  }
  // A person asking for a run on a blocked task decides to try again: the task goes back to pending
  // so the agent can claim it (steps already done stay done; the blocked one waits for the claimer).
  if (task.status === "blocked") {
    const released = transitionSteps(tx, task.id, "release", at);
    transitionTask(tx, task, "pending", {
      at,
      emit,
      verb: "task.requeued",
      set: { blockedReason: null, blockerType: null, leaseExpiresAt: null, leaseRemindedAt: null },
      before: { reason: task.blockedReason },
      after: { reason: "a run was requested", releasedSteps: released },
    });
  }
  const row = tx
    .insert(runs)
    .values({
      id: newId("run", at),
      taskId: task.id,
      agentName: task.assignedAgent,
      status: "queued",
      trigger: input.trigger,
      retryOf: input.retryOf ?? null,
      preset: input.preset,
      command: input.command,
      requestedBy: actorId(ctx.actor),
      createdAt: at,
      round: task.round,
      wakeReason: input.wakeReason ?? null,
    })
    .returning()
    .get();
  emit({
    verb: "run.queued",
    entityKind: RUN_ENTITY,
    entityId: row.id,
    instructionId: task.instructionId,
    taskId: task.id,
    after: { agent: row.agentName, trigger: row.trigger, preset: row.preset, retryOf: row.retryOf, round: row.round, wakeReason: row.wakeReason },
  });
  return runDto(row);
}

/** Queues a run of an agent without a task (the supervisor, for a message wake). One active such run per agent. */
export function createAgentRun(ctx: ServiceContext, raw: z.input<typeof CreateAgentRunInput>) {
  requireSystem(ctx.actor);
  const input = parseInput(CreateAgentRunInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const agent = tx.select({ name: agents.name, active: agents.active }).from(agents).where(eq(agents.name, input.agent)).get();
    if (!agent) throw notFound("Agent", input.agent);
    if (!agent.active) throw new ServiceError("conflict", `Agent ${agent.name} is inactive: its definition is gone`);
    const active = tx
      .select({ id: runs.id, status: runs.status })
      .from(runs)
      .where(and(eq(runs.agentName, agent.name), isNull(runs.taskId), inArray(runs.status, [...ACTIVE_RUN_STATUSES])))
      .get();
    if (active) throw new ServiceError("conflict", `Run ${active.id} of ${agent.name} is already ${active.status}`, { details: { runId: active.id } });
    const row = tx
      .insert(runs)
      .values({
        id: newId("run", at),
        taskId: null,
        agentName: agent.name,
        status: "queued",
        trigger: "wake",
        preset: input.preset,
        command: input.command,
        requestedBy: actorId(ctx.actor),
        createdAt: at,
        wakeReason: input.wakeReason,
      })
      .returning()
      .get();
    emit({ verb: "run.queued", entityKind: RUN_ENTITY, entityId: row.id, after: { agent: row.agentName, trigger: row.trigger, preset: row.preset, wakeReason: row.wakeReason } });
    return runDto(row);
  });
}

/**
 * Queues a run of the task's agent on the task ("Run now", or auto-start on assignment). The run
 * supervisor starts it when a slot is free. One active run per task.
 */
export function createRun(ctx: ServiceContext, raw: z.input<typeof CreateRunInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(CreateRunInput, raw);
  return writeTx(ctx, (tx, at, emit) => queueRun(tx, ctx, at, emit, input));
}

/** A new run of the same task (for its current agent), linked to the one it retries. */
export function retryRun(ctx: ServiceContext, raw: z.input<typeof RetryRunInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(RetryRunInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const prev = loadRun(tx, input.runId);
    if (!prev.taskId) throw new ServiceError("conflict", `Run ${prev.id} had no task: it answered messages, and is not retried`);
    loadTask(tx, ctx.actor, prev.taskId, true);
    if (isActive(prev.status)) throw new ServiceError("conflict", `Run ${prev.id} is still ${prev.status}: only a finished run can be retried`);
    return queueRun(tx, ctx, at, emit, { taskId: prev.taskId, preset: input.preset, command: input.command, trigger: "retry", retryOf: prev.id });
  });
}
