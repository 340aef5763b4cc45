import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import { actorKinds, DEFAULT_PRIORITY, messageTypes, PEOPLE_INBOX, priorities } from "../../lib/domain/vocabulary";

export { messageTypes, PEOPLE_INBOX };

/**
 * One row per message. `seq` is the integer key the external-content FTS5 index `messages_fts`
 * points at: an explicit INTEGER PRIMARY KEY, because VACUUM may renumber an implicit rowid.
 */
export const messages = sqliteTable(
  "messages",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull().unique(),
    threadId: text("thread_id").notNull(),
    inReplyTo: text("in_reply_to"),
    fromKind: text("from_kind", { enum: actorKinds }).notNull(),
    fromName: text("from_name").notNull(),
    /**
     * An agent's name, PEOPLE_INBOX for the people's inbox, `broadcast` for the protocol's
     * broadcast folder, or `broadcast:{channel}` for a broadcast channel (broadcastChannels).
     */
    toInbox: text("to_inbox").notNull(),
    type: text("type").notNull(),
    priority: text("priority", { enum: priorities }).notNull().default(DEFAULT_PRIORITY),
    subject: text("subject").notNull().default(""),
    body: text("body").notNull().default(""),
    instructionId: text("instruction_id"),
    taskId: text("task_id"),
    stepPosition: integer("step_position"),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
    answeredAt: integer("answered_at"),
    archivedAt: integer("archived_at"),
    sourcePath: text("source_path"),
    original: text("original", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    // An inbox page, newest first, archived ones apart.
    index("messages_inbox_idx").on(t.toInbox, t.archivedAt, t.createdAt, t.id),
    // No index for unread counts: inbox_unread keeps them (below). The partial index that counted them
    // (messages_unread_idx) was dropped in 0009; the unread-only inbox page walks messages_inbox_idx.
    index("messages_thread_idx").on(t.threadId, t.createdAt),
    index("messages_task_idx").on(t.taskId, t.createdAt),
    index("messages_instruction_idx").on(t.instructionId, t.createdAt),
    // The folder bridge finds an imported message by the file it came from.
    index("messages_source_idx")
      .on(t.sourcePath)
      .where(sql`source_path IS NOT NULL`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;

/**
 * A broadcast channel (`_communication/broadcast/{channel}/` in the folder protocol): a named group
 * of recipients whose messages are stored with `to_inbox = 'broadcast:{channel}'`. `members` are
 * agent names, as the channel's files name them (`to:`, `recipients:`, `members:` lists); the
 * channel `all` reaches every agent whatever it lists. See docs/folder-bridge.md.
 */
export const broadcastChannels = sqliteTable("broadcast_channels", {
  name: text("name").primaryKey(),
  members: text("members", { mode: "json" }).$type<string[]>().notNull().default([]),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type BroadcastChannelRow = typeof broadcastChannels.$inferSelect;

/**
 * How many messages of each inbox are unread (neither read nor archived). Kept by triggers on
 * `messages` (migration 0008: insert, delete, and updates of read_at, archived_at and to_inbox), so
 * it is right after every write, whoever makes it (the verbs, the folder bridge, a CLI, a raw SQL
 * fix), in the same transaction. Counting the partial index instead cost 1.3 ms for the biggest
 * inbox of the bench dataset (33,000 unread), three quarters of an inbox page's time
 * (docs/benchmarks.md). An inbox with no row has none unread.
 */
export const inboxUnread = sqliteTable("inbox_unread", {
  inbox: text("inbox").primaryKey(),
  unread: integer("unread").notNull().default(0),
});
