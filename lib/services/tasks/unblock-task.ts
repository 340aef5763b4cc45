import "server-only";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { multiLineText, parseInput } from "../validate";
import { leaseMinutesOf, loadTask, touchLease } from "./load";
import { transitionTask } from "./transitions";
import { transitionSteps } from "../steps/transitions";

export const UnblockTaskInput = z.strictObject({
  taskId: z.string().min(1),
  note: multiLineText(5000).optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});

/**
 * Back to in progress; a step that was blocked resumes with it. The lease did not run while the
 * task waited, so it starts afresh: the sweeper does not chase an agent for time spent blocked.
 */
export function unblockTask(ctx: ServiceContext, raw: z.input<typeof UnblockTaskInput>) {
  const input = parseInput(UnblockTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    touchLease(tx, ctx.actor, task, at, input.leaseToken);
    if (task.status !== "blocked") {
      throw new ServiceError("illegal_transition", `Task ${task.id} is ${task.status.replace("_", " ")}, not blocked: there is nothing to unblock`, {
        details: { from: task.status, to: "in_progress" },
      });
    }
    const resumed = transitionSteps(tx, task.id, "resume", at);
    const row = transitionTask(tx, task, "in_progress", {
      at,
      emit,
      verb: "task.unblocked",
      set: { blockedReason: null, blockerType: null, leaseExpiresAt: at + leaseMinutesOf(tx, task.assignedAgent) * 60_000, leaseRemindedAt: null },
      before: { reason: task.blockedReason },
      after: { note: input.note ?? null, resumedSteps: resumed },
    });
    return taskDto(row, at);
  });
}
