import "server-only";
import { z } from "zod";
import { and, desc, eq } from "drizzle-orm";
import { instructions, outputFormats, outputs, taskStatuses, tasks } from "@/db/schema";
import { newId } from "@/lib/ids";
import { fileActions } from "@/lib/domain/vocabulary";
import { appendOutputVersion } from "../outputs/submit-output";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { outputDto, taskDto } from "../dto";
import { notFound } from "../errors";
import { parseInput } from "../validate";
import { AgentNameInput, ensureAgentRow, requireBridge, SourcePathInput, TASK_REF_PATTERN, type ImportOutcome } from "./shared";

export const ImportOutputInput = z.strictObject({
  instructionId: z.string().min(1),
  taskRef: z.string().regex(TASK_REF_PATTERN),
  sourcePath: SourcePathInput,
  format: z.enum(outputFormats),
  language: z.string().max(40).nullable().default(null),
  content: z.string().min(1).max(1_048_576),
  files: z
    .array(z.strictObject({ path: z.string().min(1).max(1000), action: z.enum(fileActions).optional() }))
    .max(500)
    .default([]),
  submittedBy: z.string().min(1).max(200),
  createdAt: z.number().int().nonnegative(),
  /** When the result names a task that has no file: the task is created from it so the output has a home. */
  placeholder: z.strictObject({
    title: z.string().trim().min(1).max(200),
    assignedAgent: AgentNameInput,
    status: z.enum(taskStatuses),
  }),
});
export type ImportOutputInput = z.input<typeof ImportOutputInput>;

/**
 * A result file (`outputs/partial/{task_id}_result.yaml`) becomes an output version of its task. The
 * same content again is no new version; changed content is the next version (superseding one still
 * waiting for review), as submitOutput would do.
 */
export function importOutput(ctx: ServiceContext, raw: ImportOutputInput) {
  requireBridge(ctx.actor);
  const input = parseInput(ImportOutputInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const eventIds: number[] = [];
    if (!tx.select({ id: instructions.id }).from(instructions).where(eq(instructions.id, input.instructionId)).get()) {
      throw notFound("Instruction", input.instructionId);
    }
    let task = tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.instructionId, input.instructionId), eq(tasks.ref, input.taskRef)))
      .get();
    let placeholder = false;
    if (!task) {
      ensureAgentRow(tx, emit, at, input.placeholder.assignedAgent, eventIds);
      task = tx
        .insert(tasks)
        .values({
          id: newId("tsk", at),
          instructionId: input.instructionId,
          ref: input.taskRef,
          title: input.placeholder.title,
          assignedAgent: input.placeholder.assignedAgent,
          status: input.placeholder.status,
          completedAt: input.placeholder.status === "completed" ? input.createdAt : null,
          createdBy: "system:folder-bridge",
          createdAt: input.createdAt,
          updatedAt: input.createdAt,
        })
        .returning()
        .get();
      placeholder = true;
      eventIds.push(
        emit({
          verb: "task.created",
          entityKind: "task",
          entityId: task.id,
          instructionId: task.instructionId,
          taskId: task.id,
          after: { title: task.title, ref: task.ref, assignedAgent: task.assignedAgent, status: task.status, source: "folder", placeholderFor: input.sourcePath },
        }),
      );
    }
    const versions = tx.select().from(outputs).where(eq(outputs.taskId, task.id)).orderBy(desc(outputs.version)).all();
    const latest = versions[0];
    const fromThisFile = versions.find((v) => v.sourcePath === input.sourcePath);
    const sameAs = (o: (typeof versions)[number] | undefined) => !!o && o.content === input.content && o.format === input.format;
    if (sameAs(latest) || sameAs(fromThisFile)) {
      return { outcome: "unchanged" as ImportOutcome, output: outputDto(latest ?? fromThisFile!), task: taskDto(task, at), placeholder, eventIds };
    }
    const { row, eventId } = appendOutputVersion(
      tx,
      at,
      emit,
      task,
      {
        format: input.format,
        language: input.language,
        content: input.content,
        files: input.files,
        submittedBy: input.submittedBy,
        createdAt: latest ? Math.max(input.createdAt, latest.createdAt) : input.createdAt,
        sourcePath: input.sourcePath,
      },
      { touchTask: !placeholder, after: { source: "folder", sourcePath: input.sourcePath } },
    );
    eventIds.push(eventId);
    const version = row.version;
    return { outcome: (version === 1 ? "created" : "updated") as ImportOutcome, output: outputDto(row), task: taskDto(task, at), placeholder, eventIds };
  });
}
