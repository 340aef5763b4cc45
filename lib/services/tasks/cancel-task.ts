import { z } from "zod";
import { eq } from "drizzle-orm";
import { tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { taskDto } from "../dto";
import { requirePerson } from "../policy";
import { multiLineText, parseInput } from "../validate";
import { loadTask } from "./load";
import { assertTaskMove } from "./transitions";

export const CancelTaskInput = z.strictObject({
  taskId: z.string().min(1),
  reason: multiLineText(5000).optional(),
});

export function cancelTask(ctx: ServiceContext, raw: z.input<typeof CancelTaskInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(CancelTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    assertTaskMove(task.id, task.status, "cancelled");
    const row = tx
      .update(tasks)
      .set({ status: "cancelled", leaseExpiresAt: null, updatedAt: at, version: task.version + 1 })
      .where(eq(tasks.id, task.id))
      .returning()
      .get();
    emit({
      verb: "task.cancelled",
      entityKind: "task",
      entityId: task.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: task.status },
      after: { status: "cancelled", reason: input.reason ?? null },
    });
    return taskDto(row, at);
  });
}
