import "server-only";
import { ServiceError, taskOwner, type ServiceContext } from "@/lib/services";
import { requirePerson } from "@/lib/services/policy";
import { createRun, getRun, retryRun, type RunDto } from "@/lib/services/runs";
import { getRunSupervisor } from "./supervisor";

/** What the task page shows beside the Run button. Never the runner's env (it may hold secrets). */
export interface RunnerStatus {
  agent: string;
  configured: boolean;
  /** Why there is no runner (the Run button's explanation). */
  reason: string | null;
  source: "config" | "definition" | null;
  preset: string | null;
  autoStart: boolean;
  concurrency: number | null;
  timeoutMs: number | null;
  command: string[];
}

export function runnerStatus(agent: string): RunnerStatus {
  const none = { agent, configured: false, source: null, preset: null, autoStart: false, concurrency: null, timeoutMs: null, command: [] };
  const sup = getRunSupervisor();
  if (!sup) return { ...none, reason: "Runs are not enabled in this server process" };
  const r = sup.preview(agent);
  if (!r.ok) return { ...none, reason: r.reason };
  return {
    agent,
    configured: true,
    reason: null,
    source: r.runner.source,
    preset: r.runner.preset,
    autoStart: r.runner.autoStart,
    concurrency: r.runner.concurrency,
    timeoutMs: r.runner.timeoutMs,
    command: r.command,
  };
}

function runnable(ctx: ServiceContext, taskId: string) {
  requirePerson(ctx.actor);
  const agent = taskOwner(ctx, taskId);
  if (!agent) throw new ServiceError("not_found", `Task ${taskId} does not exist`);
  const sup = getRunSupervisor();
  if (!sup) throw new ServiceError("unavailable", "Runs are not enabled in this server process");
  const r = sup.preview(agent);
  if (!r.ok) throw new ServiceError("conflict", r.reason, { details: { agent } });
  return { sup, preset: r.runner.preset, command: r.command };
}

/** "Run now": queues a run of the task's agent; the supervisor starts it when a slot frees. */
export function requestRun(ctx: ServiceContext, taskId: string): RunDto {
  const { sup, preset, command } = runnable(ctx, taskId);
  const run = createRun(ctx, { taskId, preset, command, trigger: "manual" });
  sup.wake();
  return getRun(ctx, run.id);
}

export function requestRetry(ctx: ServiceContext, runId: string): RunDto {
  const prev = getRun(ctx, runId);
  if (!prev.taskId) throw new ServiceError("conflict", `Run ${runId} had no task: it answered messages, and is not retried`);
  const { sup, preset, command } = runnable(ctx, prev.taskId);
  const run = retryRun(ctx, { runId, preset, command });
  sup.wake();
  return getRun(ctx, run.id);
}
