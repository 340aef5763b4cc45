import { and, eq, inArray, sql } from "drizzle-orm";
import { taskSteps } from "@/db/schema";
import type { Tx } from "../context";

/**
 * A task going back to the queue (lease recovery, reassignment, a fresh run) has nobody working on
 * it: its steps in progress or blocked return to pending, so a pending task never shows a step
 * that is under way or blocked. Notes and start times stay (history); the next claimer resumes.
 * Returns the positions released.
 */
export function releaseSteps(tx: Tx, taskId: string, at: number): number[] {
  return tx
    .update(taskSteps)
    .set({ status: "pending", endedAt: null, updatedAt: at, version: sql`${taskSteps.version} + 1` })
    .where(and(eq(taskSteps.taskId, taskId), inArray(taskSteps.status, ["in_progress", "blocked"])))
    .returning({ position: taskSteps.position })
    .all()
    .map((r) => r.position);
}
