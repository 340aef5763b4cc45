import { sqliteTable, text, integer, index, primaryKey, real, uniqueIndex } from "drizzle-orm/sqlite-core";
import { agents } from "./agents";
import { tasks } from "./tasks";
import { runLogStreams, runStatuses, runTriggers, wakeKinds, wakeStatuses, type RunLogStream, type RunStatus, type RunTrigger } from "../../lib/domain/vocabulary";
import { apiTokens } from "./people";
import { tokenColumns } from "./columns";

export { runLogStreams, runStatuses, runTriggers, type RunLogStream, type RunStatus, type RunTrigger };

/**
 * One launch of an agent program on a task (lib/runners supervises the process). Queued runs wait
 * here, FIFO by (created_at, id), until a concurrency slot frees.
 */
export const runs = sqliteTable(
  "runs",
  {
    id: text("id").primaryKey(),
    /** Null for a run without a task: an agent woken to answer messages (docs/runners.md, "Wakes"). */
    taskId: text("task_id").references(() => tasks.id, { onDelete: "cascade" }),
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
    /** The task's review round when the run was queued. */
    round: integer("round"),
    /** What woke the agent, in words (the wakes this run took, one per line). */
    wakeReason: text("wake_reason"),
    /** The session this run was asked to continue (claude-code: the previous run's session_id). */
    resumeSessionId: text("resume_session_id"),
    /** The agent program's own session id (Claude Code's stream-json session_id). */
    sessionId: text("session_id"),
    /** Tokens and cost reported by the program (Claude Code's stream-json usage and total_cost_usd). */
    ...tokenColumns(),
    costUsd: real("cost_usd"),
    /** The server replica that launched the run (AGENTDESK_REPLICA_ID): its supervisor owns the process. */
    launchedBy: text("launched_by"),
  },
  (t) => [
    index("runs_task_idx").on(t.taskId, t.createdAt),
    // The queue (status = 'queued', oldest first) and the running counts.
    index("runs_status_idx").on(t.status, t.createdAt, t.id),
    index("runs_agent_status_idx").on(t.agentName, t.status),
    index("runs_agent_created_idx").on(t.agentName, t.createdAt),
  ],
);

/** The run a row of run_usage or run_log belongs to: it goes with the run. */
const runIdColumn = () =>
  text("run_id")
    .notNull()
    .references(() => runs.id, { onDelete: "cascade" });

/**
 * A run's tokens and cost by the step that was in progress when the model spent them (position 0:
 * no step was in progress). Summed per task, per agent and per day for the pages.
 */
export const runUsage = sqliteTable(
  "run_usage",
  {
    runId: runIdColumn(),
    position: integer("position").notNull(),
    taskId: text("task_id"),
    round: integer("round"),
    agentName: text("agent_name").notNull(),
    /** UTC day of the run's start, YYYY-MM-DD. */
    day: text("day").notNull(),
    ...tokenColumns(),
    costUsd: real("cost_usd").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.runId, t.position] }), index("run_usage_task_idx").on(t.taskId), index("run_usage_agent_day_idx").on(t.agentName, t.day), index("run_usage_day_idx").on(t.day)],
);

/**
 * Something that should wake an agent (docs/runners.md, "Wakes"): recorded when it happens, taken
 * by the next run of that agent (on that task, or without a task for messages), or stopped by the
 * loop guard.
 */
export const wakes = sqliteTable(
  "wakes",
  {
    id: text("id").primaryKey(),
    agentName: text("agent_name")
      .notNull()
      .references(() => agents.name),
    taskId: text("task_id").references(() => tasks.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: wakeKinds }).notNull(),
    status: text("status", { enum: wakeStatuses }).notNull().default("pending"),
    /** What happened, in words, as the prompt and the timeline say it. */
    reason: text("reason").notNull(),
    /** Who caused it (a person's email, an agent's name, system). */
    causedBy: text("caused_by").notNull(),
    /** For the loop guard: the agent whose message woke this one. */
    fromAgent: text("from_agent"),
    messageId: text("message_id"),
    sourceEventId: integer("source_event_id"),
    runId: text("run_id"),
    createdAt: integer("created_at").notNull(),
    settledAt: integer("settled_at"),
  },
  (t) => [
    index("wakes_status_idx").on(t.status, t.createdAt),
    index("wakes_task_idx").on(t.taskId, t.createdAt),
    index("wakes_pair_idx").on(t.fromAgent, t.agentName, t.createdAt),
    uniqueIndex("wakes_source_idx").on(t.sourceEventId, t.agentName, t.taskId),
  ],
);

/** stdout and stderr of a run, line by line, in the order they were read. */
export const runLog = sqliteTable(
  "run_log",
  {
    runId: runIdColumn(),
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
export type RunUsageRow = typeof runUsage.$inferSelect;
export type WakeRow = typeof wakes.$inferSelect;
