import "server-only";
import { and, eq } from "drizzle-orm";
import { tasks, type TaskRow, type TaskStatus } from "@/db/schema";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";
import { writingStatus } from "../status-guard";
import { followInstructionPhase } from "../instructions/follow-phase";
import { transitionSteps } from "../steps/transitions";
import { leaseMinutesOf } from "./load";

/**
 * The task state machine. pending → in_progress → (blocked ↔ in_progress) → in_review → completed,
 * plus cancelled from any state that is not final. A lease that runs out sends in_progress back to
 * pending; changes requested on an output send in_review back to pending and open the next review
 * round (the steps are tracked again: openRound in steps/rounds.ts), so the agent claims it anew.
 * The rules around it (what each verb may do from each status, and the invariants they keep) are
 * in docs/task-rules.md.
 */
export const taskMoves: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ["in_progress", "cancelled"],
  in_progress: ["blocked", "in_review", "completed", "pending", "cancelled"],
  blocked: ["in_progress", "pending", "cancelled"],
  in_review: ["completed", "pending", "cancelled"],
  completed: [],
  cancelled: [],
};

export function assertTaskMove(taskId: string, from: TaskStatus, to: TaskStatus, why?: string): void {
  if (!taskMoves[from].includes(to)) {
    const allowed = taskMoves[from];
    throw new ServiceError(
      "illegal_transition",
      why ?? `Task ${taskId} is ${from.replace("_", " ")} and cannot become ${to.replace("_", " ")}` + (allowed.length ? ` (from ${from} it can go to: ${allowed.join(", ")})` : ` (${from} is final)`),
      { details: { from, to, allowed } },
    );
  }
}

/** The claim's pending → in_progress is written by its own guarded UPDATE (claimTransition): the machine must allow it. */
assertTaskMove("claim", "pending", "in_progress");

type TaskColumns = Partial<Omit<typeof tasks.$inferInsert, "id" | "status" | "version" | "updatedAt">>;
type Extra = Record<string, unknown>;

export interface TaskMove {
  at: number;
  emit: (e: EventInput) => number;
  /** The event's verb (task.blocked, task.requeued...). */
  verb: string;
  /** What the event says besides the statuses (which are filled in). */
  before?: Extra;
  after?: Extra | ((row: TaskRow) => Extra);
  /** Columns written together with the status (reason, lease, completedAt...). */
  set?: TaskColumns;
  /** The refusal's words when the machine forbids the move. */
  why?: string;
  /**
   * "folder": the folder bridge follows a task file to whatever folder it was moved (by hand, or by
   * an agent that speaks only the protocol): the file is the record of what happened, so any move
   * is accepted from it and recorded as coming from the folder (the bridge's conflict rule decides
   * when both sides changed). Every other caller is held to taskMoves.
   */
  source?: "folder";
}

/**
 * The one place a task's status changes: checks the move against the machine, writes it (with
 * the extra columns, updatedAt and a version bump, only if the task is still in the status it was
 * read in) and records the event. Returns the new row.
 *
 * What belongs to a status moves with it, whoever asks for the move (docs/task-rules.md), unless the
 * verb sets the column itself:
 * - the lease belongs to in_progress: entering it starts a fresh lease, leaving it ends the lease
 *   (and its reminder);
 * - the reason belongs to blocked: leaving blocked clears it;
 * - steps under way or blocked belong to a task being worked on: when the task goes back to the
 *   queue, waits (blocked) or is cancelled, they are released to pending (notes kept) and the event
 *   records them (releasedSteps).
 */
export function transitionTask(tx: Tx, task: TaskRow, to: TaskStatus, m: TaskMove): TaskRow {
  if (m.source === "folder") {
    if (task.status === to) throw new ServiceError("illegal_transition", `Task ${task.id} is already ${to.replace("_", " ")}`);
  } else {
    assertTaskMove(task.id, task.status, to, m.why);
  }
  const set: TaskColumns = { ...followingColumns(tx, task, to, m.at), ...m.set };
  const released = releasesSteps(to) ? transitionSteps(tx, task.id, "release", m.at) : [];
  const after = released.length ? (row: TaskRow) => ({ releasedSteps: released, ...(typeof m.after === "function" ? m.after(row) : m.after) }) : m.after;
  const row = recordTaskMove(
    task,
    to,
    () =>
      tx
        .update(tasks)
        .set({ ...set, status: to, updatedAt: m.at, version: task.version + 1 })
        .where(and(eq(tasks.id, task.id), eq(tasks.status, task.status)))
        .returning()
        .get(),
    { ...m, after },
  );
  // The instruction's phase follows its tasks into review, completion, a revision or a cancel.
  if (to === "in_review" || to === "completed" || to === "cancelled" || (to === "pending" && task.status === "in_review")) followInstructionPhase(tx, row.instructionId, m.at, m.emit);
  return row;
}

/** The columns that belong to a status (see transitionTask), as they must be once the task is `to`. */
function followingColumns(tx: Tx, task: TaskRow, to: TaskStatus, at: number): TaskColumns {
  const set: TaskColumns = {};
  if (to === "in_progress" && task.status !== "in_progress") {
    set.leaseExpiresAt = at + leaseMinutesOf(tx, task.assignedAgent) * 60_000;
    set.leaseRemindedAt = null;
  } else if (to !== "in_progress") {
    set.leaseExpiresAt = null;
    set.leaseRemindedAt = null;
  }
  if (to !== "blocked" && task.status === "blocked") {
    set.blockedReason = null;
    set.blockerType = null;
  }
  return set;
}

/** Moves after which nobody works on the task's steps: those under way or blocked go back to pending. */
const releasesSteps = (to: TaskStatus) => to === "pending" || to === "blocked" || to === "cancelled";

/**
 * The claim, the hot path: its prepared UPDATE ... WHERE status = 'pending' ... RETURNING is both
 * the check and the write (asserted legal above, once), so it costs no extra statement. Runs the
 * write as a status change and records task.claimed; undefined when nothing was claimable.
 */
export function claimTransition(m: Omit<TaskMove, "set" | "why" | "source" | "verb">, write: () => TaskRow | undefined): TaskRow | undefined {
  const row = writingStatus(write);
  if (row) emitMove(row, "pending", "in_progress", { ...m, verb: "task.claimed" });
  return row;
}

function recordTaskMove(task: TaskRow, to: TaskStatus, write: () => TaskRow | undefined, m: TaskMove): TaskRow {
  const row = writingStatus(write);
  if (!row) throw new ServiceError("version_conflict", `Task ${task.id} changed while it was being moved to ${to.replace("_", " ")}: try again`);
  emitMove(row, task.status, to, m);
  return row;
}

function emitMove(row: TaskRow, from: TaskStatus, to: TaskStatus, m: Pick<TaskMove, "emit" | "verb" | "before" | "after">) {
  const after = typeof m.after === "function" ? m.after(row) : m.after;
  m.emit({
    verb: m.verb,
    entityKind: "task",
    entityId: row.id,
    instructionId: row.instructionId,
    taskId: row.id,
    before: { status: from, ...m.before },
    after: { status: to, ...after },
  });
}
