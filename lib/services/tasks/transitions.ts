import type { TaskStatus } from "@/db/schema";
import { ServiceError } from "../errors";

/**
 * The task state machine. pending → in_progress → (blocked ↔ in_progress) → in_review → completed,
 * plus cancelled from any state that is not final. A lease that runs out sends in_progress back to
 * pending; changes requested on an output send in_review back to in_progress.
 */
export const taskMoves: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ["in_progress", "cancelled"],
  in_progress: ["blocked", "in_review", "completed", "pending", "cancelled"],
  blocked: ["in_progress", "pending", "cancelled"],
  in_review: ["completed", "in_progress", "cancelled"],
  completed: [],
  cancelled: [],
};

export function assertTaskMove(taskId: string, from: TaskStatus, to: TaskStatus, why?: string): void {
  if (!taskMoves[from].includes(to)) {
    const allowed = taskMoves[from];
    throw new ServiceError(
      "illegal_transition",
      why ??
        `Task ${taskId} is ${from.replace("_", " ")} and cannot become ${to.replace("_", " ")}` +
          (allowed.length ? ` (from ${from} it can go to: ${allowed.join(", ")})` : ` (${from} is final)`),
      { details: { from, to, allowed } },
    );
  }
}

export const DEFAULT_LEASE_MINUTES = 30;
