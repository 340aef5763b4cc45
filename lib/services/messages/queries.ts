import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { agents, inboxUnread, messages, PEOPLE_INBOX, tasks, type MessageRow } from "@/db/schema";
import type { ServiceContext } from "../context";
import { clampLimit, decodeCursor, pageOf, type Page } from "../cursor";
import { messageDto, type MessageDto } from "../dto";
import { notFound } from "../errors";
import { requireInboxAccess } from "../policy";
import { canSeeMessage } from "./send-message";
import { allChannels, canReadChannel, channelInbox, EVERYONE_CHANNEL, isChannelInbox } from "./channels";
import { replyAddress } from "./reply-to-message";
import { prepared } from "../prepared";
import { searchBackend } from "../search/backend";
import { messageSearchOf, type SearchMessagesResult } from "../search/query";

export interface ListInboxQuery {
  inbox: string;
  unread?: boolean;
  archived?: boolean;
  type?: string;
  cursor?: string | null;
  limit?: number;
}

const ph = (name: string) => sql.placeholder(name);

// An inbox page is what every agent polls: one prepared statement per filter shape (prepared.ts).
function inboxPageQuery(ctx: ServiceContext, shape: { archived: boolean; unread: boolean; type: boolean; cursor: boolean }) {
  const key = `messages.inbox:${+shape.archived}${+shape.unread}${+shape.type}${+shape.cursor}`;
  return prepared(ctx.db, key, (d) => {
    const where: SQL[] = [eq(messages.toInbox, ph("inbox"))];
    where.push(shape.archived ? isNotNull(messages.archivedAt) : isNull(messages.archivedAt));
    if (shape.unread) where.push(isNull(messages.readAt));
    if (shape.type) where.push(eq(messages.type, ph("type")));
    if (shape.cursor) where.push(or(lt(messages.createdAt, ph("at")), and(eq(messages.createdAt, ph("at")), lt(messages.id, ph("id"))))!);
    return d
      .select()
      .from(messages)
      .where(and(...where))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(ph("limit"))
      .prepare();
  });
}

/** A page of an inbox, newest first, on the (to_inbox, archived_at, created_at, id) index. */
export function listInbox(ctx: ServiceContext, q: ListInboxQuery): Page<MessageDto> & { unreadCount: number } {
  // A broadcast channel is read by the people and by its members (channels.ts); any other inbox by its agent.
  if (!(isChannelInbox(q.inbox) && canReadChannel(ctx.db, ctx.actor, q.inbox))) requireInboxAccess(ctx.actor, q.inbox);
  const limit = clampLimit(q.limit);
  const c = decodeCursor(q.cursor, 2);
  const [at, id] = (c ?? [null, null]) as [number | null, string | null];
  const rows = inboxPageQuery(ctx, { archived: !!q.archived, unread: !!q.unread, type: !!q.type, cursor: !!c }).all({
    inbox: q.inbox,
    type: q.type,
    at,
    id,
    limit: limit + 1,
  });
  const { page, nextCursor } = pageOf(rows, limit, (r) => [r.createdAt, r.id]);
  return {
    items: page.map(messageDto),
    nextCursor,
    unreadCount: unreadCount(ctx, q.inbox),
  };
}

export function unreadCount(ctx: ServiceContext, inbox: string): number {
  // Kept by triggers on messages (db/schema/messages.ts, migration 0008): one row read by its key.
  const r = prepared(ctx.db, "messages.unreadCount", (d) =>
    d
      .select({ n: inboxUnread.unread })
      .from(inboxUnread)
      .where(eq(inboxUnread.inbox, ph("inbox")))
      .prepare(),
  ).get({ inbox });
  return r?.n ?? 0;
}

/**
 * Every inbox a person can open, the people's first, with unread counts (kept per inbox by triggers).
 * Agents no longer defined (or only known from imported files) are listed while they have mail;
 * so is the protocol's `broadcast` folder.
 */
export function listInboxes(ctx: ServiceContext) {
  let names: string[];
  const channels = allChannels(ctx.db);
  if (ctx.actor.kind === "agent") {
    const me = ctx.actor.name;
    names = [me, ...channels.filter((c) => c.name === EVERYONE_CHANNEL || c.members.includes(me)).map((c) => channelInbox(c.name))];
  } else {
    const all = ctx.db.select({ name: agents.name, active: agents.active }).from(agents).orderBy(asc(agents.name)).all();
    const hasMail = (inbox: string) =>
      !!ctx.db
        .select({ one: sql`1` })
        .from(messages)
        .where(eq(messages.toInbox, inbox))
        .limit(1)
        .get();
    names = [PEOPLE_INBOX, ...all.filter((a) => a.active || hasMail(a.name)).map((a) => a.name)];
    if (hasMail("broadcast")) names.push("broadcast");
    // The broadcast channels (`_communication/broadcast/{channel}/`), by name.
    names.push(...channels.map((c) => channelInbox(c.name)));
  }
  const counts = new Map(
    ctx.db
      .select({ inbox: inboxUnread.inbox, n: inboxUnread.unread })
      .from(inboxUnread)
      .all()
      .map((r) => [r.inbox, r.n]),
  );
  return names.map((name) => ({ inbox: name, unread: counts.get(name) ?? 0 }));
}

export function getThread(ctx: ServiceContext, threadId: string) {
  const rows = ctx.db
    .select()
    .from(messages)
    .where(eq(messages.threadId, threadId))
    .orderBy(asc(messages.createdAt), asc(messages.seq))
    .limit(1000)
    .all()
    .filter((m) => canReadMessage(ctx, m));
  if (rows.length === 0) throw notFound("Thread", threadId);
  // Each message carries where the caller's reply to it would land (the rule of replyToMessage).
  const taskIds = [...new Set(rows.filter((m) => m.fromKind === "system" && m.taskId).map((m) => m.taskId!))];
  const agentOf = new Map(
    taskIds.length
      ? ctx.db
          .select({ id: tasks.id, agent: tasks.assignedAgent })
          .from(tasks)
          .where(inArray(tasks.id, taskIds))
          .all()
          .map((t) => [t.id, t.agent] as const)
      : [],
  );
  return {
    threadId,
    subject: rows[0].subject,
    messages: rows.map((m) => {
      const reply = replyAddress(ctx.actor, m, m.taskId ? (agentOf.get(m.taskId) ?? null) : null);
      return { ...messageDto(m), replyTo: reply.to, replyType: reply.type };
    }),
  };
}

export function getMessage(ctx: ServiceContext, id: string) {
  const m = ctx.db.select().from(messages).where(eq(messages.id, id)).get();
  if (!m || !canReadMessage(ctx, m)) throw notFound("Message", id);
  return messageDto(m);
}

/** canSeeMessage, and for an agent also a message in a broadcast channel it is a member of (as its inbox page shows them). */
function canReadMessage(ctx: ServiceContext, m: Pick<MessageRow, "toInbox" | "fromKind" | "fromName">): boolean {
  return canSeeMessage(ctx.actor, m) || (ctx.actor.kind === "agent" && isChannelInbox(m.toInbox) && canReadChannel(ctx.db, ctx.actor, m.toInbox));
}

// Search lives in lib/services/search (one backend per engine); these names stay importable from here.
export { HIT_END, HIT_START, RANK_WINDOW, toFtsQuery, type SearchHit } from "../search/query";

/**
 * Full-text search over messages, first page: words match subject and body; a search within an
 * inbox (always, for an agent: its own) reads that inbox only. The bounded steps are the engine's
 * (search/backend-sqlite.ts, search/backend-pg.ts): the newest RANK_WINDOW + 1 matches, ranked by
 * relevance when that is all of them, rows and snippets for the page only.
 */
export function searchMessages(ctx: ServiceContext, q: { q: string; inbox?: string; limit?: number }): SearchMessagesResult {
  const s = messageSearchOf(ctx, q);
  if (!s) return { items: [], query: null, order: "relevance" };
  return { query: s.fts, ...searchBackend(ctx.db).messages(ctx, s) };
}
