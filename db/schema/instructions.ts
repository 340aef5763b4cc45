import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { editableRowColumns } from "./columns";
import { DEFAULT_PRIORITY, DEFAULT_TIER, instructionPhases, priorities } from "../../lib/domain/vocabulary";

export { instructionPhases };

export const instructions = sqliteTable(
  "instructions",
  {
    /** inst_YYYYMMDD_NNN, NNN a per-day sequence (the protocol's own id). */
    id: text("id").primaryKey(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    tier: integer("tier").notNull().default(DEFAULT_TIER),
    priority: text("priority", { enum: priorities }).notNull().default(DEFAULT_PRIORITY),
    phase: text("phase", { enum: instructionPhases }).notNull().default("routing"),
    ...editableRowColumns(),
  },
  (t) => [index("instructions_created_idx").on(t.createdAt, t.id), index("instructions_phase_idx").on(t.phase, t.createdAt)],
);

export type InstructionRow = typeof instructions.$inferSelect;
