import "server-only";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { apiTokens, runs, tasks } from "@/db/schema";
import { newId } from "@/lib/ids";
import { actorId } from "@/lib/auth/actor";
import { hashSecret, newSecret } from "@/lib/auth/secrets";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { ServiceError } from "../errors";
import { parseInput } from "../validate";
import { loadRun, requireSystem, RUN_ENTITY, runFinishedEvent, runDto, type RunDto } from "./shared";

export const StartRunInput = z.strictObject({
  runId: z.string().min(1),
  /** argv as it will be launched, prompt elided, no secrets. */
  command: z.array(z.string().max(2000)).max(200),
  preset: z.string().min(1).max(40).optional(),
  /** The session the program is asked to continue (claude-code --resume). */
  resumeSessionId: z.string().max(200).optional(),
});

export type StartRunResult = { started: true; run: RunDto; token: string } | { started: false; run: RunDto };

/**
 * queued → running, and a bearer token for this run only (label `run:<id>`), minted in the same
 * transaction so a run never exists without its token nor a token without its run. The secret is
 * returned this once, for the process's environment. A run whose task is no longer workable (done,
 * cancelled, reassigned) is cancelled instead of started.
 */
export function startRun(ctx: ServiceContext, raw: z.input<typeof StartRunInput>): StartRunResult {
  requireSystem(ctx.actor);
  const input = parseInput(StartRunInput, raw);
  return writeTx(ctx, (tx, at, emit): StartRunResult => {
    const run = loadRun(tx, input.runId);
    if (run.status !== "queued") throw new ServiceError("illegal_transition", `Run ${run.id} is ${run.status}, not queued`);
    // A run without a task answers messages: nothing about a task can make it moot.
    const task = run.taskId ? tx.select().from(tasks).where(eq(tasks.id, run.taskId)).get()! : null;
    const why = !task
      ? null
      : task.assignedAgent !== run.agentName
        ? `Task ${task.id} was reassigned to ${task.assignedAgent}`
        : task.status !== "pending" && task.status !== "in_progress"
          ? `Task ${task.id} is ${task.status.replace("_", " ")}: nothing to run`
          : null;
    if (why) {
      const row = tx.update(runs).set({ status: "cancelled", endedAt: at, reason: why }).where(eq(runs.id, run.id)).returning().get();
      emit(runFinishedEvent(run, task, { status: "queued" }, { status: "cancelled", reason: why }));
      return { started: false, run: runDto(row) };
    }
    const token = newSecret("adk");
    const tokenId = newId("tok", at);
    tx.insert(apiTokens)
      .values({ id: tokenId, tokenHash: hashSecret(token), agentName: run.agentName, label: `run:${run.id}`, createdBy: actorId(ctx.actor), createdAt: at })
      .run();
    emit({ verb: "token.created", entityKind: "token", entityId: tokenId, after: { agent: run.agentName, userId: null, label: `run:${run.id}` } });
    const row = tx
      .update(runs)
      .set({ status: "running", startedAt: at, tokenId, command: input.command, resumeSessionId: input.resumeSessionId ?? null, ...(input.preset ? { preset: input.preset } : {}) })
      .where(eq(runs.id, run.id))
      .returning()
      .get();
    emit({
      verb: "run.started",
      entityKind: RUN_ENTITY,
      entityId: run.id,
      instructionId: task?.instructionId ?? null,
      taskId: task?.id ?? null,
      before: { status: "queued" },
      after: { status: "running", agent: run.agentName, resumeSessionId: input.resumeSessionId ?? null },
    });
    return { started: true, run: runDto(row), token };
  });
}
