import { z } from "zod";
import { eq } from "drizzle-orm";
import { agents, taskSteps, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../events";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { loadTask } from "./load";
import { releaseSteps } from "./release-steps";

export const ReassignTaskInput = z.strictObject({
  taskId: z.string().min(1),
  agent: z.string().min(1),
});

/**
 * Gives the task to another agent. Work in flight goes back to pending (the new agent claims it);
 * the steps are replaced by the new agent's Response Approach only while none has started, since
 * steps already walked are history.
 */
export function reassignTask(ctx: ServiceContext, raw: z.input<typeof ReassignTaskInput>) {
  requirePerson(ctx.actor);
  const input = parseInput(ReassignTaskInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const task = loadTask(tx, ctx.actor, input.taskId, true);
    if (task.status === "completed" || task.status === "cancelled") {
      throw new ServiceError("illegal_transition", `Task ${task.id} is ${task.status}: it cannot be reassigned`);
    }
    if (task.assignedAgent === input.agent) {
      throw new ServiceError("conflict", `Task ${task.id} is already assigned to ${input.agent}`);
    }
    const agent = tx.select().from(agents).where(eq(agents.name, input.agent)).get();
    if (!agent || !agent.active) {
      throw new ServiceError("validation_failed", `No agent named ${input.agent}`, { fields: { agent: ["Unknown agent"] } });
    }
    const steps = tx.select().from(taskSteps).where(eq(taskSteps.taskId, task.id)).all();
    const untouched = steps.every((s) => s.status === "pending");
    if (untouched) {
      tx.delete(taskSteps).where(eq(taskSteps.taskId, task.id)).run();
      if (agent.steps.length) {
        tx.insert(taskSteps)
          .values(agent.steps.map((s) => ({ taskId: task.id, position: s.position, title: s.title, guidance: s.guidance })))
          .run();
      }
    }
    const status = task.status === "in_review" ? "in_review" : "pending";
    // Nobody works on it until the new agent claims it: steps under way or blocked go back to pending.
    const released = !untouched && status === "pending" ? releaseSteps(tx, task.id, at) : [];
    const row = tx
      .update(tasks)
      .set({ assignedAgent: agent.name, status, leaseExpiresAt: null, blockedReason: null, blockerType: null, updatedAt: at, version: task.version + 1 })
      .where(eq(tasks.id, task.id))
      .returning()
      .get();
    emit({
      verb: "task.reassigned",
      entityKind: "task",
      entityId: task.id,
      instructionId: task.instructionId,
      taskId: task.id,
      before: { assignedAgent: task.assignedAgent, status: task.status },
      after: { assignedAgent: agent.name, status, stepsReplaced: untouched, releasedSteps: released },
    });
    return taskDto(row, at);
  });
}
