import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { actorKinds } from "../../lib/domain/vocabulary";

/**
 * Append-only: the audit log, the activity feed, and the change feed the live stream reads from.
 * Never updated or deleted by the application.
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actorKind: text("actor_kind", { enum: actorKinds }).notNull(),
    actorId: text("actor_id").notNull(),
    verb: text("verb").notNull(),
    entityKind: text("entity_kind").notNull(),
    entityId: text("entity_id").notNull(),
    instructionId: text("instruction_id"),
    taskId: text("task_id"),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
  },
  (t) => [
    index("events_entity_idx").on(t.entityKind, t.entityId, t.id),
    index("events_task_idx").on(t.taskId, t.id),
    index("events_instruction_idx").on(t.instructionId, t.id),
    index("events_actor_idx").on(t.actorId, t.id),
  ],
);

export type EventRow = typeof events.$inferSelect;
