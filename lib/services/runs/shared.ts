import "server-only";
import { eq } from "drizzle-orm";
import { runs, type RunLogRow, type RunRow, type RunStatus } from "@/db/schema";
import type { Actor } from "@/lib/auth/actor";
import { activeRunStatuses } from "@/lib/domain/vocabulary";
import type { Tx } from "../context";
import type { EventInput } from "../events";
import { notFound, ServiceError } from "../errors";

/** Run events name their entity "run". */
export const RUN_ENTITY: EventInput["entityKind"] = "run";

export const ACTIVE_RUN_STATUSES = activeRunStatuses;

/** The `run.finished` event, whichever way a run ends (finished, failed, cancelled before it started). */
export function runFinishedEvent(run: Pick<RunRow, "id">, task: { id: string; instructionId: string } | null, before: Record<string, unknown>, after: Record<string, unknown>): EventInput {
  return { verb: "run.finished", entityKind: RUN_ENTITY, entityId: run.id, instructionId: task?.instructionId ?? null, taskId: task?.id ?? null, before, after };
}
export const isActive = (s: RunStatus) => s === "queued" || s === "running";

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

export function runDto(r: RunRow, extra: { queuePosition?: number | null } = {}) {
  return {
    id: r.id,
    taskId: r.taskId,
    agent: r.agentName,
    status: r.status,
    trigger: r.trigger,
    retryOf: r.retryOf,
    preset: r.preset,
    command: r.command,
    requestedBy: r.requestedBy,
    createdAt: iso(r.createdAt)!,
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: r.startedAt != null ? (r.endedAt ?? Date.now()) - r.startedAt : null,
    exitCode: r.exitCode,
    signal: r.signal,
    reason: r.reason,
    tokenId: r.tokenId,
    cancelRequested: r.cancelRequestedAt != null,
    cancelRequestedBy: r.cancelRequestedBy,
    logLines: r.logLines,
    droppedLines: r.droppedLines,
    /** The task's review round when the run was queued (null for a run without a task). */
    round: r.round,
    /** What woke the agent (trigger "wake"), one wake per line. */
    wakeReason: r.wakeReason,
    /** The session the run was asked to continue, and the program's own session id once known. */
    resumeSessionId: r.resumeSessionId,
    sessionId: r.sessionId,
    usage: { inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cacheReadTokens, cacheCreationTokens: r.cacheCreationTokens, costUsd: r.costUsd },
    /** 1 = next to start, among every queued run (FIFO); null unless queued. */
    queuePosition: r.status === "queued" ? (extra.queuePosition ?? null) : null,
  };
}
export type RunDto = ReturnType<typeof runDto>;

export function runLogLineDto(l: RunLogRow) {
  return { seq: l.seq, stream: l.stream, text: l.text, at: iso(l.at)! };
}
export type RunLogLineDto = ReturnType<typeof runLogLineDto>;

export function loadRun(tx: Pick<Tx, "select">, runId: string): RunRow {
  const run = tx.select().from(runs).where(eq(runs.id, runId)).get();
  if (!run) throw notFound("Run", runId);
  return run;
}

/** The supervisor's own verbs (start, output, finish) are not for people or agents. */
export function requireSystem(actor: Actor): void {
  if (actor.kind !== "system") throw new ServiceError("forbidden", "Only the run supervisor may do this");
}
