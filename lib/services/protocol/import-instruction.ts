import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { instructionPhases, instructions, type InstructionRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { instructionDto } from "../dto";
import { ServiceError } from "../errors";
import { parseInput, prioritySchema } from "../validate";
import { INSTRUCTION_ID_PATTERN, requireBridge, same, SourcePathInput, type ImportOutcome } from "./shared";

const Doc = z.record(z.string(), z.unknown());
const modelled = ["title", "body", "tier", "priority", "phase", "createdBy"] as const;

export const ImportInstructionInput = z.strictObject({
  id: z.string().regex(INSTRUCTION_ID_PATTERN, "An instruction id looks like inst_20260103_005"),
  title: z.string().trim().min(1).max(200),
  body: z.string().max(1_000_000).default(""),
  tier: z.number().int().min(0).max(4).default(1),
  priority: prioritySchema.default("normal"),
  phase: z.enum(instructionPhases).default("routing"),
  createdBy: z.string().min(1).max(200),
  createdAt: z.number().int().nonnegative(),
  /** True when createdAt was read from a file; false for a fallback (the folder's mtime). */
  createdAtKnown: z.boolean().default(false),
  updatedAt: z.number().int().nonnegative().optional(),
  sourcePath: SourcePathInput.nullable(),
  /** The parsed instruction.yaml / status.yaml; null = the file is absent; undefined = keep what is stored. */
  instructionDoc: Doc.nullable().optional(),
  statusDoc: Doc.nullable().optional(),
  /** Every other file of the folder (plan, decisions, reviews, episodic logs...), as text, by path inside the folder. */
  documents: z.record(SourcePathInput, z.string().max(1_048_576)).optional(),
  /** Documents to keep as stored although absent from `documents` (a file that could not be read this time). */
  keepDocuments: z.array(z.string()).default([]),
  /** An existing instruction of that id whose created_at differs comes from another folder. */
  onCollision: z.enum(["skip", "merge"]).default("skip"),
  /** Modelled fields not to overwrite on an existing row (a conflict the database won; an unreadable file). */
  keepFields: z.array(z.enum(modelled)).default([]),
});
export type ImportInstructionInput = z.input<typeof ImportInstructionInput>;

export interface InstructionOriginal {
  "instruction.yaml"?: Record<string, unknown>;
  "status.yaml"?: Record<string, unknown>;
  documents?: Record<string, string>;
}

/**
 * Creates or updates an instruction from its Agent_Memory folder, keeping the folder's documents in
 * `original`. Re-importing an unchanged folder writes nothing and appends no event.
 */
export function importInstruction(ctx: ServiceContext, raw: ImportInstructionInput) {
  requireBridge(ctx.actor);
  const input = parseInput(ImportInstructionInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const eventIds: number[] = [];
    const before = tx.select().from(instructions).where(eq(instructions.id, input.id)).get();
    const old = ((before?.original ?? {}) as InstructionOriginal) || {};
    if (before && input.createdAtKnown && before.createdAt !== input.createdAt && input.onCollision === "skip") {
      throw new ServiceError(
        "conflict",
        `Instruction ${input.id} already exists and was created at ${new Date(before.createdAt).toISOString()}, ` +
          `but this folder says ${new Date(input.createdAt).toISOString()}: it is another instruction with the same id ` +
          `(ids are unique per folder only). Rename the folder, or import with onCollision "merge" to merge them`,
        { details: { id: input.id, existingSource: before.sourcePath, existingCreatedAt: before.createdAt, createdAt: input.createdAt } },
      );
    }
    const original: InstructionOriginal = {};
    const instructionDoc = input.instructionDoc === undefined ? old["instruction.yaml"] : (input.instructionDoc ?? undefined);
    const statusDoc = input.statusDoc === undefined ? old["status.yaml"] : (input.statusDoc ?? undefined);
    if (instructionDoc) original["instruction.yaml"] = instructionDoc;
    if (statusDoc) original["status.yaml"] = statusDoc;
    let documents: Record<string, string> = { ...(old.documents ?? {}) };
    if (input.documents !== undefined) {
      documents = { ...input.documents };
      for (const k of input.keepDocuments) if (old.documents?.[k] !== undefined && documents[k] === undefined) documents[k] = old.documents[k];
    }
    documents = Object.fromEntries(Object.entries(documents).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (Object.keys(documents).length) original.documents = documents;

    const changedDocs: string[] = [];
    if (!same(old["instruction.yaml"], original["instruction.yaml"])) changedDocs.push("instruction.yaml");
    if (!same(old["status.yaml"], original["status.yaml"])) changedDocs.push("status.yaml");
    const allDocs = new Set([...Object.keys(old.documents ?? {}), ...Object.keys(documents)]);
    for (const k of allDocs) if ((old.documents ?? {})[k] !== documents[k]) changedDocs.push(k);

    if (!before) {
      const row = tx
        .insert(instructions)
        .values({
          id: input.id,
          title: input.title,
          body: input.body,
          tier: input.tier,
          priority: input.priority,
          phase: input.phase,
          createdBy: input.createdBy,
          createdAt: input.createdAt,
          updatedAt: Math.max(input.createdAt, input.updatedAt ?? input.createdAt),
          sourcePath: input.sourcePath,
          original: original as Record<string, unknown>,
        })
        .returning()
        .get();
      eventIds.push(
        emit({
          verb: "instruction.created",
          entityKind: "instruction",
          entityId: row.id,
          instructionId: row.id,
          after: { title: row.title, tier: row.tier, priority: row.priority, phase: row.phase, source: "folder", sourcePath: row.sourcePath },
        }),
      );
      return { outcome: "created" as ImportOutcome, instruction: instructionDto(row), changedFields: [...modelled] as string[], changedDocuments: changedDocs, eventIds };
    }

    const patch: Partial<InstructionRow> = {};
    for (const k of modelled) {
      if (input.keepFields.includes(k)) continue;
      if (before[k] !== input[k]) (patch as Record<string, unknown>)[k] = input[k];
    }
    const fieldChanges = Object.keys(patch);
    if (before.sourcePath !== input.sourcePath && input.sourcePath !== null) patch.sourcePath = input.sourcePath;
    if (changedDocs.length) patch.original = original as Record<string, unknown>;
    if (Object.keys(patch).length === 0) {
      return { outcome: "unchanged" as ImportOutcome, instruction: instructionDto(before), changedFields: [] as string[], changedDocuments: [] as string[], eventIds };
    }
    const row = tx
      .update(instructions)
      .set({ ...patch, updatedAt: at, version: before.version + 1 })
      .where(eq(instructions.id, before.id))
      .returning()
      .get();
    if (patch.phase !== undefined) {
      eventIds.push(
        emit({ verb: "instruction.phase_changed", entityKind: "instruction", entityId: row.id, instructionId: row.id, before: { phase: before.phase }, after: { phase: row.phase, source: "folder" } }),
      );
    }
    const others = fieldChanges.filter((k) => k !== "phase");
    if (others.length || changedDocs.length || patch.sourcePath !== undefined) {
      eventIds.push(
        emit({
          verb: "instruction.updated_from_file",
          entityKind: "instruction",
          entityId: row.id,
          instructionId: row.id,
          before: Object.fromEntries(others.map((k) => [k, before[k as keyof InstructionRow]])),
          after: { ...Object.fromEntries(others.map((k) => [k, row[k as keyof InstructionRow]])), documents: changedDocs, sourcePath: row.sourcePath },
        }),
      );
    }
    return { outcome: "updated" as ImportOutcome, instruction: instructionDto(row), changedFields: fieldChanges, changedDocuments: changedDocs, eventIds };
  });
}
