import "server-only";
import { and, eq, notExists } from "drizzle-orm";
import { taskSteps, tasks, type AgentRow, type TaskRow, type TaskStepRow } from "@/db/schema";
import { AgentWorkflow } from "@/lib/agents/definition";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { ServiceError } from "../errors";

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

// ---------------------------------------------------------------------------------------------
// Workflows: a definition with several alternative procedures (lib/agents/parse.ts parseWorkflows).
// syncAgents keeps them on the agent row as `extra.workflows` (no column of their own); the row's
// `steps` are the first workflow's.

const StoredWorkflows = AgentWorkflow.array().min(2);

/** The agent's alternative workflows (at least two), or [] when it has a single procedure. */
export function agentWorkflows(agent: Pick<AgentRow, "extra">): AgentWorkflow[] {
  const parsed = StoredWorkflows.safeParse(agent.extra?.workflows);
  return parsed.success ? parsed.data : [];
}

/**
 * The steps a new task of this agent gets: its default steps, or those of the workflow named
 * (case and surrounding spaces do not matter). An unknown name, or a name for an agent without
 * workflows, is a validation error (422) listing the names there are.
 */
export function stepsForWorkflow(agent: Pick<AgentRow, "name" | "steps" | "extra">, workflow: string | null | undefined): Pick<AgentRow, "steps"> & { workflow: string | null } {
  if (workflow === undefined || workflow === null) return { steps: agent.steps, workflow: null };
  const workflows = agentWorkflows(agent);
  const wanted = workflow.trim().toLowerCase();
  const found = workflows.find((w) => w.name.toLowerCase() === wanted);
  if (found) return { steps: found.steps, workflow: found.name };
  const names = workflows.map((w) => w.name);
  const message = names.length ? `Agent ${agent.name} has no workflow "${workflow}" (its workflows: ${names.join(", ")})` : `Agent ${agent.name} has a single procedure: leave the workflow out`;
  throw new ServiceError("validation_failed", message, { fields: { workflow: [message] }, details: { workflows: names } });
}

/**
 * When an agent's definition brings steps for the first time (it appeared after tasks named it, as
 * when a folder was imported before the definitions were synced), its pending tasks that have no
 * steps get them now. Tasks already under way, and tasks with steps, keep what they have. Returns
 * the ids of the tasks given steps; one `task.steps_added` event each.
 */
export function giveStepsToWaitingTasks(tx: Tx, agent: Pick<AgentRow, "name" | "steps">, emit: (e: EventInput) => number): string[] {
  if (!agent.steps.length) return [];
  const waiting = tx
    .select({ id: tasks.id, instructionId: tasks.instructionId })
    .from(tasks)
    .where(and(eq(tasks.assignedAgent, agent.name), eq(tasks.status, "pending"), notExists(tx.select({ one: taskSteps.position }).from(taskSteps).where(eq(taskSteps.taskId, tasks.id)))))
    .all();
  for (const t of waiting) {
    const steps = copyAgentSteps(tx, t.id, agent);
    emit({
      verb: "task.steps_added",
      entityKind: "task",
      entityId: t.id,
      instructionId: t.instructionId,
      taskId: t.id,
      before: { steps: 0 },
      after: { steps: steps.length, agent: agent.name, reason: "the agent's definition was synced after the task was created" },
    });
  }
  return waiting.map((t) => t.id);
}

/**
 * Why a task shows no steps, in words for the task page; null when it has steps. For the task
 * detail (a `stepsNote` field) — not wired in yet.
 */
export function stepsNote(task: Pick<TaskRow, "status" | "assignedAgent">, stepCount: number, agent: Pick<AgentRow, "active" | "steps" | "stepsSource"> | null | undefined): string | null {
  if (stepCount > 0) return null;
  if (!agent || !agent.active) {
    return `No definition of ${task.assignedAgent} is loaded (it is not in AGENTS_DIR): the task gets the agent's steps when its definition is synced, as long as it is pending.`;
  }
  if (!agent.steps.length) {
    return `The definition of ${task.assignedAgent} has no numbered steps (no Response Approach or Workflow list).`;
  }
  if (task.status === "pending") return `The task was created while ${task.assignedAgent}'s definition had no steps.`;
  return `The task was under way before ${task.assignedAgent}'s definition had steps; a task under way keeps what it has.`;
}
