import "server-only";
import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { agents, inboxUnread, messages, PEOPLE_INBOX, tasks, type MessageRow } from "@/db/schema";
import type { Priority } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { clampLimit, decodeCursor, pageOf, type Page } from "../cursor";
import { messageDto, type MessageDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requireInboxAccess } from "../policy";
import { canSeeMessage } from "./send-message";
import { allChannels, canReadChannel, channelInbox, EVERYONE_CHANNEL, isChannelInbox } from "./channels";
import { replyAddress } from "./reply-to-message";
import { prepared } from "../prepared";
import { expandLongPrefixes } from "../search/fts";

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

/**
 * Turns what a person types into a safe FTS5 query: every word quoted (so `AND`, `-`, `:` and
 * quotes in user text are never operators), "double-quoted phrases" kept, a trailing * as prefix.
 */
export function toFtsQuery(q: string): string | null {
  const parts: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(q)) && parts.length < 12) {
    if (m[1] !== undefined) {
      const words = m[1].match(/[\p{L}\p{N}_]+/gu);
      if (words?.length) parts.push(`"${words.join(" ")}"`);
      continue;
    }
    const raw = m[2];
    const prefix = raw.endsWith("*");
    const words = raw.match(/[\p{L}\p{N}_]+/gu);
    if (!words) continue;
    const last = words.length - 1;
    words.forEach((w, i) => parts.push(`"${w}"${prefix && i === last ? "*" : ""}`));
  }
  return parts.length ? parts.join(" ") : null;
}

export interface SearchHit extends MessageDto {
  snippet: string;
}

/** Marks around matches in snippets: control characters, so no HTML is ever built on the server. */
export const HIT_START = "\u0002";
export const HIT_END = "\u0003";

/**
 * Up to this many matches are ranked by relevance (bm25); beyond it, the newest matches come first.
 * bm25 costs per match and per query term (its term statistics read every posting of the term):
 * ranking a common word over the million-message bench dataset took 1.1-1.7 s, ranking at most
 * 1,000 matches takes a few ms, and finding out whether there are more than 1,000 costs ≤ 6 ms.
 */
export const RANK_WINDOW = 1000;

/** How a search page was ordered: by relevance, or newest first because the query matched too much to rank. */
export type SearchOrder = "relevance" | "newest";

/** An inbox name as a phrase over its tokens (`backend-developer` → `"backend developer"`), for the FTS inbox column. */
function inboxPhrase(inbox: string): string | null {
  const words = inbox.match(/[\p{L}\p{N}_]+/gu);
  return words?.length ? `"${words.join(" ")}"` : null;
}

function hitFromRow(r: Record<string, unknown>): SearchHit {
  const m = {
    seq: r.seq as number,
    id: r.id as string,
    threadId: r.thread_id as string,
    inReplyTo: (r.in_reply_to as string) ?? null,
    fromKind: r.from_kind as "agent" | "person" | "system",
    fromName: r.from_name as string,
    toInbox: r.to_inbox as string,
    type: r.type as string,
    priority: r.priority as Priority,
    subject: r.subject as string,
    body: r.body as string,
    instructionId: (r.instruction_id as string) ?? null,
    taskId: (r.task_id as string) ?? null,
    stepPosition: (r.step_position as number) ?? null,
    createdAt: r.created_at as number,
    readAt: (r.read_at as number) ?? null,
    answeredAt: (r.answered_at as number) ?? null,
    archivedAt: (r.archived_at as number) ?? null,
    sourcePath: (r.source_path as string) ?? null,
    original: null,
  };
  return { ...messageDto(m), snippet: r.snip as string };
}

/**
 * Full-text search, first page. Three bounded steps: (1) the newest RANK_WINDOW + 1 matches' ids
 * (FTS5 walks its index newest first and stops); (2) if that is all of them, the page is re-read
 * ordered by bm25 (at most RANK_WINDOW matches ranked), otherwise the page is the newest matches;
 * (3) rows and snippets for the page's ids only. Words match subject and body; a search within an
 * inbox (always, for an agent: its own) adds the inbox column to the FTS query, so FTS5 intersects
 * instead of testing every message of the inbox, and the join checks the exact name.
 */
export function searchMessages(ctx: ServiceContext, q: { q: string; inbox?: string; limit?: number }): { items: SearchHit[]; query: string | null; order: SearchOrder } {
  const fts = toFtsQuery(q.q);
  if (q.q.length > 500) throw new ServiceError("validation_failed", "The search is too long (500 characters at most)", { fields: { q: ["Too long"] } });
  if (!fts) return { items: [], query: null, order: "relevance" };
  const inbox = ctx.actor.kind === "agent" ? ctx.actor.name : q.inbox;
  const limit = clampLimit(q.limit, 20, 100);
  const expanded = expandLongPrefixes(ctx, "messages_fts_vocab", fts);
  if (expanded === null) return { items: [], query: fts, order: "relevance" };
  const words = `{subject body} : (${expanded})`;
  const phrase = inbox ? inboxPhrase(inbox) : null;
  if (inbox && !phrase) return { items: [], query: fts, order: "relevance" };
  const match = phrase ? `${words} AND to_inbox : ${phrase}` : words;
  const inInbox = inbox ? sql`JOIN messages m ON m.seq = f.rowid AND m.to_inbox = ${inbox}` : sql``;

  const newest = ctx.db
    .all<{ seq: number }>(sql`SELECT f.rowid AS seq FROM messages_fts f ${inInbox} WHERE messages_fts MATCH ${match} ORDER BY f.rowid DESC LIMIT ${RANK_WINDOW + 1}`)
    .map((r) => r.seq);
  const order: SearchOrder = newest.length > RANK_WINDOW ? "newest" : "relevance";
  const page =
    order === "newest"
      ? newest.slice(0, limit)
      : newest.length <= 1
        ? newest
        : ctx.db.all<{ seq: number }>(sql`SELECT f.rowid AS seq FROM messages_fts f ${inInbox} WHERE messages_fts MATCH ${match} ORDER BY f.rank LIMIT ${limit}`).map((r) => r.seq);
  if (page.length === 0) return { items: [], query: fts, order };

  // Snippets from the words alone, so they never quote the inbox column.
  const rows = ctx.db.all<Record<string, unknown>>(sql`
    SELECT m.*, snippet(messages_fts, -1, ${HIT_START}, ${HIT_END}, '…', 16) AS snip
    FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
    WHERE messages_fts MATCH ${words} AND messages_fts.rowid IN (${sql.join(
      page.map((seq) => sql`${seq}`),
      sql`, `,
    )})`);
  const bySeq = new Map(rows.map((r) => [r.seq as number, r]));
  return {
    query: fts,
    order,
    items: page.flatMap((seq) => {
      const r = bySeq.get(seq);
      return r ? [hitFromRow(r)] : [];
    }),
  };
}
