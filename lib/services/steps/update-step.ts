import "server-only";
import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import { stepStatuses, taskSteps, type TaskRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { stepDto, taskDto, progressOf } from "../dto";
import { notFound, ServiceError } from "../errors";
import { multiLineText, parseInput } from "../validate";
import { checkLease, lockTask } from "../tasks/load";
import { prepared } from "../prepared";
import type { Tx } from "../context";
import { transitionTask } from "../tasks/transitions";
import { assertStepMove, transitionStep } from "./transitions";

// Reporting a step is the most frequent agent write: its statements are prepared once (prepared.ts).
const q = {
  steps: (tx: Tx) =>
    prepared(tx, "steps.ofTask", (d) =>
      d
        .select()
        .from(taskSteps)
        .where(eq(taskSteps.taskId, sql.placeholder("taskId")))
        .prepare(),
    ),
  progress: (tx: Tx) =>
    prepared(tx, "steps.progress", (d) =>
      d
        .select({ status: taskSteps.status, position: taskSteps.position })
        .from(taskSteps)
        .where(eq(taskSteps.taskId, sql.placeholder("taskId")))
        .prepare(),
    ),
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

/**
 * Reports a step. Statements (PostgreSQL round trips): the task touched and locked (lockTask: its
 * lease and updated_at, one UPDATE ... RETURNING), the task's steps (the one reported, and the
 * progress without reading them again), the step written, its event. READ COMMITTED: the task row's
 * lock holds what the rules read (see touchTaskForWrite).
 */
export function updateStep(ctx: ServiceContext, raw: UpdateStepInput) {
  const input = parseInput(UpdateStepInput, raw);
  return writeTx(
    ctx,
    (tx, at, emit) => {
      const task = lockTask(tx, ctx.actor, input.taskId, at, { touch: true });
      const steps = q.steps(tx).all({ taskId: task.id });
      const step = steps.find((s) => s.position === input.position);
      if (!step) throw notFound(`Step ${input.position} of task`, task.id);
      checkLease(ctx.actor, task, input.leaseToken);
      const resuming = step.status === "blocked" && input.status === "in_progress";
      if (task.status !== "in_progress" && !(task.status === "blocked" && (resuming || input.status === "skipped"))) {
        throw new ServiceError(
          "illegal_transition",
          task.status === "pending" ? `Task ${task.id} has not been claimed yet: claim it before reporting steps` : `Task ${task.id} is ${task.status.replace("_", " ")}: its steps cannot change`,
          { details: { taskStatus: task.status } },
        );
      }
      assertStepMove(step, input.status);
      if (input.expectedVersion !== undefined && input.expectedVersion !== step.version) {
        throw new ServiceError("version_conflict", `Step ${step.position} is at version ${step.version}, not ${input.expectedVersion}`);
      }
      // The task moves with the step (blocked with it, resumed with it) before the step's event, which says where the task is.
      let taskRow: TaskRow = task;
      if (input.status === "blocked" && task.status === "in_progress") {
        const reason = `Step ${step.position} (${step.title}): ${input.note}`;
        taskRow = transitionTask(tx, task, "blocked", {
          at,
          emit,
          verb: "task.blocked",
          set: { blockedReason: reason, blockerType: "other" },
          after: { reason, blockerType: "other", step: step.position },
        });
      } else if (resuming && task.status === "blocked") {
        taskRow = transitionTask(tx, task, "in_progress", {
          at,
          emit,
          verb: "task.unblocked",
          set: { blockedReason: null, blockerType: null },
          before: { reason: task.blockedReason },
          after: { note: input.note ?? null, resumedSteps: [step.position] },
        });
      }
      const row = transitionStep(tx, step, input.status, { at, emit, task, taskStatus: taskRow.status, note: input.note });
      // A task that moved may have moved its other steps (released with it): read them again then.
      const now = taskRow === task ? steps.map((s) => (s.position === row.position ? row : s)) : q.progress(tx).all({ taskId: task.id });
      return { step: stepDto(row), task: taskDto(taskRow, at), progress: progressOf(now) };
    },
    { isolation: "read-committed", eventsLater: true },
  );
}
