import "server-only";
import { and, eq } from "drizzle-orm";
import { outputs, type OutputRow } from "@/db/schema";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";
import { writingStatus } from "../status-guard";

type OutputStatus = OutputRow["status"];

/**
 * The output machine. A version waits for review until a person approves it or requests changes,
 * or a newer version of the same task supersedes it; then it is final.
 */
export const outputMoves: Record<OutputStatus, readonly OutputStatus[]> = {
  pending_review: ["approved", "changes_requested", "superseded"],
  approved: [],
  changes_requested: [],
  superseded: [],
};

export function assertOutputMove(output: Pick<OutputRow, "id" | "version" | "status">, to: OutputStatus): void {
  if (outputMoves[output.status].includes(to)) return;
  throw new ServiceError(
    "illegal_transition",
    output.status === "superseded"
      ? `Output ${output.id} (v${output.version}) was superseded by a newer version: review the latest one`
      : output.status === "pending_review"
        ? `Output ${output.id} is waiting for review and cannot become ${to.replace("_", " ")}`
        : `Output ${output.id} was already reviewed (${output.status.replace("_", " ")})`,
    { details: { status: output.status, from: output.status, to, allowed: outputMoves[output.status] } },
  );
}

export interface OutputMove {
  emit: (e: EventInput) => number;
  instructionId: string;
  /** The event's verb (default output.<status>). */
  verb?: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** The one place an output's status changes: checks the move, writes it, records the event. */
export function transitionOutput(tx: Tx, output: OutputRow, to: OutputStatus, m: OutputMove): OutputRow {
  assertOutputMove(output, to);
  const row = writingStatus(() =>
    tx
      .update(outputs)
      .set({ status: to })
      .where(and(eq(outputs.id, output.id), eq(outputs.status, output.status)))
      .returning()
      .get(),
  );
  if (!row) throw new ServiceError("version_conflict", `Output ${output.id} changed while it was being reviewed: try again`);
  m.emit({
    verb: m.verb ?? `output.${to}`,
    entityKind: "output",
    entityId: output.id,
    instructionId: m.instructionId,
    taskId: output.taskId,
    before: { status: output.status, ...m.before },
    after: { status: to, ...m.after },
  });
  return row;
}

/**
 * pending_review → superseded for the task's versions still waiting, when a newer one arrives (so the
 * review queue shows each task once). Returns their ids; the output.submitted event of the new
 * version records them (superseded).
 */
if (!outputMoves.pending_review.includes("superseded")) throw new Error("output machine: supersedeOutputs needs pending_review → superseded");
export function supersedeOutputs(tx: Tx, taskId: string): { id: string }[] {
  return writingStatus(() =>
    tx
      .update(outputs)
      .set({ status: "superseded" })
      .where(and(eq(outputs.taskId, taskId), eq(outputs.status, "pending_review")))
      .returning({ id: outputs.id })
      .all(),
  );
}
