import { z } from "zod";
import { and, eq, inArray } from "drizzle-orm";
import { taskSteps, tasks } from "@/db/schema";
import { blockerTypes } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { multiLineText, parseInput } from "../validate";
import { leaseMinutesOf, loadTask, touchLease } from "./load";
import { assertTaskMove } from "./transitions";

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
    assertTaskMove(task.id, task.status, "blocked");
    const row = tx
      .update(tasks)
      .set({ status: "blocked", blockedReason: input.reason, blockerType: input.blockerType, updatedAt: at, version: task.version + 1 })
      .where(eq(tasks.id, task.id))
      .returning()
      .get();
    emit({
      verb: "task.blocked",
      entityKind: "task",
      entityId: task.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: task.status },
      after: { status: "blocked", reason: input.reason, blockerType: input.blockerType },
    });
    return taskDto(row, at);
  });
}

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
    const row = tx
      .update(tasks)
      .set({
        status: "in_progress",
        blockedReason: null,
        blockerType: null,
        leaseExpiresAt: at + leaseMinutesOf(tx, task.assignedAgent) * 60_000,
        leaseRemindedAt: null,
        updatedAt: at,
        version: task.version + 1,
      })
      .where(eq(tasks.id, task.id))
      .returning()
      .get();
    const resumed = tx
      .update(taskSteps)
      .set({ status: "in_progress", updatedAt: at })
      .where(and(eq(taskSteps.taskId, task.id), inArray(taskSteps.status, ["blocked"])))
      .returning({ position: taskSteps.position })
      .all();
    emit({
      verb: "task.unblocked",
      entityKind: "task",
      entityId: task.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { status: "blocked", reason: task.blockedReason },
      after: { status: "in_progress", note: input.note ?? null, resumedSteps: resumed.map((r) => r.position) },
    });
    return taskDto(row, at);
  });
}
