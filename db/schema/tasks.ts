import { sqliteTable, text, integer, index, primaryKey, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { editableRowColumns } from "./columns";
import { agents } from "./agents";
import { instructions } from "./instructions";
import { DEFAULT_PRIORITY, priorities, priorityRank, stepStatuses, taskAuthorities, taskStatuses, type Priority, type StepStatus, type TaskStatus } from "../../lib/domain/vocabulary";

export { priorities, stepStatuses, taskStatuses, type Priority, type StepStatus, type TaskStatus };

export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    instructionId: text("instruction_id")
      .notNull()
      .references(() => instructions.id),
    /** The protocol's own task id (T1, task_001...), unique within its instruction. */
    ref: text("ref").notNull(),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    type: text("type").notNull().default("create"),
    assignedAgent: text("assigned_agent")
      .notNull()
      .references(() => agents.name),
    status: text("status", { enum: taskStatuses }).notNull().default("pending"),
    priority: text("priority", { enum: priorities }).notNull().default(DEFAULT_PRIORITY),
    /** 0 critical .. 3 low: stored so claim and board order can walk an index. */
    priorityRank: integer("priority_rank").notNull().default(priorityRank[DEFAULT_PRIORITY]),
    authority: text("authority", { enum: taskAuthorities }).notNull().default("review_required"),
    deadline: integer("deadline"),
    acceptanceCriteria: text("acceptance_criteria", { mode: "json" }).$type<string[]>().notNull().default([]),
    filesToModify: text("files_to_modify", { mode: "json" }).$type<string[]>().notNull().default([]),
    filesToCreate: text("files_to_create", { mode: "json" }).$type<string[]>().notNull().default([]),
    blockedReason: text("blocked_reason"),
    blockerType: text("blocker_type"),
    /** Fencing token: increases with every claim, so a zombie holder's writes can be refused. */
    leaseToken: integer("lease_token").notNull().default(0),
    leaseExpiresAt: integer("lease_expires_at"),
    lastHeartbeatAt: integer("last_heartbeat_at"),
    /** When the agent was reminded that this lease ran out (cleared by any sign of life). */
    leaseRemindedAt: integer("lease_reminded_at"),
    claimedAt: integer("claimed_at"),
    completedAt: integer("completed_at"),
    /** The review round: 1 until a reviewer requests changes, then one more per request (task_step_rounds keeps the earlier ones). */
    round: integer("round").notNull().default(1),
    /**
     * The task this one is part of: a strategic task (ST2) is the parent of its tactical tasks
     * (TT2.1...) in the protocol's hierarchical layout. Null for a task on its own.
     */
    parentTaskId: text("parent_task_id").references((): AnySQLiteColumn => tasks.id),
    ...editableRowColumns(),
  },
  (t) => [
    uniqueIndex("tasks_instruction_ref_idx").on(t.instructionId, t.ref),
    // Board columns and the people's task list: newest first within a status.
    index("tasks_status_updated_idx").on(t.status, t.updatedAt, t.id),
    // An agent's own list and claim: highest priority, oldest first.
    index("tasks_agent_status_idx").on(t.assignedAgent, t.status, t.priorityRank, t.createdAt),
    // An agent's list, most recently changed first (GET /tasks as an agent, the agent page, board
    // columns filtered by agent): without it a busy agent's 33,000 tasks were sorted per page.
    index("tasks_agent_updated_idx").on(t.assignedAgent, t.updatedAt, t.id),
    index("tasks_instruction_idx").on(t.instructionId, t.createdAt),
    index("tasks_lease_idx").on(t.status, t.leaseExpiresAt),
    // A strategic task's children (the task page's tree card, the instruction page's nesting).
    index("tasks_parent_idx")
      .on(t.parentTaskId, t.ref)
      .where(sql`parent_task_id IS NOT NULL`),
  ],
);

export const taskDependencies = sqliteTable(
  "task_dependencies",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    dependsOnTaskId: text("depends_on_task_id")
      .notNull()
      .references(() => tasks.id),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.dependsOnTaskId] }), index("task_deps_reverse_idx").on(t.dependsOnTaskId)],
);

export const taskSteps = sqliteTable(
  "task_steps",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    guidance: text("guidance").notNull().default(""),
    status: text("status", { enum: stepStatuses }).notNull().default("pending"),
    note: text("note"),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
    updatedAt: integer("updated_at"),
    version: integer("version").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.position] })],
);

/**
 * The steps of a finished review round, as they stood when a reviewer requested changes: task_steps
 * holds the current round, this table the earlier ones (read-only history for the step tracker).
 */
export const taskStepRounds = sqliteTable(
  "task_step_rounds",
  {
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    round: integer("round").notNull(),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    status: text("status", { enum: stepStatuses }).notNull(),
    note: text("note"),
    startedAt: integer("started_at"),
    endedAt: integer("ended_at"),
  },
  (t) => [primaryKey({ columns: [t.taskId, t.round, t.position] })],
);

export type TaskRow = typeof tasks.$inferSelect;
export type TaskStepRow = typeof taskSteps.$inferSelect;
export type TaskStepRoundRow = typeof taskStepRounds.$inferSelect;
