import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { instructions } from "@/db/schema";
import { MAX_TIER, MIN_TIER } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { instructionDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { multiLineText, parseInput, prioritySchema, singleLineText } from "../validate";

export const UpdateInstructionInput = z.strictObject({
  id: z.string().min(1),
  title: singleLineText(200, "Title is required").optional(),
  body: multiLineText(200_000).optional(),
  tier: z.number().int().min(MIN_TIER).max(MAX_TIER).optional(),
  priority: prioritySchema.optional(),
  expectedVersion: z.number().int().positive().optional(),
});

export function updateInstruction(ctx: ServiceContext, raw: z.input<typeof UpdateInstructionInput>) {
  requirePerson(ctx.actor);
  const { id, expectedVersion, ...patch } = parseInput(UpdateInstructionInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const before = tx.select().from(instructions).where(eq(instructions.id, id)).get();
    if (!before) throw notFound("Instruction", id);
    if (expectedVersion !== undefined && expectedVersion !== before.version) {
      throw new ServiceError("version_conflict", `Instruction ${id} is at version ${before.version}, not ${expectedVersion}`);
    }
    const changed = Object.fromEntries(Object.entries(patch).filter(([k, v]) => v !== undefined && v !== before[k as keyof typeof before]));
    if (Object.keys(changed).length === 0) return instructionDto(before);
    const row = tx
      .update(instructions)
      .set({ ...changed, updatedAt: at, version: before.version + 1 })
      .where(eq(instructions.id, id))
      .returning()
      .get();
    emit({
      verb: "instruction.updated",
      entityKind: "instruction",
      entityId: id,
      instructionId: id,
      before: Object.fromEntries(Object.keys(changed).map((k) => [k, before[k as keyof typeof before]])),
      after: changed,
    });
    return instructionDto(row);
  });
}
