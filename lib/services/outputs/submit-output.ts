import "server-only";
import { z } from "zod";
import { and, desc, eq, sql } from "drizzle-orm";
import { outputFormats, outputs, taskSteps, type OutputRow } from "@/db/schema";
import { newId } from "@/lib/ids";
import { fileActions } from "@/lib/domain/vocabulary";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import type { EventInput } from "../events";
import { writeTx } from "../write-tx";
import { outputDto } from "../dto";
import { supersedeOutputs } from "./transitions";
import { ServiceError } from "../errors";
import { multiLineText, parseInput, singleLineText } from "../validate";
import { loadTask, touchLease } from "../tasks/load";
import { requireOutputWrite } from "../access/memory-permissions";

const fileEntry = z.union([
  singleLineText(500, "A path is required").transform((path) => ({ path })),
  z.strictObject({
    path: singleLineText(500, "A path is required"),
    action: z.enum(fileActions).optional(),
    additions: z.number().int().nonnegative().optional(),
    deletions: z.number().int().nonnegative().optional(),
  }),
]);

export const SubmitOutputInput = z
  .strictObject({
    taskId: z.string().min(1),
    format: z.enum(outputFormats),
    content: multiLineText(1_000_000, "An output needs content"),
    language: singleLineText(40).optional(),
    files: z.array(fileEntry).max(500).default([]),
    stepPosition: z.number().int().positive().optional(),
    leaseToken: z.number().int().nonnegative().optional(),
  })
  .superRefine((v, c) => {
    if (v.format === "code" && !v.language) c.addIssue({ code: "custom", path: ["language"], message: "Code needs its language" });
  });
export type SubmitOutputInput = z.input<typeof SubmitOutputInput>;

/**
 * Hands in a new version of the task's output. A version still waiting for review is superseded by
 * the new one, so the review queue shows each task once, at its latest version.
 */
export function submitOutput(ctx: ServiceContext, raw: SubmitOutputInput) {
  const input = parseInput(SubmitOutputInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    if (ctx.actor.kind === "person") throw new ServiceError("forbidden", "Outputs are handed in by the agent working on the task");
    if (!["in_progress", "blocked", "in_review"].includes(task.status)) {
      throw new ServiceError("illegal_transition", `Task ${task.id} is ${task.status.replace("_", " ")}: it takes no new output`);
    }
    touchLease(tx, ctx.actor, task, at, input.leaseToken);
    let stepPosition = input.stepPosition ?? null;
    if (stepPosition !== null) {
      const step = tx
        .select({ p: taskSteps.position })
        .from(taskSteps)
        .where(and(eq(taskSteps.taskId, task.id), eq(taskSteps.position, stepPosition)))
        .get();
      if (!step) throw new ServiceError("validation_failed", `Task ${task.id} has no step ${stepPosition}`, { fields: { stepPosition: ["No such step"] } });
    } else {
      const current = tx
        .select({ p: taskSteps.position })
        .from(taskSteps)
        .where(and(eq(taskSteps.taskId, task.id), eq(taskSteps.status, "in_progress")))
        .orderBy(taskSteps.position)
        .limit(1)
        .get();
      stepPosition = current?.p ?? null;
    }
    const { row } = appendOutputVersion(tx, at, emit, task, {
      format: input.format,
      language: input.language ?? null,
      content: input.content,
      files: input.files,
      stepPosition,
      submittedBy: actorId(ctx.actor),
    });
    return outputDto(row);
  });
}

export interface OutputVersionValues {
  format: OutputRow["format"];
  language: string | null;
  content: string;
  files: OutputRow["files"];
  submittedBy: string;
  stepPosition?: number | null;
  createdAt?: number;
  sourcePath?: string | null;
}

/**
 * Adds the next version of a task's output inside the caller's transaction and announces it
 * (output.submitted). A version still waiting for review is superseded, so the review queue shows
 * each task once, at its latest. The task's updated_at moves unless `touchTask` is false (the
 * import's placeholder task was just written). Used by submitOutput and by the folder bridge's import.
 * The one check of who may hand in outputs: the task's agent's Memory Ownership must write the
 * instruction's outputs/ (docs/permissions.md); refused before anything is written.
 */
export function appendOutputVersion(
  tx: Tx,
  at: number,
  emit: (e: EventInput) => number,
  task: { id: string; instructionId: string; assignedAgent: string },
  v: OutputVersionValues,
  opts: { touchTask?: boolean; after?: Record<string, unknown> } = {},
): { row: OutputRow; eventId: number } {
  requireOutputWrite(tx, task.assignedAgent, task.instructionId);
  const last = tx.select({ v: outputs.version }).from(outputs).where(eq(outputs.taskId, task.id)).orderBy(desc(outputs.version)).limit(1).get();
  const superseded = supersedeOutputs(tx, task.id);
  const row = tx
    .insert(outputs)
    .values({
      id: newId("out", at),
      taskId: task.id,
      version: (last?.v ?? 0) + 1,
      format: v.format,
      language: v.language,
      content: v.content,
      files: v.files,
      status: "pending_review",
      stepPosition: v.stepPosition ?? null,
      submittedBy: v.submittedBy,
      createdAt: v.createdAt ?? at,
      sourcePath: v.sourcePath ?? null,
    })
    .returning()
    .get();
  if (opts.touchTask !== false) tx.run(sql`UPDATE tasks SET updated_at = ${at} WHERE id = ${task.id}`);
  const eventId = emit({
    verb: "output.submitted",
    entityKind: "output",
    entityId: row.id,
    instructionId: task.instructionId,
    taskId: task.id,
    after: { version: row.version, format: row.format, files: row.files.length, stepPosition: row.stepPosition, superseded: superseded.map((s) => s.id), ...opts.after },
  });
  return { row, eventId };
}
