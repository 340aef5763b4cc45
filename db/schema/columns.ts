import { integer, text } from "drizzle-orm/sqlite-core";

/**
 * The columns of a row people edit in the dashboard and the folder bridge mirrors (instructions,
 * tasks): who made it and when, its optimistic-lock version, and, for an imported row, where it
 * came from and the document as it was (unmodelled fields kept). Spread last into a table.
 */
export const editableRowColumns = () => ({
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  version: integer("version").notNull().default(1),
  sourcePath: text("source_path"),
  original: text("original", { mode: "json" }).$type<Record<string, unknown>>(),
});

/**
 * The tokens an agent program reported (Claude Code's stream-json usage), as a run keeps them in
 * total (runs) and by step (run_usage). The cost beside them differs: null on a run that reported
 * none, 0 in run_usage, so each table declares its own.
 */
export const tokenColumns = () => ({
  inputTokens: integer("input_tokens").notNull().default(0),
  outputTokens: integer("output_tokens").notNull().default(0),
  cacheReadTokens: integer("cache_read_tokens").notNull().default(0),
  cacheCreationTokens: integer("cache_creation_tokens").notNull().default(0),
});
