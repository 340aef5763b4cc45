import "server-only";
import { z } from "zod";
import { and, eq } from "drizzle-orm";
import { agents, instructions, taskDependencies, tasks, taskStatuses, type TaskRow } from "@/db/schema";
import { taskAuthorities } from "@/lib/domain/vocabulary";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import type { EventInput } from "../events";
import { followAgentSteps } from "../tasks/task-steps";
import { transitionTask } from "../tasks/transitions";
import { taskDto } from "../dto";
import { notFound } from "../errors";
import { parseInput, prioritySchema } from "../validate";
import { insertTask, taskContentColumns } from "../tasks/new-task";
import { AgentNameInput, ensureAgentRow, keptOriginal, requireBridge, same, SourcePathInput, TASK_REF_PATTERN, taskFolderOf, type ImportOutcome } from "./shared";

const text = (max: number) => z.string().max(max);
const list = (maxItems: number, maxLen: number) => z.array(z.string().max(maxLen)).max(maxItems).default([]);

export const ImportTaskInput = z.strictObject({
  instructionId: z.string().min(1),
  ref: z.string().regex(TASK_REF_PATTERN, "A task id is letters, digits, '_', '.', '-' (e.g. T3)"),
  title: z.string().trim().min(1).max(200),
  description: text(1_000_000).default(""),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/)
    .default("create"),
  assignedAgent: AgentNameInput,
  status: z.enum(taskStatuses),
  priority: prioritySchema.default("normal"),
  authority: z.enum(taskAuthorities).default("review_required"),
  deadline: z.number().int().nullable().default(null),
  acceptanceCriteria: list(500, 5000),
  filesToModify: list(1000, 1000),
  filesToCreate: list(1000, 1000),
  /** Refs of tasks in the same instruction; undefined leaves the stored dependencies alone. */
  dependsOn: z.array(z.string().regex(TASK_REF_PATTERN)).max(500).optional(),
  /** The parent task's ref in the same instruction (a strategic task of a tactical one); null none, undefined leaves it alone. */
  parentRef: z.string().regex(TASK_REF_PATTERN).nullable().optional(),
  blockedReason: text(20_000).nullable().default(null),
  blockerType: z.string().max(100).nullable().default(null),
  createdAt: z.number().int().nonnegative(),
  createdAtKnown: z.boolean().default(false),
  completedAt: z.number().int().nonnegative().nullable().default(null),
  createdBy: z.string().min(1).max(200),
  sourcePath: SourcePathInput.nullable(),
  /** The task file as parsed; undefined keeps the stored one. */
  original: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ImportTaskInput = z.input<typeof ImportTaskInput>;

type Changes = Record<string, { before: unknown; after: unknown }>;

/** Is `taskId` (or one of its ancestors) `ancestorId`? Walks up at most 64 parents. */
function descendsFrom(tx: Tx, taskId: string, ancestorId: string): boolean {
  let at: string | null = taskId;
  for (let i = 0; at && i < 64; i++) {
    if (at === ancestorId) return true;
    at = tx.select({ p: tasks.parentTaskId }).from(tasks).where(eq(tasks.id, at)).get()?.p ?? null;
  }
  return false;
}

/**
 * Upserts a task from its file in tasks/{state}/: the folder is the status, the protocol id is the
 * ref. Unknown agents get an inactive row. Unchanged input writes nothing and appends no event.
 */
export function importTask(ctx: ServiceContext, raw: ImportTaskInput) {
  requireBridge(ctx.actor);
  const input = parseInput(ImportTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const eventIds: number[] = [];
    const instruction = tx.select({ id: instructions.id }).from(instructions).where(eq(instructions.id, input.instructionId)).get();
    if (!instruction) throw notFound("Instruction", input.instructionId);
    ensureAgentRow(tx, emit, at, input.assignedAgent, eventIds);
    const before = tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.instructionId, input.instructionId), eq(tasks.ref, input.ref)))
      .get();

    // Dependencies by ref inside the instruction; refs not (yet) imported are reported back.
    let depIds: string[] | undefined;
    const unresolved: string[] = [];
    if (input.dependsOn) {
      const siblings = new Map(
        tx
          .select({ id: tasks.id, ref: tasks.ref })
          .from(tasks)
          .where(eq(tasks.instructionId, input.instructionId))
          .all()
          .map((s) => [s.ref, s.id]),
      );
      depIds = [];
      for (const r of new Set(input.dependsOn)) {
        if (r === input.ref) continue;
        const id = siblings.get(r);
        if (id) depIds.push(id);
        else unresolved.push(r);
      }
      depIds.sort();
    }
    // The parent by ref too: one not (yet) imported is reported back like a dependency.
    let parentId: string | null | undefined;
    if (input.parentRef === null || input.parentRef === input.ref) parentId = null;
    else if (input.parentRef !== undefined) {
      parentId =
        tx
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.instructionId, input.instructionId), eq(tasks.ref, input.parentRef)))
          .get()?.id ?? null;
      if (parentId === null) unresolved.push(input.parentRef);
      // A parent that is this task's own descendant would make a loop: not linked.
      else if (before && descendsFrom(tx, parentId, before.id)) {
        unresolved.push(input.parentRef);
        parentId = null;
      }
    }
    const blocked = input.status === "blocked";

    if (!before) {
      const agent = tx.select().from(agents).where(eq(agents.name, input.assignedAgent)).get()!;
      // Work still to do gets the agent's Response Approach, as a task created in the dashboard would.
      const open = input.status === "pending" || input.status === "in_progress" || input.status === "blocked";
      const { row, steps } = insertTask(
        tx,
        at,
        {
          instructionId: input.instructionId,
          ref: input.ref,
          ...taskContentColumns(input),
          blockedReason: blocked ? input.blockedReason : null,
          blockerType: blocked ? input.blockerType : null,
          completedAt: input.status === "completed" ? (input.completedAt ?? input.createdAt) : null,
          createdBy: input.createdBy,
          createdAt: input.createdAt,
          updatedAt: Math.max(input.createdAt, input.completedAt ?? 0),
          sourcePath: input.sourcePath,
          original: input.original ?? null,
          parentTaskId: parentId ?? null,
        },
        depIds ?? [],
        open ? agent : null,
      );
      const id = row.id;
      eventIds.push(
        emit({
          verb: "task.created",
          entityKind: "task",
          entityId: id,
          instructionId: input.instructionId,
          taskId: id,
          after: {
            title: row.title,
            ref: row.ref,
            assignedAgent: row.assignedAgent,
            status: row.status,
            priority: row.priority,
            steps: steps.length,
            dependsOn: depIds ?? [],
            ...(parentId ? { parentTaskId: parentId } : {}),
            source: "folder",
            sourcePath: row.sourcePath,
          },
        }),
      );
      return { outcome: "created" as ImportOutcome, task: taskDto(row, at), unresolvedDependencies: unresolved, eventIds };
    }

    const status = taskFolderOf(before.status) === taskFolderOf(input.status) ? before.status : input.status;
    const desired: Partial<TaskRow> = {
      ...taskContentColumns({ ...input, status }),
      blockedReason: status === "blocked" ? input.blockedReason : null,
      blockerType: status === "blocked" ? input.blockerType : null,
    };
    if (input.createdAtKnown) desired.createdAt = input.createdAt;
    if (status === "completed") desired.completedAt = input.completedAt ?? (before.status === "completed" ? before.completedAt : at);
    else desired.completedAt = null;
    if (input.sourcePath !== null) desired.sourcePath = input.sourcePath;
    if (input.original !== undefined) desired.original = input.original && keptOriginal(before.original, input.original, ["created_at", "completed_at", "created_by"]);
    if (parentId !== undefined) desired.parentTaskId = parentId;

    const changes: Changes = {};
    for (const [k, v] of Object.entries(desired)) {
      const b = before[k as keyof TaskRow];
      if (!same(b, v)) changes[k] = { before: b, after: v };
    }
    let depsChanged = false;
    if (depIds) {
      const current = tx
        .select({ d: taskDependencies.dependsOnTaskId })
        .from(taskDependencies)
        .where(eq(taskDependencies.taskId, before.id))
        .all()
        .map((r) => r.d)
        .sort();
      depsChanged = !same(current, depIds);
      if (depsChanged) changes.dependsOn = { before: current, after: depIds };
    }
    if (Object.keys(changes).length === 0) {
      return { outcome: "unchanged" as ImportOutcome, task: taskDto(before, at), unresolvedDependencies: unresolved, eventIds };
    }

    const patch: Partial<TaskRow> = {};
    for (const k of Object.keys(changes)) if (k !== "dependsOn") (patch as Record<string, unknown>)[k] = desired[k as keyof TaskRow];
    if (patch.status !== undefined && patch.status !== "in_progress" && patch.status !== "blocked") patch.leaseExpiresAt = null;
    const { status: to, ...columns } = patch;
    const shown = Object.keys(changes).filter((k) => k !== "original" && k !== "assignedAgent");
    const fileEvent = {
      verb: "task.updated_from_file",
      before: Object.fromEntries(shown.map((k) => [k, changes[k].before])),
      after: (r: TaskRow) => ({ ...Object.fromEntries(shown.map((k) => [k, changes[k].after])), originalChanged: "original" in changes, sourcePath: r.sourcePath }),
    };
    let row: TaskRow;
    if (to !== undefined) {
      // The file moved to another folder: the bridge follows it (a move of the machine's "folder" source).
      const record = (e: EventInput) => {
        const id = emit(e);
        eventIds.push(id);
        return id;
      };
      row = transitionTask(tx, before, to, { at, emit: record, ...fileEvent, set: columns, source: "folder" });
    } else {
      row = tx
        .update(tasks)
        .set({ ...columns, updatedAt: at, version: before.version + 1 })
        .where(eq(tasks.id, before.id))
        .returning()
        .get();
      eventIds.push(
        emit({
          verb: fileEvent.verb,
          entityKind: "task",
          entityId: before.id,
          instructionId: before.instructionId,
          taskId: before.id,
          before: fileEvent.before,
          after: fileEvent.after(row),
        }),
      );
    }
    if (depsChanged && depIds) {
      tx.delete(taskDependencies).where(eq(taskDependencies.taskId, before.id)).run();
      if (depIds.length)
        tx.insert(taskDependencies)
          .values(depIds.map((d) => ({ taskId: before.id, dependsOnTaskId: d })))
          .run();
    }
    if (patch.assignedAgent !== undefined) {
      // Untouched steps follow the new agent, as reassignTask does (steps already walked are history).
      const agent = tx.select().from(agents).where(eq(agents.name, row.assignedAgent)).get()!;
      const stepsReplaced = row.status !== "completed" && row.status !== "cancelled" && followAgentSteps(tx, before.id, agent);
      eventIds.push(
        emit({
          verb: "task.reassigned",
          entityKind: "task",
          entityId: before.id,
          instructionId: before.instructionId,
          taskId: before.id,
          before: { assignedAgent: before.assignedAgent, status: before.status },
          after: { assignedAgent: row.assignedAgent, status: row.status, stepsReplaced, source: "folder" },
        }),
      );
    }
    return { outcome: "updated" as ImportOutcome, task: taskDto(row, at), unresolvedDependencies: unresolved, eventIds };
  });
}
