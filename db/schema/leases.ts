import { sqliteTable, text, integer } from "drizzle-orm/sqlite-core";

/**
 * Replica-wide job leases (docs/plans/postgresql.md §4.3): which server process runs the sweeper,
 * the folder mirror, run launches and webhook deliveries. `token` grows each time another holder
 * takes the lease (fencing: a job checks it in its own transaction); `expires_at` is read against
 * the database clock.
 */
export const leases = sqliteTable("leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  token: integer("token").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * Sign-in throttles (attempts per address, failure lockouts) shared by every server replica:
 * `count` attempts in the window that ends at `reset_at` (ms).
 */
export const authThrottle = sqliteTable("auth_throttle", {
  key: text("key").primaryKey(),
  count: integer("count").notNull(),
  resetAt: integer("reset_at").notNull(),
});
