import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { roles } from "../../lib/domain/vocabulary";
import { agents } from "./agents";

export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  role: text("role", { enum: roles }).notNull(),
  passwordHash: text("password_hash"),
  createdAt: integer("created_at").notNull(),
  disabledAt: integer("disabled_at"),
});

export const sessions = sqliteTable(
  "sessions",
  {
    /** sha256 of the cookie value: a stolen database does not hand out live sessions. */
    idHash: text("id_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Bearer tokens: for an agent (agent_name) or for a person's scripts (user_id). */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    agentName: text("agent_name").references(() => agents.name),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull().default(""),
    createdBy: text("created_by"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_tokens_agent_idx").on(t.agentName), index("api_tokens_user_idx").on(t.userId)],
);
