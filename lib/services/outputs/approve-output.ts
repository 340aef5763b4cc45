import "server-only";
import { z } from "zod";
import { reviews } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { outputDto, reviewDto, taskDto } from "../dto";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { transitionTask } from "../tasks/transitions";
import { loadReviewable } from "./load-reviewable";
import { transitionOutput } from "./transitions";

export const ApproveOutputInput = z.strictObject({
  outputId: z.string().min(1),
  comment: multiLineText(20_000).optional(),
});

/** Approves the latest version of a task in review (loadReviewable): the task is completed. */
export function approveOutput(ctx: ServiceContext, raw: z.input<typeof ApproveOutputInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(ApproveOutputInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const { output, task } = loadReviewable(tx, input.outputId, "approved");
    const review = tx
      .insert(reviews)
      .values({ id: newId("rev", at), outputId: output.id, reviewer: actorId(ctx.actor), decision: "approved", comment: input.comment ?? "", createdAt: at })
      .returning()
      .get();
    const taskRow = transitionTask(tx, task, "completed", { at, emit, verb: "task.completed", set: { completedAt: at }, after: { outputId: output.id, version: output.version, reviewId: review.id } });
    const updated = transitionOutput(tx, output, "approved", {
      emit,
      instructionId: task.instructionId,
      before: { taskStatus: task.status },
      after: { version: output.version, taskStatus: taskRow.status, reviewId: review.id },
    });
    return { output: outputDto(updated), review: reviewDto(review), task: taskDto(taskRow, at) };
  });
}
