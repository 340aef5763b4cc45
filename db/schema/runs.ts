import { sqliteTable, text, integer, index, primaryKey } from "drizzle-orm/sqlite-core";
import { agents } from "./agents";
import { tasks } from "./tasks";
import { runLogStreams, runStatuses, runTriggers, type RunLogStream, type RunStatus, type RunTrigger } from "../../lib/domain/vocabulary";
import { apiTokens } from "./people";

export { runLogStreams, runStatuses, runTriggers, type RunLogStream, type RunStatus, type RunTrigger };

/**
 * One launch of an agent program on a task (lib/runners supervises the process). Queued runs wait
 * here, FIFO by (created_at, id), until a concurrency slot frees.
 */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    agentName: text("agent_name")
      .notNull()
      .references(() => agents.name),
    status: text("status", { enum: runStatuses }).notNull().default("queued"),
    trigger: text("trigger", { enum: runTriggers }).notNull().default("manual"),
    /** The run this one retries. */
    retryOf: text("retry_of"),
    preset: text("preset").notNull(),
    /** argv as launched, with the prompt elided and no secret in it (the token travels by env and a 0600 file). */
    command: text("command", { mode: "json" }).$type<string[]>().notNull().default([]),
    requestedBy: text("requested_by").notNull(),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
    exitCode: integer("exit_code"),
    signal: text("signal"),
    /** Why the run ended the way it did, in words (timeout, cancelled by whom, spawn error...). */
    reason: text("reason"),
    /** The per-run bearer token (label `run:<id>`), revoked when the run ends. */
    tokenId: text("token_id").references(() => apiTokens.id),
    cancelRequestedAt: integer("cancel_requested_at"),
    cancelRequestedBy: text("cancel_requested_by"),
    /** Lines stored in run_log so far: the next line's seq is log_lines + 1. */
    logLines: integer("log_lines").notNull().default(0),
    /** Lines the process printed beyond the stored limit. */
    droppedLines: integer("dropped_lines").notNull().default(0),
  },
  (t) => [
    index("runs_task_idx").on(t.taskId, t.createdAt),
    // The queue (status = 'queued', oldest first) and the running counts.
    index("runs_status_idx").on(t.status, t.createdAt, t.id),
    index("runs_agent_status_idx").on(t.agentName, t.status),
  ],
);

/** stdout and stderr of a run, line by line, in the order they were read. */
export const runLog = sqliteTable(
  "run_log",
  {
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    stream: text("stream", { enum: runLogStreams }).notNull(),
    text: text("text").notNull(),
    at: integer("at").notNull(),
  },
  // (run_id, seq) is the paging key: `after` and `before` cursors walk it.
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export type RunRow = typeof runs.$inferSelect;
export type RunLogRow = typeof runLog.$inferSelect;
