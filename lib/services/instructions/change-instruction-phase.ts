import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { instructions, instructionPhases } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { instructionDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";

export const ChangeInstructionPhaseInput = z.strictObject({
  id: z.string().min(1),
  phase: z.enum(instructionPhases),
});

/** Phases follow the protocol's flow; completed and failed are final. */
export const phaseMoves: Record<(typeof instructionPhases)[number], readonly (typeof instructionPhases)[number][]> = {
  routing: ["planning", "executing", "blocked", "failed"],
  planning: ["executing", "blocked", "failed"],
  executing: ["validating", "completed", "blocked", "failed", "correcting"],
  validating: ["completed", "correcting", "blocked", "failed"],
  correcting: ["executing", "validating", "blocked", "failed"],
  blocked: ["routing", "planning", "executing", "validating", "correcting", "failed"],
  completed: [],
  failed: [],
};

export function changeInstructionPhase(ctx: ServiceContext, raw: z.input<typeof ChangeInstructionPhaseInput>) {
  requirePerson(ctx.actor);
  const { id, phase } = parseInput(ChangeInstructionPhaseInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const before = tx.select().from(instructions).where(eq(instructions.id, id)).get();
    if (!before) throw notFound("Instruction", id);
    if (!phaseMoves[before.phase].includes(phase)) {
      throw new ServiceError("illegal_transition", `An instruction cannot go from ${before.phase} to ${phase}`, {
        details: { from: before.phase, to: phase, allowed: phaseMoves[before.phase] },
      });
    }
    const row = tx
      .update(instructions)
      .set({ phase, updatedAt: at, version: before.version + 1 })
      .where(eq(instructions.id, id))
      .returning()
      .get();
    emit({ verb: "instruction.phase_changed", entityKind: "instruction", entityId: id, instructionId: id, before: { phase: before.phase }, after: { phase } });
    return instructionDto(row);
  });
}
