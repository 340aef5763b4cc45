import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { runs, tasks } from "@/db/schema";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { loadTask } from "../tasks/load";
import { loadRun, RUN_ENTITY, runDto } from "./shared";

export const CancelRunInput = z.strictObject({
  runId: z.string().min(1),
  reason: z.string().trim().max(500).optional(),
});

/**
 * A queued run is cancelled at once. A running one is marked `cancel requested`; the supervisor
 * sees the event, stops the process group (SIGTERM, then SIGKILL after the grace period) and
 * finishes the run as cancelled. Cancelling twice is harmless.
 */
export function cancelRun(ctx: ServiceContext, raw: z.input<typeof CancelRunInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(CancelRunInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const run = loadRun(tx, input.runId);
    if (run.taskId) loadTask(tx, ctx.actor, run.taskId, true);
    const task = run.taskId ? tx.select({ instructionId: tasks.instructionId }).from(tasks).where(eq(tasks.id, run.taskId)).get()! : { instructionId: null };
    const who = actorId(ctx.actor);
    if (run.status === "queued") {
      const reason = `Cancelled by ${who} before it started${input.reason ? `: ${input.reason}` : ""}`;
      const row = tx.update(runs).set({ status: "cancelled", endedAt: at, reason, cancelRequestedAt: at, cancelRequestedBy: who }).where(eq(runs.id, run.id)).returning().get();
      emit({
        verb: "run.finished",
        entityKind: RUN_ENTITY,
        entityId: run.id,
        instructionId: task.instructionId,
        taskId: run.taskId,
        before: { status: "queued" },
        after: { status: "cancelled", reason },
      });
      return runDto(row);
    }
    if (run.status !== "running") throw new ServiceError("illegal_transition", `Run ${run.id} is already ${run.status.replace("_", " ")}`);
    if (run.cancelRequestedAt) return runDto(run);
    const row = tx.update(runs).set({ cancelRequestedAt: at, cancelRequestedBy: who }).where(eq(runs.id, run.id)).returning().get();
    emit({
      verb: "run.cancel_requested",
      entityKind: RUN_ENTITY,
      entityId: run.id,
      instructionId: task.instructionId,
      taskId: run.taskId,
      after: { by: who, reason: input.reason ?? null },
    });
    return runDto(row);
  });
}
