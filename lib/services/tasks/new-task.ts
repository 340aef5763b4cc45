import "server-only";
import { taskDependencies, tasks, type AgentRow, type TaskRow, type TaskStepRow } from "@/db/schema";
import { newId } from "@/lib/ids";
import type { Tx } from "../context";
import { priorityRank } from "../validate";
import { copyAgentSteps } from "./task-steps";

type TaskContent = Pick<TaskRow, "title" | "description" | "type" | "assignedAgent" | "status" | "priority" | "authority" | "deadline" | "acceptanceCriteria" | "filesToModify" | "filesToCreate">;

/**
 * A task's content columns, from a dashboard/API create or a task file: what a person or file says
 * about the task, with the priority's sort rank beside it. The order is the one events list changes in.
 */
export function taskContentColumns(v: TaskContent): TaskContent & Pick<TaskRow, "priorityRank"> {
  return {
    title: v.title,
    description: v.description,
    type: v.type,
    assignedAgent: v.assignedAgent,
    status: v.status,
    priority: v.priority,
    priorityRank: priorityRank[v.priority],
    authority: v.authority,
    deadline: v.deadline,
    acceptanceCriteria: v.acceptanceCriteria,
    filesToModify: v.filesToModify,
    filesToCreate: v.filesToCreate,
  };
}

/**
 * Inserts a new task (createTask, and the folder bridge's import of a task file) with the tasks it
 * depends on and, given its agent, a copy of that agent's Response Approach as its steps.
 */
export function insertTask(
  tx: Tx,
  at: number,
  values: Omit<typeof tasks.$inferInsert, "id">,
  dependsOn: readonly string[],
  stepsFrom: Pick<AgentRow, "steps"> | null,
): { row: TaskRow; steps: TaskStepRow[] } {
  const row = tx
    .insert(tasks)
    .values({ id: newId("tsk", at), ...values })
    .returning()
    .get();
  if (dependsOn.length)
    tx.insert(taskDependencies)
      .values(dependsOn.map((d) => ({ taskId: row.id, dependsOnTaskId: d })))
      .run();
  return { row, steps: stepsFrom ? copyAgentSteps(tx, row.id, stepsFrom) : [] };
}
