import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { outputFormats, outputStatuses, reviewDecisions, type OutputFormat } from "../../lib/domain/vocabulary";
import { tasks } from "./tasks";

export { outputFormats, outputStatuses, type OutputFormat };

export const outputs = sqliteTable(
  "outputs",
  {
    id: text("id").primaryKey(),
    taskId: text("task_id")
      .notNull()
      .references(() => tasks.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    format: text("format", { enum: outputFormats }).notNull(),
    language: text("language"),
    content: text("content").notNull(),
    files: text("files", { mode: "json" }).$type<{ path: string; action?: string; additions?: number; deletions?: number }[]>().notNull().default([]),
    status: text("status", { enum: outputStatuses }).notNull().default("pending_review"),
    stepPosition: integer("step_position"),
    submittedBy: text("submitted_by").notNull(),
    createdAt: integer("created_at").notNull(),
    sourcePath: text("source_path"),
  },
  (t) => [
    uniqueIndex("outputs_task_version_idx").on(t.taskId, t.version),
    // The review queue: oldest waiting first.
    index("outputs_status_created_idx").on(t.status, t.createdAt, t.id),
  ],
);

export const reviews = sqliteTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    outputId: text("output_id")
      .notNull()
      .references(() => outputs.id, { onDelete: "cascade" }),
    reviewer: text("reviewer").notNull(),
    decision: text("decision", { enum: reviewDecisions }).notNull(),
    comment: text("comment").notNull().default(""),
    messageId: text("message_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("reviews_output_idx").on(t.outputId, t.createdAt)],
);

export type OutputRow = typeof outputs.$inferSelect;
export type ReviewRow = typeof reviews.$inferSelect;
