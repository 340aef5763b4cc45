import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { agents, tasks } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { taskDto } from "../dto";
import { ServiceError } from "../errors";
import { requireAssignable } from "../access/memory-permissions";
import { requirePerson } from "../policy";
import { parseInput } from "../validate";
import { loadTask } from "./load";
import { transitionSteps } from "../steps/transitions";
import { followAgentSteps } from "./task-steps";
import { transitionTask } from "./transitions";

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
    requireAssignable(tx, agent.name, task.instructionId, "agent");
    const stepsReplaced = followAgentSteps(tx, task.id, agent);
    const set = { assignedAgent: agent.name, leaseExpiresAt: null, blockedReason: null, blockerType: null };
    const event = { verb: "task.reassigned", before: { assignedAgent: task.assignedAgent } };
    let row;
    if (task.status === "in_progress" || task.status === "blocked") {
      // Nobody works on it until the new agent claims it: back to pending, steps under way or blocked too.
      const released = transitionSteps(tx, task.id, "release", at);
      row = transitionTask(tx, task, "pending", { at, emit, ...event, set, after: { assignedAgent: agent.name, stepsReplaced, releasedSteps: released } });
    } else {
      // Pending stays pending, in review stays in review (its output is still the one to review): no move.
      row = tx
        .update(tasks)
        .set({ ...set, updatedAt: at, version: task.version + 1 })
        .where(eq(tasks.id, task.id))
        .returning()
        .get();
      emit({
        verb: event.verb,
        entityKind: "task",
        entityId: task.id,
        instructionId: task.instructionId,
        taskId: task.id,
        before: { ...event.before, status: task.status },
        after: { assignedAgent: agent.name, status: task.status, stepsReplaced, releasedSteps: [] },
      });
    }
    return taskDto(row, at);
  });
}
