import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { taskStepRounds, taskSteps, type TaskStepRoundRow } from "@/db/schema";
import type { Tx } from "../context";
import { writingStatus } from "../status-guard";

/**
 * Opens the next review round of a task: the steps as they stand (round `round`) are kept in
 * task_step_rounds, and every step starts again from pending, notes and times cleared, so the
 * agent reports the Response Approach again for the revision. The step machine's only move back
 * to pending outside `release`; the task's own move (in_review → pending, round + 1) is the
 * caller's, in the same transaction. Returns the number of steps archived.
 */
export function openRound(tx: Tx, taskId: string, round: number, at: number): number {
  const archived = tx
    .insert(taskStepRounds)
    .select(
      tx
        .select({
          taskId: taskSteps.taskId,
          round: dialect(tx).int(round).as("round"),
          position: taskSteps.position,
          title: taskSteps.title,
          status: taskSteps.status,
          note: taskSteps.note,
          startedAt: taskSteps.startedAt,
          endedAt: taskSteps.endedAt,
        })
        .from(taskSteps)
        .where(eq(taskSteps.taskId, taskId)),
    )
    .onConflictDoNothing()
    .run().changes;
  writingStatus(() =>
    tx
      .update(taskSteps)
      .set({ status: "pending", note: null, startedAt: null, endedAt: null, updatedAt: at, version: sql`${taskSteps.version} + 1` })
      .where(eq(taskSteps.taskId, taskId))
      .run(),
  );
  return archived;
}

/** The earlier rounds' steps of a task, round by round, in order. */
export function pastRounds(tx: Pick<Tx, "select">, taskId: string): TaskStepRoundRow[] {
  return tx.select().from(taskStepRounds).where(eq(taskStepRounds.taskId, taskId)).orderBy(asc(taskStepRounds.round), asc(taskStepRounds.position)).all();
}
