import "server-only";
import { z } from "zod";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { parseInput } from "../validate";
import { requireBridge, SourcePathInput } from "./shared";

export const RecordBridgeConflictInput = z.strictObject({
  entityKind: z.enum(["instruction", "task", "message", "output"]),
  entityId: z.string().min(1).max(200),
  instructionId: z.string().max(100).nullable().default(null),
  taskId: z.string().max(100).nullable().default(null),
  /** The file that changed while the database changed too. */
  path: SourcePathInput,
  /** Where the losing side was kept (`T1.conflict-20260103T101500Z.yaml`). */
  keptAs: SourcePathInput.nullable(),
  winner: z.enum(["database", "file"]),
  /** The fields both sides changed, and what each said. */
  fields: z.record(z.string(), z.strictObject({ database: z.unknown(), file: z.unknown() })).default({}),
  rule: z.string().max(500),
});

/** Both sides changed since the last sync: the rule decided, and this records what was kept where. */
export function recordBridgeConflict(ctx: ServiceContext, raw: z.input<typeof RecordBridgeConflictInput>) {
  requireBridge(ctx.actor);
  const input = parseInput(RecordBridgeConflictInput, raw);
  return writeTx(ctx, (_tx, _at, emit) => {
    const id = emit({
      verb: "bridge.conflict",
      entityKind: input.entityKind,
      entityId: input.entityId,
      instructionId: input.instructionId,
      taskId: input.taskId,
      after: { path: input.path, keptAs: input.keptAs, winner: input.winner, fields: input.fields, rule: input.rule },
    });
    return { eventIds: [id] };
  });
}
