import "server-only";
import { z } from "zod";
import { and, eq, sql } from "drizzle-orm";
import { taskSteps } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound, ServiceError } from "../errors";
import { parseInput, singleLineText } from "../validate";
import { checkLease, lockTask } from "../tasks/load";
import { prepared } from "../prepared";
import type { Tx } from "../context";

// Tool activity comes after every tool call of a hooked agent: prepared once (prepared.ts).
const selectStep = (tx: Tx) =>
  prepared(tx, "steps.activityOf", (d) =>
    d
      .select({ position: taskSteps.position, title: taskSteps.title, status: taskSteps.status })
      .from(taskSteps)
      .where(and(eq(taskSteps.taskId, sql.placeholder("taskId")), eq(taskSteps.position, sql.placeholder("position"))))
      .prepare(),
  );

export const RecordStepActivityInput = z.strictObject({
  taskId: z.string().min(1),
  position: z.number().int().positive(),
  /** The tool the agent used (Claude Code's tool_name: Edit, Bash, mcp__…). */
  tool: singleLineText(100).pipe(z.string().trim().min(1, "Name the tool")),
  /** One line on what it did (a file, a command), shown under the step. */
  summary: singleLineText(200).optional(),
  leaseToken: z.number().int().nonnegative().optional(),
});

/**
 * A line of tool activity on a step under way, reported by the agent's own tooling rather than by
 * the model (the Claude Code PostToolUse hook of `agentdesk connect`): recorded as `step.activity` on
 * the step's history, and a heartbeat. It changes no status. Only the task's agent, only on a task in
 * progress and a step in progress (activity elsewhere is refused: 409 illegal_transition).
 */
export function recordStepActivity(ctx: ServiceContext, raw: z.input<typeof RecordStepActivityInput>) {
  if (ctx.actor.kind !== "agent") throw new ServiceError("forbidden", "Only the task's agent reports tool activity");
  const input = parseInput(RecordStepActivityInput, raw);
  return writeTx(
    ctx,
    (tx, at, emit) => {
      // The task touched and locked (its lease renewed, updated_at left as it is): READ COMMITTED, see touchTaskForWrite.
      const task = lockTask(tx, ctx.actor, input.taskId, at, { touch: false });
      checkLease(ctx.actor, task, input.leaseToken);
      const step = selectStep(tx).get({ taskId: task.id, position: input.position });
      if (!step) throw notFound("Step", `${task.id}#${input.position}`);
      if (task.status !== "in_progress" || step.status !== "in_progress") {
        throw new ServiceError(
          "illegal_transition",
          `Step ${step.position} of ${task.id} is ${step.status.replace("_", " ")} (task ${task.status.replace("_", " ")}): activity is recorded on a step in progress`,
          {
            details: { taskStatus: task.status, stepStatus: step.status },
          },
        );
      }
      emit({
        verb: "step.activity",
        entityKind: "step",
        entityId: `${task.id}#${step.position}`,
        instructionId: task.instructionId,
        taskId: task.id,
        after: { position: step.position, title: step.title, tool: input.tool, summary: input.summary ?? null },
      });
      return { taskId: task.id, position: step.position, tool: input.tool, summary: input.summary ?? null, at: new Date(at).toISOString() };
    },
    { isolation: "read-committed", eventsLater: true },
  );
}
