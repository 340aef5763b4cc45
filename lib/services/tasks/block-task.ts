import "server-only";
import { z } from "zod";
import { blockerTypes } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { multiLineText, parseInput } from "../validate";
import { loadTask, touchLease } from "./load";
import { transitionTask } from "./transitions";

export const BlockTaskInput = z.strictObject({
  taskId: z.string().min(1),
  reason: multiLineText(5000).pipe(z.string().trim().min(1, "Say why the task is blocked")),
  blockerType: z.enum(blockerTypes).default("other"),
  leaseToken: z.number().int().nonnegative().optional(),
});

export function blockTask(ctx: ServiceContext, raw: z.input<typeof BlockTaskInput>) {
  const input = parseInput(BlockTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    touchLease(tx, ctx.actor, task, at, input.leaseToken);
    const row = transitionTask(tx, task, "blocked", {
      at,
      emit,
      verb: "task.blocked",
      set: { blockedReason: input.reason, blockerType: input.blockerType },
      after: { reason: input.reason, blockerType: input.blockerType },
    });
    return taskDto(row, at);
  });
}
