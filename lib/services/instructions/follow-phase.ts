import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { instructions, tasks, type TaskStatus } from "@/db/schema";
import type { InstructionPhase } from "@/lib/domain/vocabulary";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { phaseMoves } from "./change-instruction-phase";

/** Phases a person set on purpose (or final ones): the tasks' progress does not move them. */
const held: readonly InstructionPhase[] = ["blocked", "failed", "completed"];

/**
 * Where the instruction's tasks (cancelled ones aside) put it: completed when all are completed;
 * validating when all are in review or completed; correcting when one was sent back (round > 1)
 * and is being reworked after the instruction was in validation; executing once work started.
 */
function phaseOf(current: InstructionPhase, ts: { status: TaskStatus; round: number }[]): InstructionPhase | null {
  if (!ts.length) return null;
  if (ts.every((t) => t.status === "completed")) return "completed";
  if (ts.every((t) => t.status === "in_review" || t.status === "completed")) return "validating";
  if ((current === "validating" || current === "correcting") && ts.some((t) => t.round > 1 && t.status !== "completed" && t.status !== "in_review")) return "correcting";
  if ((current === "routing" || current === "planning") && ts.some((t) => t.status !== "pending")) return "executing";
  return null;
}

/**
 * Moves an instruction's phase on with its tasks, inside the caller's transaction (transitionTask
 * calls it when a task goes to review, completes, is sent back or cancelled). Only moves the
 * instruction's machine allows (phaseMoves), through executing when it has not started yet; a
 * phase a person set (blocked, failed) stays. Records instruction.phase_changed for each move.
 */
export function followInstructionPhase(tx: Tx, instructionId: string, at: number, emit: (e: EventInput) => number): void {
  const inst = tx.select({ phase: instructions.phase, version: instructions.version }).from(instructions).where(eq(instructions.id, instructionId)).get();
  if (!inst || held.includes(inst.phase)) return;
  const ts = tx
    .select({ status: tasks.status, round: tasks.round })
    .from(tasks)
    .where(and(eq(tasks.instructionId, instructionId), ne(tasks.status, "cancelled")))
    .all();
  const target = phaseOf(inst.phase, ts);
  if (!target || target === inst.phase) return;
  const path: InstructionPhase[] = phaseMoves[inst.phase].includes(target)
    ? [target]
    : phaseMoves[inst.phase].includes("executing") && phaseMoves.executing.includes(target)
      ? ["executing", target]
      : [];
  let from = inst.phase;
  let version = inst.version;
  for (const phase of path) {
    version++;
    tx.update(instructions).set({ phase, updatedAt: at, version }).where(eq(instructions.id, instructionId)).run();
    emit({ verb: "instruction.phase_changed", entityKind: "instruction", entityId: instructionId, instructionId, before: { phase: from }, after: { phase, reason: "its tasks moved on" } });
    from = phase;
  }
}
