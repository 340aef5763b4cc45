import "server-only";
import { z } from "zod";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import { agents, instructions, tasks } from "@/db/schema";
import { taskAuthorities, taskTypes } from "@/lib/domain/vocabulary";
import { actorId } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { stepDto, taskDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requireAssignable } from "../access/memory-permissions";
import { requirePerson } from "../policy";
import { multiLineText, parseInput, prioritySchema, singleLineText } from "../validate";
import { insertTask, taskContentColumns } from "./new-task";
import { stepsForWorkflow } from "./task-steps";

const pathList = z.array(z.string().trim().min(1).max(500)).max(200).default([]);

export const CreateTaskInput = z.strictObject({
  instructionId: z.string().min(1),
  ref: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "Use letters, digits, '_', '.', '-' (e.g. T3)")
    .optional(),
  title: singleLineText(200, "Title is required"),
  description: multiLineText(100_000).default(""),
  type: z.enum(taskTypes).default("create"),
  assignedAgent: z.string().min(1, "Choose an agent"),
  acceptanceCriteria: z
    .array(multiLineText(2000).pipe(z.string().trim().min(1)))
    .max(100)
    .default([]),
  filesToModify: pathList,
  filesToCreate: pathList,
  /** Ids (or refs such as T1) of tasks in the same instruction that must complete first. */
  dependsOn: z.array(z.string().min(1)).max(100).default([]),
  priority: prioritySchema.default("normal"),
  authority: z.enum(taskAuthorities).default("review_required"),
  deadline: z.iso.datetime({ offset: true }).nullable().optional(),
  /** Which of the agent's alternative workflows the task follows (its name); left out: the default (first) one. */
  workflow: z.string().trim().min(1).max(200).optional(),
});
export type CreateTaskInput = z.input<typeof CreateTaskInput>;

/**
 * Creates a task in an instruction, assigns it, and copies the agent's Response Approach onto it.
 *
 * The next ref (T{n}) comes from the instruction's tasks, so creates in one instruction must run
 * one after another, each seeing the one before. On PostgreSQL a SERIALIZABLE transaction cannot
 * (its snapshot is older than the create it waited for: two creates at once picked the same ref,
 * and under contention some failed all their tries), so this verb runs READ COMMITTED and takes
 * what it reads under row locks instead: it first writes the instruction's row and then its
 * agent's (a write that changes nothing), which makes a concurrent create wait and then read
 * both rows and the siblings as committed. Being writes, not bare locks, they also make a
 * SERIALIZABLE verb that read the instruction's or the agent's tasks before this commit, and
 * writes that row after it, fail and run again (PostgreSQL's "concurrent update"): the
 * instruction's phase following its tasks (followInstructionPhase) and an agent's first steps
 * given to its waiting tasks (giveStepsToWaitingTasks) then see the new task. SQLite: one writer,
 * nothing changes.
 */
export function createTask(ctx: ServiceContext, raw: CreateTaskInput) {
  requirePerson(ctx.actor);
  const input = parseInput(CreateTaskInput, raw);
  return writeTx(
    ctx,
    (tx, at, emit) => {
      const instruction = tx
        .update(instructions)
        .set({ version: sql`${instructions.version}` })
        .where(eq(instructions.id, input.instructionId))
        .returning()
        .get();
      if (!instruction) throw notFound("Instruction", input.instructionId);
      // A completed instruction takes more work (its phase followed its tasks there: a follow-up task
      // reopens it); a failed one is closed for good.
      if (instruction.phase === "failed") {
        throw new ServiceError("illegal_transition", `Instruction ${instruction.id} failed: no new tasks (create a new instruction)`);
      }
      const agent = tx
        .update(agents)
        .set({ active: sql`${agents.active}` })
        .where(eq(agents.name, input.assignedAgent))
        .returning()
        .get();
      if (!agent || !agent.active) {
        throw new ServiceError("validation_failed", `No agent named ${input.assignedAgent}`, {
          fields: { assignedAgent: [`Unknown agent ${input.assignedAgent}`] },
        });
      }

      requireAssignable(tx, agent.name, instruction.id, "assignedAgent");
      const stepsFrom = stepsForWorkflow(agent, input.workflow);

      const siblings = tx.select({ id: tasks.id, ref: tasks.ref }).from(tasks).where(eq(tasks.instructionId, instruction.id)).all();
      let ref = input.ref;
      if (ref && siblings.some((s) => s.ref === ref)) {
        throw new ServiceError("conflict", `Instruction ${instruction.id} already has a task ${ref}`, { fields: { ref: ["Already used"] } });
      }
      if (!ref) {
        const used = new Set(siblings.map((s) => s.ref));
        let n = siblings.length + 1;
        while (used.has(`T${n}`)) n++;
        ref = `T${n}`;
      }

      const wanted = [...new Set(input.dependsOn)];
      const deps = wanted.length
        ? tx
            .select({ id: tasks.id, ref: tasks.ref })
            .from(tasks)
            .where(and(eq(tasks.instructionId, instruction.id), or(inArray(tasks.id, wanted), inArray(tasks.ref, wanted))))
            .all()
        : [];
      const missing = wanted.filter((w) => !deps.some((d) => d.id === w || d.ref === w));
      if (missing.length) {
        throw new ServiceError("validation_failed", `Dependencies not found in ${instruction.id}: ${missing.join(", ")}`, {
          fields: { dependsOn: missing.map((m) => `Unknown task ${m}`) },
        });
      }

      const depIds = [...new Set(deps.map((d) => d.id))];
      const { row, steps } = insertTask(
        tx,
        at,
        {
          instructionId: instruction.id,
          ref,
          ...taskContentColumns({ ...input, assignedAgent: agent.name, status: "pending", deadline: input.deadline ? Date.parse(input.deadline) : null }),
          createdBy: actorId(ctx.actor),
          createdAt: at,
          updatedAt: at,
        },
        depIds,
        stepsFrom,
      );
      const id = row.id;
      if (instruction.phase === "routing" || instruction.phase === "planning" || instruction.phase === "completed") {
        tx.update(instructions)
          .set({ phase: "executing", updatedAt: at, version: instruction.version + 1 })
          .where(eq(instructions.id, instruction.id))
          .run();
        emit({
          verb: "instruction.phase_changed",
          entityKind: "instruction",
          entityId: instruction.id,
          instructionId: instruction.id,
          before: { phase: instruction.phase },
          after: { phase: "executing", ...(instruction.phase === "completed" ? { reason: "a new task reopened it" } : {}) },
        });
      }
      emit({
        verb: "task.created",
        entityKind: "task",
        entityId: id,
        instructionId: instruction.id,
        taskId: id,
        after: { title: row.title, assignedAgent: row.assignedAgent, priority: row.priority, steps: steps.length, dependsOn: depIds, ...(stepsFrom.workflow ? { workflow: stepsFrom.workflow } : {}) },
      });
      return { ...taskDto(row, at), dependsOn: depIds, steps: steps.map(stepDto) };
    },
    { isolation: "read-committed" },
  );
}
