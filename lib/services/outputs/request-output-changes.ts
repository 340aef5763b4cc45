import "server-only";
import { z } from "zod";
import { and, desc, eq } from "drizzle-orm";
import { messages, reviews } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { outputDto, reviewDto, taskDto } from "../dto";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { transitionTask } from "../tasks/transitions";
import { openRound } from "../steps/rounds";
import { insertMessage, SendMessageInput } from "../messages/send-message";
import { loadReviewable } from "./load-reviewable";
import { transitionOutput } from "./transitions";

export const RequestChangesInput = z.strictObject({
  outputId: z.string().min(1),
  comment: multiLineText(20_000).pipe(z.string().trim().min(1, "Say what needs to change")),
});

/**
 * Sends a version back. The comment reaches the agent's inbox as a review_response; the task goes
 * from review back to pending and opens its next round (round 1's steps are kept, the steps start
 * again), so the agent claims it anew: a runner with autoResume wakes it (lib/runners/wakes.ts).
 * Only a version of a task in review can be sent back: a decision taken while the agent is still
 * at work would leave the task in review with nothing to review once it completes.
 */
export function requestOutputChanges(ctx: ServiceContext, raw: z.input<typeof RequestChangesInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(RequestChangesInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const { output, task } = loadReviewable(tx, input.outputId, "changes_requested");
    // Keep the review conversation of a task in one thread.
    const earlier = tx
      .select({ threadId: messages.threadId })
      .from(messages)
      .where(and(eq(messages.taskId, task.id), eq(messages.type, "review_response"), eq(messages.toInbox, task.assignedAgent)))
      .orderBy(desc(messages.createdAt))
      .limit(1)
      .get();
    const message = insertMessage(
      tx,
      ctx,
      at,
      emit,
      parseInput(SendMessageInput, {
        to: task.assignedAgent,
        type: "review_response",
        priority: task.priority === "critical" ? "critical" : "high",
        subject: `Changes requested: ${task.title} (v${output.version})`.slice(0, 300),
        body: input.comment,
        taskId: task.id,
        ...(output.stepPosition !== null ? { stepPosition: output.stepPosition } : {}),
      }),
      { threadId: earlier?.threadId },
    );
    const review = tx
      .insert(reviews)
      .values({ id: newId("rev", at), outputId: output.id, reviewer: actorId(ctx.actor), decision: "changes_requested", comment: input.comment, messageId: message.id, createdAt: at })
      .returning()
      .get();
    const archived = openRound(tx, task.id, task.round, at);
    const taskRow = transitionTask(tx, task, "pending", {
      at,
      emit,
      verb: "task.changes_requested",
      set: { round: task.round + 1, leaseExpiresAt: null, leaseRemindedAt: null, completedAt: null },
      before: { round: task.round },
      after: { round: task.round + 1, outputId: output.id, version: output.version, reviewId: review.id, messageId: message.id, reviewer: actorId(ctx.actor), archivedSteps: archived },
      why: `Task ${task.id} is ${task.status.replace("_", " ")}: changes can be requested once its agent has handed it in for review`,
    });
    const updated = transitionOutput(tx, output, "changes_requested", {
      emit,
      instructionId: task.instructionId,
      before: { taskStatus: task.status },
      after: { version: output.version, taskStatus: taskRow.status, reviewId: review.id, messageId: message.id },
    });
    return { output: outputDto(updated), review: reviewDto(review), task: taskDto(taskRow, at), messageId: message.id };
  });
}
