import "server-only";
import { z } from "zod";
import { and, desc, eq, notInArray } from "drizzle-orm";
import { outputs, taskSteps } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { multiLineText, parseInput } from "../validate";
import { loadTask, touchLease } from "./load";
import { assertTaskMove, transitionTask } from "./transitions";

export const CompleteTaskInput = z.strictObject({
  taskId: z.string().min(1),
  summary: multiLineText(20_000).optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});

/**
 * The agent says it is done. A task that needs review goes to in_review, and only with a version
 * waiting for review: its latest output must be pending_review, which means handed in during the
 * current round (requesting changes settles the round's version, and a version cannot be reviewed
 * before the task is in review), so a task never sits in review with nothing to review
 * (docs/task-rules.md). An autonomous one is completed. Steps still open are refused: skip them
 * with a reason.
 */
export function completeTask(ctx: ServiceContext, raw: z.input<typeof CompleteTaskInput>) {
  const input = parseInput(CompleteTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    touchLease(tx, ctx.actor, task, at, input.leaseToken);
    const target = task.authority === "review_required" ? "in_review" : "completed";
    assertTaskMove(task.id, task.status, target);
    const open = tx
      .select({ position: taskSteps.position, title: taskSteps.title })
      .from(taskSteps)
      .where(and(eq(taskSteps.taskId, task.id), notInArray(taskSteps.status, ["done", "skipped"])))
      .all();
    if (open.length) {
      throw new ServiceError("illegal_transition", `Task ${task.id} still has open steps: ${open.map((s) => `${s.position} ${s.title}`).join(", ")}. Finish or skip them first`, {
        details: { openSteps: open.map((s) => s.position) },
      });
    }
    if (target === "in_review") {
      const latest = tx.select({ version: outputs.version, status: outputs.status }).from(outputs).where(eq(outputs.taskId, task.id)).orderBy(desc(outputs.version)).limit(1).get();
      if (!latest) throw new ServiceError("output_required", `Task ${task.id} needs review: submit an output before completing it`);
      if (latest.status !== "pending_review") {
        throw new ServiceError(
          "output_required",
          latest.status === "changes_requested"
            ? `Task ${task.id} is in review round ${task.round}: changes were requested on v${latest.version}, so submit a new version before completing it`
            : `Task ${task.id} needs review: its latest output (v${latest.version}) is ${latest.status.replace("_", " ")}, so submit a new version before completing it`,
          { details: { round: task.round, latestVersion: latest.version, latestStatus: latest.status } },
        );
      }
    }
    const row = transitionTask(tx, task, target, {
      at,
      emit,
      verb: target === "completed" ? "task.completed" : "task.submitted_for_review",
      set: { completedAt: target === "completed" ? at : null },
      after: { summary: input.summary ?? null },
    });
    return taskDto(row, at);
  });
}
