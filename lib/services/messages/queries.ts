import { and, asc, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { agents, messages, PEOPLE_INBOX } from "@/db/schema";
import type { ServiceContext } from "../context";
import { clampLimit, decodeCursor, encodeCursor, type Page } from "../cursor";
import { messageDto, type MessageDto } from "../dto";
import { notFound, ServiceError } from "../errors";
import { requireInboxAccess } from "../policy";
import { canSeeMessage } from "./send-message";

export interface ListInboxQuery {
  inbox: string;
  unread?: boolean;
  archived?: boolean;
  type?: string;
  cursor?: string | null;
  limit?: number;
}

/** A page of an inbox, newest first, on the (to_inbox, archived_at, created_at, id) index. */
export function listInbox(ctx: ServiceContext, q: ListInboxQuery): Page<MessageDto> & { unreadCount: number } {
  requireInboxAccess(ctx.actor, q.inbox);
  const limit = clampLimit(q.limit);
  const where: SQL[] = [eq(messages.toInbox, q.inbox)];
  where.push(q.archived ? isNotNull(messages.archivedAt) : isNull(messages.archivedAt));
  if (q.unread) where.push(isNull(messages.readAt));
  if (q.type) where.push(eq(messages.type, q.type));
  const c = decodeCursor(q.cursor, 2);
  if (c) {
    const [at, id] = c as [number, string];
    where.push(or(lt(messages.createdAt, at), and(eq(messages.createdAt, at), lt(messages.id, id)))!);
  }
  const rows = ctx.db
    .select()
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit + 1)
    .all();
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(messageDto),
    nextCursor: more && last ? encodeCursor([last.createdAt, last.id]) : null,
    unreadCount: unreadCount(ctx, q.inbox),
  };
}

export function unreadCount(ctx: ServiceContext, inbox: string): number {
  const r = ctx.db
    .select({ n: sql<number>`count(*)` })
    .from(messages)
    .where(and(eq(messages.toInbox, inbox), isNull(messages.readAt), isNull(messages.archivedAt)))
    .get();
  return r?.n ?? 0;
}

/**
 * Every inbox a person can open, the people's first, with unread counts (partial index on unread).
 * Agents no longer defined (or only known from imported files) are listed while they have mail;
 * so is the protocol's `broadcast` folder.
 */
export function listInboxes(ctx: ServiceContext) {
  let names: string[];
  if (ctx.actor.kind === "agent") names = [ctx.actor.name];
  else {
    const all = ctx.db.select({ name: agents.name, active: agents.active }).from(agents).orderBy(asc(agents.name)).all();
    const hasMail = (inbox: string) => !!ctx.db.select({ one: sql`1` }).from(messages).where(eq(messages.toInbox, inbox)).limit(1).get();
    names = [PEOPLE_INBOX, ...all.filter((a) => a.active || hasMail(a.name)).map((a) => a.name)];
    if (hasMail("broadcast")) names.push("broadcast");
  }
  const counts = new Map(
    ctx.db
      .select({ inbox: messages.toInbox, n: sql<number>`count(*)` })
      .from(messages)
      .where(and(isNull(messages.readAt), isNull(messages.archivedAt)))
      .groupBy(messages.toInbox)
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
    .filter((m) => canSeeMessage(ctx.actor, m));
  if (rows.length === 0) throw notFound("Thread", threadId);
  return { threadId, subject: rows[0].subject, messages: rows.map(messageDto) };
}

export function getMessage(ctx: ServiceContext, id: string) {
  const m = ctx.db.select().from(messages).where(eq(messages.id, id)).get();
  if (!m || !canSeeMessage(ctx.actor, m)) throw notFound("Message", id);
  return messageDto(m);
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
 * Full-text search. Ranking happens inside the FTS subquery with a limit, so joining is bounded;
 * an agent searches its own inbox only.
 */
export function searchMessages(ctx: ServiceContext, q: { q: string; inbox?: string; limit?: number }): { items: SearchHit[]; query: string | null } {
  const fts = toFtsQuery(q.q);
  if (q.q.length > 500) throw new ServiceError("validation_failed", "The search is too long (500 characters at most)", { fields: { q: ["Too long"] } });
  if (!fts) return { items: [], query: null };
  const inbox = ctx.actor.kind === "agent" ? ctx.actor.name : q.inbox;
  const limit = clampLimit(q.limit, 20, 100);
  const rows = ctx.db.all<Record<string, unknown>>(sql`
    SELECT m.*, hit.snip AS snip FROM (
      SELECT rowid AS seq, rank, snippet(messages_fts, -1, ${HIT_START}, ${HIT_END}, '…', 16) AS snip
      FROM messages_fts WHERE messages_fts MATCH ${fts}
      ${inbox ? sql`AND rowid IN (SELECT seq FROM messages WHERE to_inbox = ${inbox})` : sql``}
      ORDER BY rank LIMIT ${limit}
    ) hit JOIN messages m ON m.seq = hit.seq ORDER BY hit.rank`);
  return {
    query: fts,
    items: rows.map((r) => {
      const m = {
        seq: r.seq as number,
        id: r.id as string,
        threadId: r.thread_id as string,
        inReplyTo: (r.in_reply_to as string) ?? null,
        fromKind: r.from_kind as "agent" | "person" | "system",
        fromName: r.from_name as string,
        toInbox: r.to_inbox as string,
        type: r.type as string,
        priority: r.priority as "critical" | "high" | "normal" | "low",
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
    }),
  };
}
