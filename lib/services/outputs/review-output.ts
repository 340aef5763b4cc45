import { z } from "zod";
import { and, desc, eq } from "drizzle-orm";
import { messages, outputs, reviews, tasks } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../events";
import { outputDto, reviewDto, taskDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { leaseMinutesOf } from "../tasks/load";

export const ApproveOutputInput = z.strictObject({
  outputId: z.string().min(1),
  comment: multiLineText(20_000).optional(),
});
export const RequestChangesInput = z.strictObject({
  outputId: z.string().min(1),
  comment: multiLineText(20_000).pipe(z.string().trim().min(1, "Say what needs to change")),
});

function loadReviewable(tx: Tx, outputId: string) {
  const output = tx.select().from(outputs).where(eq(outputs.id, outputId)).get();
  if (!output) throw notFound("Output", outputId);
  if (output.status !== "pending_review") {
    throw new ServiceError(
      "illegal_transition",
      output.status === "superseded"
        ? `Output ${outputId} (v${output.version}) was superseded by a newer version: review the latest one`
        : `Output ${outputId} was already reviewed (${output.status.replace("_", " ")})`,
      { details: { status: output.status } },
    );
  }
  const task = tx.select().from(tasks).where(eq(tasks.id, output.taskId)).get()!;
  return { output, task };
}

/** Approves a version; when the task was waiting for this review it is completed. */
export function approveOutput(ctx: ServiceContext, raw: z.input<typeof ApproveOutputInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(ApproveOutputInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const { output, task } = loadReviewable(tx, input.outputId);
    const updated = tx.update(outputs).set({ status: "approved" }).where(eq(outputs.id, output.id)).returning().get();
    const review = tx
      .insert(reviews)
      .values({ id: newId("rev", at), outputId: output.id, reviewer: actorId(ctx.actor), decision: "approved", comment: input.comment ?? "", createdAt: at })
      .returning()
      .get();
    let taskRow = task;
    if (task.status === "in_review") {
      taskRow = tx
        .update(tasks)
        .set({ status: "completed", completedAt: at, leaseExpiresAt: null, updatedAt: at, version: task.version + 1 })
        .where(eq(tasks.id, task.id))
        .returning()
        .get();
    }
    emit({
      verb: "output.approved",
      entityKind: "output",
      entityId: output.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: "pending_review", taskStatus: task.status },
      after: { status: "approved", version: output.version, taskStatus: taskRow.status, reviewId: review.id },
    });
    return { output: outputDto(updated), review: reviewDto(review), task: taskDto(taskRow, at) };
  });
}

/**
 * Sends a version back. The comment reaches the agent's inbox as a review_response, and a task
 * waiting in review goes back to in progress with a fresh lease, so the agent picks it up again.
 */
export function requestOutputChanges(ctx: ServiceContext, raw: z.input<typeof RequestChangesInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(RequestChangesInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const { output, task } = loadReviewable(tx, input.outputId);
    const updated = tx.update(outputs).set({ status: "changes_requested" }).where(eq(outputs.id, output.id)).returning().get();
    // Keep the review conversation of a task in one thread.
    const earlier = tx
      .select({ threadId: messages.threadId })
      .from(messages)
      .where(and(eq(messages.taskId, task.id), eq(messages.type, "review_response"), eq(messages.toInbox, task.assignedAgent)))
      .orderBy(desc(messages.createdAt))
      .limit(1)
      .get();
    const messageId = newId("msg", at);
    const message = tx
      .insert(messages)
      .values({
        id: messageId,
        threadId: earlier?.threadId ?? messageId,
        fromKind: ctx.actor.kind === "person" ? "person" : "system",
        fromName: actorId(ctx.actor),
        toInbox: task.assignedAgent,
        type: "review_response",
        priority: task.priority === "critical" ? "critical" : "high",
        subject: `Changes requested: ${task.title} (v${output.version})`,
        body: input.comment,
        instructionId: task.instructionId,
        taskId: task.id,
        stepPosition: output.stepPosition,
        createdAt: at,
      })
      .returning()
      .get();
    const review = tx
      .insert(reviews)
      .values({ id: newId("rev", at), outputId: output.id, reviewer: actorId(ctx.actor), decision: "changes_requested", comment: input.comment, messageId, createdAt: at })
      .returning()
      .get();
    let taskRow = task;
    if (task.status === "in_review") {
      taskRow = tx
        .update(tasks)
        .set({
          status: "in_progress",
          leaseExpiresAt: at + leaseMinutesOf(tx, task.assignedAgent) * 60_000,
          updatedAt: at,
          version: task.version + 1,
        })
        .where(eq(tasks.id, task.id))
        .returning()
        .get();
    }
    emit({
      verb: "output.changes_requested",
      entityKind: "output",
      entityId: output.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: "pending_review", taskStatus: task.status },
      after: { status: "changes_requested", version: output.version, taskStatus: taskRow.status, reviewId: review.id, messageId },
    });
    emit({
      verb: "message.sent",
      entityKind: "message",
      entityId: messageId,
      instructionId: task.instructionId,
      taskId: task.id,
      after: { from: message.fromName, to: message.toInbox, type: message.type, threadId: message.threadId },
    });
    return { output: outputDto(updated), review: reviewDto(review), task: taskDto(taskRow, at), messageId };
  });
}
