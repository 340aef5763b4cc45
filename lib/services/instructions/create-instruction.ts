import "server-only";
import { z } from "zod";
import { and, desc, gte, lt } from "drizzle-orm";
import { instructions } from "@/db/schema";
import { DEFAULT_TIER, MAX_TIER, MIN_TIER } from "@/lib/domain/vocabulary";
import { instructionId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import { instructionDto } from "../dto";
import { requirePerson } from "../policy";
import { multiLineText, parseInput, prioritySchema, singleLineText } from "../validate";

export const CreateInstructionInput = z.strictObject({
  title: singleLineText(200, "Title is required"),
  body: multiLineText(200_000).default(""),
  tier: z.number().int().min(MIN_TIER).max(MAX_TIER).default(DEFAULT_TIER),
  priority: prioritySchema.default("normal"),
});
export type CreateInstructionInput = z.input<typeof CreateInstructionInput>;

/** Next id of the day: inst_YYYYMMDD_NNN, from the highest one already there (a primary-key range scan). */
export function nextInstructionId(tx: Tx, at: number): string {
  const day = new Date(at);
  const prefix = instructionId(day, 0).slice(0, -3);
  const last = tx
    .select({ id: instructions.id })
    .from(instructions)
    .where(and(gte(instructions.id, prefix), lt(instructions.id, prefix + "~")))
    .orderBy(desc(instructions.id))
    .limit(1)
    .get();
  const seq = last ? Number(last.id.slice(prefix.length)) + 1 : 1;
  return instructionId(day, seq);
}

export function createInstruction(ctx: ServiceContext, raw: CreateInstructionInput) {
  requirePerson(ctx.actor);
  const input = parseInput(CreateInstructionInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const id = nextInstructionId(tx, at);
    const row = tx
      .insert(instructions)
      .values({
        id,
        title: input.title,
        body: input.body,
        tier: input.tier,
        priority: input.priority,
        phase: "routing",
        createdBy: actorId(ctx.actor),
        createdAt: at,
        updatedAt: at,
      })
      .returning()
      .get();
    const dto = instructionDto(row);
    emit({ verb: "instruction.created", entityKind: "instruction", entityId: id, instructionId: id, after: { title: dto.title, tier: dto.tier, priority: dto.priority } });
    return dto;
  });
}
