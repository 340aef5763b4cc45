import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import { taskSteps, type StepStatus, type TaskRow, type TaskStepRow } from "@/db/schema";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";
import { prepared } from "../prepared";
import { writingStatus } from "../status-guard";

/**
 * The step machine. A step may be reported done straight from pending (agents often report after
 * the fact); done and skipped are final. Blocking a step blocks its task; resuming it resumes the task.
 * These are the moves an agent reports (updateStep); the system's own are in stepSystemMoves.
 */
export const stepMoves: Record<StepStatus, readonly StepStatus[]> = {
  pending: ["in_progress", "done", "skipped", "blocked"],
  in_progress: ["done", "skipped", "blocked"],
  blocked: ["in_progress", "skipped"],
  done: [],
  skipped: [],
};

/**
 * Moves the system makes on every step of a task at once, named by why:
 * - release: the task went back to the queue (lease recovery, reassignment, a fresh run), so nobody
 *   works on it: steps under way or blocked return to pending (notes and start times stay, as
 *   history; the next claimer resumes);
 * - resume: the task was unblocked, and its blocked step goes on with it (an agent's own move too).
 */
export const stepSystemMoves = {
  release: { from: ["in_progress", "blocked"], to: "pending" },
  resume: { from: ["blocked"], to: "in_progress" },
} as const satisfies Record<string, { from: readonly StepStatus[]; to: StepStatus }>;
export type StepSystemMove = keyof typeof stepSystemMoves;

for (const from of stepSystemMoves.resume.from) if (!stepMoves[from].includes(stepSystemMoves.resume.to)) throw new Error(`step machine: resume ${from} is not an agent move`);

export function assertStepMove(step: Pick<TaskStepRow, "position" | "title" | "status">, to: StepStatus): void {
  if (!stepMoves[step.status].includes(to)) {
    throw new ServiceError("illegal_transition", `Step ${step.position} (${step.title}) is ${step.status.replace("_", " ")} and cannot become ${to.replace("_", " ")}`, {
      details: { from: step.status, to, allowed: stepMoves[step.status] },
    });
  }
}

// Reporting a step is the most frequent agent write: its statement is prepared once (prepared.ts).
const ph = (name: string) => sql`${sql.placeholder(name)}`;
const writeStep = (tx: Tx) =>
  prepared(tx, "steps.write", (d) =>
    d
      .update(taskSteps)
      .set({ status: ph("status"), note: ph("note"), startedAt: ph("startedAt"), endedAt: ph("endedAt"), updatedAt: ph("at"), version: ph("version") })
      .where(and(eq(taskSteps.taskId, sql.placeholder("taskId")), eq(taskSteps.position, sql.placeholder("position"))))
      .returning()
      .prepare(),
  );

export interface StepMove {
  at: number;
  emit: (e: EventInput) => number;
  task: Pick<TaskRow, "id" | "instructionId">;
  /** The task's status once the step has moved (the event says it). */
  taskStatus: TaskRow["status"];
  note?: string;
}

/**
 * The one place a single step's status changes: checks the move against the machine, writes it
 * (from the row the caller already read: no extra query on the hot path) and records step.<status>.
 */
export function transitionStep(tx: Tx, step: TaskStepRow, to: StepStatus, m: StepMove): TaskStepRow {
  assertStepMove(step, to);
  const ending = to === "done" || to === "skipped";
  const row = writingStatus(() =>
    writeStep(tx).get({
      status: to,
      note: m.note ?? step.note,
      startedAt: step.startedAt ?? m.at,
      endedAt: ending ? m.at : null,
      at: m.at,
      version: step.version + 1,
      taskId: m.task.id,
      position: step.position,
    }),
  )!;
  m.emit({
    verb: `step.${to}`,
    entityKind: "step",
    entityId: `${m.task.id}#${step.position}`,
    instructionId: m.task.instructionId,
    taskId: m.task.id,
    before: { status: step.status, note: step.note },
    after: { status: to, note: m.note ?? null, position: step.position, title: step.title, taskStatus: m.taskStatus },
  });
  return row;
}

/**
 * A system move on every step of a task it applies to (see stepSystemMoves). Returns the positions
 * moved; the task event that caused it records them (releasedSteps, resumedSteps).
 */
export function transitionSteps(tx: Tx, taskId: string, move: StepSystemMove, at: number): number[] {
  const { from, to } = stepSystemMoves[move];
  return writingStatus(() =>
    tx
      .update(taskSteps)
      .set({ status: to, ...(to === "pending" ? { endedAt: null } : {}), updatedAt: at, version: sql`${taskSteps.version} + 1` })
      .where(and(eq(taskSteps.taskId, taskId), inArray(taskSteps.status, [...from])))
      .returning({ position: taskSteps.position })
      .all(),
  ).map((r) => r.position);
}
