import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

export const webhookFormats = ["json", "slack"] as const;
export type WebhookFormat = (typeof webhookFormats)[number];
export const webhookDeliveryStatuses = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof webhookDeliveryStatuses)[number];

/**
 * Outgoing webhooks (docs/webhooks.md): a URL, the events it wants, how the body is shaped. The
 * signing secret is kept in clear (it is needed to sign every delivery) and never returned after
 * creation or rotation.
 */
export const webhooks = sqliteTable("webhooks", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description").notNull().default(""),
  /** Verbs (`task.blocked`), prefixes (`task.*`) and group names (`escalations`). */
  events: text("events", { mode: "json" }).$type<string[]>().notNull(),
  format: text("format", { enum: webhookFormats }).notNull().default("json"),
  secret: text("secret").notNull(),
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /** Only events after this id are delivered (set on creation and on resume: a pause skips events). */
  sinceEventId: integer("since_event_id").notNull().default(0),
  createdBy: text("created_by").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * One event to send to one webhook. Stored before it is sent (the events follower writes it in the
 * same transaction as its high-water mark), so a restart never loses one. `body` is the exact bytes
 * sent on every attempt.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    /** Null for a test delivery. */
    eventId: integer("event_id"),
    verb: text("verb").notNull(),
    body: text("body").notNull(),
    status: text("status", { enum: webhookDeliveryStatuses }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    /** A worker is sending it until then (another server, or this one after a crash, waits). */
    lockedUntil: integer("locked_until"),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_event_idx").on(t.webhookId, t.eventId),
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_webhook_idx").on(t.webhookId, t.createdAt),
  ],
);

/** Each attempt of a delivery: the delivery log. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deliveryId: text("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    durationMs: integer("duration_ms").notNull(),
    /** The receiver's HTTP status; null when no answer came (timeout, refused, DNS). */
    statusCode: integer("status_code"),
    error: text("error"),
    /** The first 500 characters of the answer. */
    responseExcerpt: text("response_excerpt").notNull().default(""),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.id), index("webhook_attempts_webhook_idx").on(t.webhookId, t.id)],
);

/** The events follower's high-water mark: one row (id 1). */
export const webhookCursor = sqliteTable("webhook_cursor", {
  id: integer("id").primaryKey(),
  lastEventId: integer("last_event_id").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;
