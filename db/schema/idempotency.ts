import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";

/** The first answer to a POST carrying an Idempotency-Key, replayed for retries of it. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    actor: text("actor").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status").notNull(),
    body: text("body").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.actor, t.key] })],
);
