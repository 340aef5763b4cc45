import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/**
 * An agent as last synced from its definition file. The definition stays the source of truth;
 * this row exists so tasks, tokens and messages can reference the name, and so pages can list
 * agents without reading the disk.
 */
export const agents = sqliteTable("agents", {
  name: text("name").primaryKey(),
  description: text("description").notNull().default(""),
  title: text("title"),
  tier: text("tier"),
  domain: text("domain"),
  model: text("model"),
  color: text("color"),
  capabilities: text("capabilities", { mode: "json" }).$type<string[]>().notNull().default([]),
  tools: text("tools", { mode: "json" }).$type<string[]>().notNull().default([]),
  steps: text("steps", { mode: "json" }).$type<{ position: number; title: string; guidance: string }[]>().notNull().default([]),
  stepsSource: text("steps_source"),
  memory: text("memory", { mode: "json" }).$type<{ reads: { path: string; note?: string }[]; writes: { path: string; note?: string }[] }>().notNull().default({ reads: [], writes: [] }),
  resources: text("resources", { mode: "json" }).$type<string[]>().notNull().default([]),
  extra: text("extra", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  body: text("body").notNull().default(""),
  sourcePath: text("source_path"),
  contentHash: text("content_hash"),
  /** Lease length for this agent's claims, in minutes (null: the default, 30). */
  leaseMinutes: integer("lease_minutes"),
  /** 0 when the definition file disappeared: kept so history still resolves the name. */
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  syncedAt: integer("synced_at").notNull(),
  createdAt: integer("created_at").notNull(),
});

export type AgentRow = typeof agents.$inferSelect;
