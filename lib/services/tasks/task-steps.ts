import "server-only";
import { eq } from "drizzle-orm";
import { taskSteps, type AgentRow, type TaskStepRow } from "@/db/schema";
import type { Tx } from "../context";

/**
 * Copies an agent's Response Approach onto a task as its steps (so later edits of the definition do
 * not rewrite history). Used when a task is created in the dashboard and when the bridge imports one.
 */
export function copyAgentSteps(tx: Tx, taskId: string, agent: Pick<AgentRow, "steps">): TaskStepRow[] {
  if (!agent.steps.length) return [];
  return tx
    .insert(taskSteps)
    .values(agent.steps.map((s) => ({ taskId, position: s.position, title: s.title, guidance: s.guidance })))
    .returning()
    .all();
}

/**
 * A task given to another agent takes the new agent's steps only while none has started: steps
 * already walked are history. Returns whether the steps were replaced. Used by reassignTask and by
 * the bridge when a task file names another agent.
 */
export function followAgentSteps(tx: Tx, taskId: string, agent: Pick<AgentRow, "steps">): boolean {
  const steps = tx.select({ status: taskSteps.status }).from(taskSteps).where(eq(taskSteps.taskId, taskId)).all();
  if (!steps.every((s) => s.status === "pending")) return false;
  tx.delete(taskSteps).where(eq(taskSteps.taskId, taskId)).run();
  copyAgentSteps(tx, taskId, agent);
  return true;
}
