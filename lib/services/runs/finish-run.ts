import "server-only";
import { z } from "zod";
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { apiTokens, events, runLog, runs, runUsage, taskSteps, tasks, type RunRow, type RunStatus, type TaskRow } from "@/db/schema";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import { parseInput } from "../validate";
import { escalateToPeople } from "../messages/send-message";
import { transitionTask } from "../tasks/transitions";
import { loadRun, requireSystem, runFinishedEvent, runDto } from "./shared";

const tokenCount = z.number().int().nonnegative().max(1e12);

export const runOutcomes = ["exited", "cancelled", "timed_out", "spawn_failed", "lost"] as const;

export const FinishRunInput = z.strictObject({
  runId: z.string().min(1),
  /**
   * exited: the process ended by itself; cancelled: a person (or the server shutting down) stopped
   * it; timed_out: it ran past its timeout; spawn_failed: it never started; lost: the server that
   * ran it is gone (found at start-up).
   */
  outcome: z.enum(runOutcomes),
  exitCode: z.number().int().nullable().default(null),
  signal: z.string().max(20).nullable().default(null),
  /** Extra words for the reason (the spawn error, the timeout length, who shut the server down). */
  detail: z.string().max(2000).optional(),
  /** Whether the people's inbox hears about a run that leaves its task unfinished (default true). */
  notify: z.boolean().default(true),
  /** The program's own session id (claude-code: stream-json session_id). */
  sessionId: z.string().max(200).optional(),
  /** Readable words for the blocked reason and the escalation instead of the raw last lines (a claude-code transcript's last text). */
  excerpt: z.string().max(4000).optional(),
  /** Tokens and cost the program reported, with each model message's share and time (to attribute it to the step in progress). */
  usage: z
    .strictObject({
      inputTokens: tokenCount,
      outputTokens: tokenCount,
      cacheReadTokens: tokenCount,
      cacheCreationTokens: tokenCount,
      costUsd: z.number().nonnegative().max(1e6).nullable(),
      messages: z
        .array(z.strictObject({ at: z.number().int().nonnegative(), inputTokens: tokenCount, outputTokens: tokenCount, cacheReadTokens: tokenCount, cacheCreationTokens: tokenCount }))
        .max(100_000)
        .default([]),
    })
    .optional(),
});

const TAIL_LINES = 12;
const MAX_REASON = 5000;

/** Finished on the agent's side: it handed in (in review), finished, or stopped on purpose (blocked). */
const handedOver = (s: TaskRow["status"]) => s === "in_review" || s === "completed" || s === "blocked" || s === "cancelled";

function lastLines(tx: Tx, runId: string): string[] {
  return tx
    .select({ text: runLog.text })
    .from(runLog)
    .where(and(eq(runLog.runId, runId), inArray(runLog.stream, ["stdout", "stderr"])))
    .orderBy(desc(runLog.seq))
    .limit(TAIL_LINES)
    .all()
    .reverse()
    .map((l) => (l.text.length > 300 ? `${l.text.slice(0, 300)}…` : l.text));
}

/**
 * The reason the person gave when they asked to cancel a running run. It travels in the
 * run.cancel_requested event (the runs table has no column for it), so it reaches the run's end
 * whichever process stops it, and whatever the supervisor passes along.
 */
function cancelReason(tx: Tx, run: RunRow): string | null {
  if (!run.cancelRequestedAt) return null;
  const e = tx
    .select({ after: events.after })
    .from(events)
    .where(and(eq(events.entityKind, "run"), eq(events.entityId, run.id), eq(events.verb, "run.cancel_requested")))
    .orderBy(desc(events.id))
    .limit(1)
    .get();
  const reason = (e?.after as { reason?: unknown } | null | undefined)?.reason;
  return typeof reason === "string" && reason.trim() ? reason.trim() : null;
}

function describe(tx: Tx, run: RunRow, input: z.output<typeof FinishRunInput>, status: RunStatus, taskStatus: TaskRow["status"] | null): string {
  const detail = input.detail ? `: ${input.detail}` : "";
  switch (input.outcome) {
    case "cancelled": {
      // A person's own words win over the supervisor's (e.g. the server shutting down during the grace period).
      const why = run.cancelRequestedBy ? cancelReason(tx, run) : null;
      return `Cancelled by ${run.cancelRequestedBy ?? "the server"}${why ? `: ${why}` : detail}`;
    }
    case "timed_out":
      return input.detail ? `Timed out ${input.detail}` : "Timed out";
    case "spawn_failed":
      return `The program could not be started${detail}`;
    case "lost":
      return `The server stopped while the run was going${detail}`;
    case "exited":
      if (input.exitCode === null) return `Killed by ${input.signal ?? "a signal"}${detail}`;
      if (status === "failed" && input.exitCode === 0 && taskStatus) return `Exited with code 0 while the task was still ${taskStatus.replace("_", " ")}${detail}`;
      return `Exited with code ${input.exitCode}${detail}`;
  }
}

/**
 * The end of a run, whatever ended it: the status, the exit code, the per-run token revoked. If the
 * task is still with this agent and not handed over, a task in progress is blocked with the reason
 * and the last lines of output (a pending one, never claimed, stays pending), and the people's inbox
 * gets an escalation (unless a person cancelled the run themselves, or notify is false). Idempotent: a finished run is returned as is.
 */
export function finishRun(ctx: ServiceContext, raw: z.input<typeof FinishRunInput>) {
  requireSystem(ctx.actor);
  const input = parseInput(FinishRunInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    const run = loadRun(tx, input.runId);
    if (run.status !== "running" && run.status !== "queued") return { run: runDto(run), taskBlocked: false, messageId: null as string | null };
    // A run without a task (answering messages) succeeds when its program exits 0.
    const task = run.taskId ? tx.select().from(tasks).where(eq(tasks.id, run.taskId)).get()! : null;
    const status: RunStatus =
      input.outcome === "cancelled"
        ? "cancelled"
        : input.outcome === "timed_out"
          ? "timed_out"
          : input.outcome === "exited" && input.exitCode === 0 && (!task || handedOver(task.status))
            ? "succeeded"
            : "failed";
    const reason = describe(tx, run, input, status, task?.status ?? null);
    const u = input.usage;
    const row = tx
      .update(runs)
      .set({
        status,
        endedAt: at,
        exitCode: input.exitCode,
        signal: input.signal,
        reason,
        ...(input.sessionId ? { sessionId: input.sessionId } : {}),
        ...(u ? { inputTokens: u.inputTokens, outputTokens: u.outputTokens, cacheReadTokens: u.cacheReadTokens, cacheCreationTokens: u.cacheCreationTokens, costUsd: u.costUsd } : {}),
      })
      .where(eq(runs.id, run.id))
      .returning()
      .get();
    if (u) recordUsage(tx, row, u);
    if (run.tokenId) {
      const revoked = tx
        .update(apiTokens)
        .set({ revokedAt: at })
        .where(and(eq(apiTokens.id, run.tokenId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id })
        .get();
      if (revoked) emit({ verb: "token.revoked", entityKind: "token", entityId: run.tokenId, before: { revoked: false }, after: { revoked: true, agent: run.agentName, label: `run:${run.id}` } });
    }

    // A run without a task (answering messages) ends here: no task to block.
    if (!task) {
      emit(runFinishedEvent(run, null, { status: run.status }, { status, exitCode: input.exitCode, signal: input.signal, reason, taskBlocked: false }));
      return { run: runDto(row), taskBlocked: false, messageId: null as string | null };
    }

    let taskBlocked = false;
    let messageId: string | null = null;
    const stillOurs = task.assignedAgent === run.agentName;
    if (run.status === "running" && stillOurs && (task.status === "pending" || task.status === "in_progress")) {
      const tail = input.excerpt ? input.excerpt.split("\n") : lastLines(tx, run.id);
      let blockedReason = `Run ${run.id} ended before the task was handed in. ${reason}.`;
      if (tail.length) blockedReason += `\nLast output:\n${tail.join("\n")}`;
      if (blockedReason.length > MAX_REASON) blockedReason = `${blockedReason.slice(0, MAX_REASON - 1)}…`;
      // A run that ends before its agent claimed the task leaves it pending (pending → blocked is no
      // move of the task machine: nobody held it, and unblocking would put it in progress unclaimed).
      // The people hear of it all the same, and retry or reassign it from the queue.
      if (task.status === "in_progress") {
        transitionTask(tx, task, "blocked", {
          at,
          emit,
          verb: "task.blocked",
          set: { blockedReason, blockerType: "other", leaseExpiresAt: null, leaseRemindedAt: null },
          after: { reason: blockedReason, blockerType: "other", runId: run.id },
        });
        taskBlocked = true;
      }
      const byPerson = input.outcome === "cancelled" && run.cancelRequestedBy !== null;
      if (input.notify && !byPerson) {
        const msg = escalateToPeople(tx, ctx, at, emit, {
          subject: `Run ${status.replace("_", " ")}: ${task.title}`.slice(0, 300),
          body:
            `The ${run.agentName} run \`${run.id}\` on task ${task.ref} ended ${taskBlocked ? "before the task was handed in, so the task is now blocked" : "before its agent claimed the task, which stays pending"}.\n\n` +
            `**${reason}.**\n\n` +
            (tail.length ? "Last output:\n\n```\n" + tail.join("\n").replace(/```/g, "ʼʼʼ") + "\n```\n\n" : "") +
            "Open the task to read the whole log, then retry the run or reassign the task.",
          taskId: task.id,
        });
        messageId = msg.id;
      }
    }

    emit(runFinishedEvent(run, task, { status: run.status }, { status, exitCode: input.exitCode, signal: input.signal, reason, taskBlocked }));
    return { run: runDto(row), taskBlocked, messageId };
  });
}

type Usage = NonNullable<z.output<typeof FinishRunInput>["usage"]>;

/** Relative prices of the token kinds (Anthropic's list prices: output 5×, cache writes 1.25×, cache reads 0.1× an input token), to share a run's cost between its messages. */
const weight = (m: Usage["messages"][number]) => m.inputTokens + 5 * m.outputTokens + 1.25 * m.cacheCreationTokens + 0.1 * m.cacheReadTokens;

/**
 * run_usage: the run's tokens and cost by the step that was in progress when each model message
 * arrived (position 0 when none was). The cost, reported once for the whole run, is shared between
 * the messages in proportion to their tokens weighted by price; tokens the messages do not account
 * for (the run's totals are larger) go to position 0.
 */
function recordUsage(tx: Tx, run: RunRow, u: Usage) {
  const steps = run.taskId ? tx.select({ position: taskSteps.position, startedAt: taskSteps.startedAt, endedAt: taskSteps.endedAt }).from(taskSteps).where(eq(taskSteps.taskId, run.taskId)).all() : [];
  const stepAt = (t: number) => {
    let best: { position: number; startedAt: number } | null = null;
    for (const s of steps)
      if (s.startedAt != null && s.startedAt <= t && (s.endedAt == null || s.endedAt >= t) && (!best || s.startedAt >= best.startedAt)) best = { position: s.position, startedAt: s.startedAt };
    return best?.position ?? 0;
  };
  const rows = new Map<number, { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; w: number }>();
  const add = (position: number, m: Omit<Usage["messages"][number], "at">, w: number) => {
    const r = rows.get(position) ?? { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, w: 0 };
    r.inputTokens += m.inputTokens;
    r.outputTokens += m.outputTokens;
    r.cacheReadTokens += m.cacheReadTokens;
    r.cacheCreationTokens += m.cacheCreationTokens;
    r.w += w;
    rows.set(position, r);
  };
  const seen = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 };
  for (const m of u.messages) {
    add(stepAt(m.at), m, weight({ ...m }));
    for (const k of Object.keys(seen) as (keyof typeof seen)[]) seen[k] += m[k];
  }
  const rest = {
    inputTokens: Math.max(0, u.inputTokens - seen.inputTokens),
    outputTokens: Math.max(0, u.outputTokens - seen.outputTokens),
    cacheReadTokens: Math.max(0, u.cacheReadTokens - seen.cacheReadTokens),
    cacheCreationTokens: Math.max(0, u.cacheCreationTokens - seen.cacheCreationTokens),
  };
  if (rest.inputTokens + rest.outputTokens + rest.cacheReadTokens + rest.cacheCreationTokens > 0) add(0, rest, weight({ at: 0, ...rest }));
  const totalW = [...rows.values()].reduce((a, r) => a + r.w, 0);
  const day = new Date(run.startedAt ?? run.createdAt).toISOString().slice(0, 10);
  for (const [position, r] of rows) {
    const costUsd = u.costUsd && totalW > 0 ? (u.costUsd * r.w) / totalW : 0;
    const { w: _w, ...tokens } = r;
    tx.insert(runUsage)
      .values({ runId: run.id, position, taskId: run.taskId, round: run.round, agentName: run.agentName, day, ...tokens, costUsd })
      .onConflictDoUpdate({ target: [runUsage.runId, runUsage.position], set: { ...tokens, costUsd } })
      .run();
  }
}
