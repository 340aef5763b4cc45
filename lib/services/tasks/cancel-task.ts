import "server-only";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { loadTask } from "./load";
import { transitionTask } from "./transitions";

export const CancelTaskInput = z.strictObject({
  taskId: z.string().min(1),
  reason: multiLineText(5000).optional(),
});

/**
 * A person stops the task, from any status that is not final. Nobody works on it any more: the
 * lease ends and steps under way are released (transitionTask). A version still waiting for review
 * stays as it was, and can no longer be reviewed (docs/task-rules.md).
 */
export function cancelTask(ctx: ServiceContext, raw: z.input<typeof CancelTaskInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(CancelTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    const row = transitionTask(tx, task, "cancelled", { at, emit, verb: "task.cancelled", after: { reason: input.reason ?? null } });
    return taskDto(row, at);
  });
}
