import { z } from "zod";
import { and, eq, sql } from "drizzle-orm";
import { stepStatuses, taskSteps, tasks, type StepStatus } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { stepDto, taskDto, progressOf } from "../dto";
import { notFound, ServiceError } from "../errors";
import { multiLineText, parseInput } from "../validate";
import { loadTask, touchLease } from "../tasks/load";
import { prepared } from "../prepared";
import type { Tx } from "../context";

// Reporting a step is the most frequent agent write: its statements are prepared once (prepared.ts).
const ph = (name: string) => sql`${sql.placeholder(name)}`;
const stepKey = and(eq(taskSteps.taskId, sql.placeholder("taskId")), eq(taskSteps.position, sql.placeholder("position")));
const q = {
  step: (tx: Tx) => prepared(tx, "steps.one", (d) => d.select().from(taskSteps).where(stepKey).prepare()),
  write: (tx: Tx) =>
    prepared(tx, "steps.write", (d) =>
      d
        .update(taskSteps)
        .set({ status: ph("status"), note: ph("note"), startedAt: ph("startedAt"), endedAt: ph("endedAt"), updatedAt: ph("at"), version: ph("version") })
        .where(stepKey)
        .returning()
        .prepare(),
    ),
  touchTask: (tx: Tx) => prepared(tx, "tasks.touch", (d) => d.update(tasks).set({ updatedAt: ph("at") }).where(eq(tasks.id, sql.placeholder("id"))).returning().prepare()),
  progress: (tx: Tx) =>
    prepared(tx, "steps.progress", (d) => d.select({ status: taskSteps.status, position: taskSteps.position }).from(taskSteps).where(eq(taskSteps.taskId, sql.placeholder("taskId"))).prepare()),
};

/**
 * The step machine. A step may be reported done straight from pending (agents often report after
 * the fact); done and skipped are final. Blocking a step blocks its task; resuming it resumes the task.
 */
export const stepMoves: Record<StepStatus, readonly StepStatus[]> = {
  pending: ["in_progress", "done", "skipped", "blocked"],
  in_progress: ["done", "skipped", "blocked"],
  blocked: ["in_progress", "skipped"],
  done: [],
  skipped: [],
};

export const UpdateStepInput = z
  .strictObject({
    taskId: z.string().min(1),
    position: z.number().int().positive(),
    status: z.enum(stepStatuses).exclude(["pending"]),
    note: multiLineText(20_000).optional(),
    expectedVersion: z.number().int().positive().optional(),
    leaseToken: z.number().int().nonnegative().optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.status === "skipped" || v.status === "blocked") && !v.note?.trim()) {
      ctx.addIssue({ code: "custom", path: ["note"], message: `A ${v.status} step needs a reason in its note` });
    }
  });
export type UpdateStepInput = z.input<typeof UpdateStepInput>;

export function updateStep(ctx: ServiceContext, raw: UpdateStepInput) {
  const input = parseInput(UpdateStepInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    const step = q.step(tx).get({ taskId: task.id, position: input.position });
    if (!step) throw notFound(`Step ${input.position} of task`, task.id);
    touchLease(tx, ctx.actor, task, at, input.leaseToken);
    const resuming = step.status === "blocked" && input.status === "in_progress";
    if (task.status !== "in_progress" && !(task.status === "blocked" && (resuming || input.status === "skipped"))) {
      throw new ServiceError(
        "illegal_transition",
        task.status === "pending"
          ? `Task ${task.id} has not been claimed yet: claim it before reporting steps`
          : `Task ${task.id} is ${task.status.replace("_", " ")}: its steps cannot change`,
        { details: { taskStatus: task.status } },
      );
    }
    if (!stepMoves[step.status].includes(input.status)) {
      throw new ServiceError(
        "illegal_transition",
        `Step ${step.position} (${step.title}) is ${step.status.replace("_", " ")} and cannot become ${input.status.replace("_", " ")}`,
        { details: { from: step.status, to: input.status, allowed: stepMoves[step.status] } },
      );
    }
    if (input.expectedVersion !== undefined && input.expectedVersion !== step.version) {
      throw new ServiceError("version_conflict", `Step ${step.position} is at version ${step.version}, not ${input.expectedVersion}`);
    }
    const ending = input.status === "done" || input.status === "skipped";
    const row = q.write(tx).get({
      status: input.status,
      note: input.note ?? step.note,
      startedAt: step.startedAt ?? at,
      endedAt: ending ? at : null,
      at,
      version: step.version + 1,
      taskId: task.id,
      position: step.position,
    })!;

    let taskRow = task;
    if (input.status === "blocked" && task.status === "in_progress") {
      taskRow = tx
        .update(tasks)
        .set({ status: "blocked", blockedReason: `Step ${step.position} (${step.title}): ${input.note}`, blockerType: "other", updatedAt: at, version: task.version + 1 })
        .where(eq(tasks.id, task.id))
        .returning()
        .get();
    } else if (resuming && task.status === "blocked") {
      taskRow = tx
        .update(tasks)
        .set({ status: "in_progress", blockedReason: null, blockerType: null, updatedAt: at, version: task.version + 1 })
        .where(eq(tasks.id, task.id))
        .returning()
        .get();
    } else {
      taskRow = q.touchTask(tx).get({ at, id: task.id })!;
    }
    emit({
      verb: `step.${input.status}`,
      entityKind: "step",
      entityId: `${task.id}#${step.position}`,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: step.status, note: step.note },
      after: { status: input.status, note: input.note ?? null, position: step.position, title: step.title, taskStatus: taskRow.status },
    });
    const steps = q.progress(tx).all({ taskId: task.id });
    return { step: stepDto(row), task: taskDto(taskRow, at), progress: progressOf(steps) };
  });
}

export const startStep = (ctx: ServiceContext, i: Omit<UpdateStepInput, "status">) => updateStep(ctx, { ...i, status: "in_progress" });
export const completeStep = (ctx: ServiceContext, i: Omit<UpdateStepInput, "status">) => updateStep(ctx, { ...i, status: "done" });
export const skipStep = (ctx: ServiceContext, i: Omit<UpdateStepInput, "status"> & { note: string }) => updateStep(ctx, { ...i, status: "skipped" });
export const blockStep = (ctx: ServiceContext, i: Omit<UpdateStepInput, "status"> & { note: string }) => updateStep(ctx, { ...i, status: "blocked" });
