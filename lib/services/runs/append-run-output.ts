import "server-only";
import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import { runLog, runLogStreams, runs } from "@/db/schema";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { parseInput } from "../validate";
import { loadRun, requireSystem, RUN_ENTITY } from "./shared";

export const MAX_LOG_LINE_CHARS = 4000;

export const AppendRunOutputInput = z.strictObject({
  runId: z.string().min(1),
  lines: z
    .array(
      z.strictObject({
        stream: z.enum(runLogStreams),
        text: z.string().max(MAX_LOG_LINE_CHARS),
        at: z.number().int().nonnegative(),
      }),
    )
    .max(10_000),
  /** Lines the supervisor dropped since the last flush (over the per-run limit). */
  dropped: z.number().int().nonnegative().default(0),
});

/**
 * One flush of a running process's output (the supervisor batches about every 100 ms): the lines
 * in order and one small `run.output` event, so open pages refetch the log tail. The event carries
 * no task id on purpose: it would otherwise refetch the whole task page ten times a second.
 */
export function appendRunOutput(ctx: ServiceContext, raw: z.input<typeof AppendRunOutputInput>): { stored: number; lastSeq: number } {
  requireSystem(ctx.actor);
  const input = parseInput(AppendRunOutputInput, raw);
  if (input.lines.length === 0 && input.dropped === 0) return { stored: 0, lastSeq: -1 };
  return writeTx(ctx, (tx, _at, emit) => {
    const run = loadRun(tx, input.runId);
    if (run.status !== "running") return { stored: 0, lastSeq: run.logLines };
    const first = run.logLines + 1;
    const rows = input.lines.map((l, i) => ({ runId: run.id, seq: first + i, stream: l.stream, text: l.text, at: l.at }));
    // 5 bound values per row; SQLite allows 32766 per statement.
    for (let i = 0; i < rows.length; i += 1000)
      tx.insert(runLog)
        .values(rows.slice(i, i + 1000))
        .run();
    const lastSeq = run.logLines + rows.length;
    tx.update(runs)
      .set({ logLines: lastSeq, droppedLines: sql`${runs.droppedLines} + ${input.dropped}` })
      .where(eq(runs.id, run.id))
      .run();
    emit({ verb: "run.output", entityKind: RUN_ENTITY, entityId: run.id, after: { from: first, to: lastSeq, dropped: input.dropped || undefined } });
    return { stored: rows.length, lastSeq };
  });
}
