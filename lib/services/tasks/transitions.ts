import "server-only";
import { and, eq } from "drizzle-orm";
import { tasks, type TaskRow, type TaskStatus } from "@/db/schema";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";
import { writingStatus } from "../status-guard";

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
 */
export function transitionTask(tx: Tx, task: TaskRow, to: TaskStatus, m: TaskMove): TaskRow {
  if (m.source === "folder") {
    if (task.status === to) throw new ServiceError("illegal_transition", `Task ${task.id} is already ${to.replace("_", " ")}`);
  } else {
    assertTaskMove(task.id, task.status, to, m.why);
  }
  return recordTaskMove(
    task,
    to,
    () =>
      tx
        .update(tasks)
        .set({ ...m.set, status: to, updatedAt: m.at, version: task.version + 1 })
        .where(and(eq(tasks.id, task.id), eq(tasks.status, task.status)))
        .returning()
        .get(),
    m,
  );
}

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

export const DEFAULT_LEASE_MINUTES = 30;
