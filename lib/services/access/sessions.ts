import "server-only";
import { and, eq, gt, lt, sql } from "drizzle-orm";
import { apiTokens, sessions, users } from "@/db/schema";
import { hashSecret, newSecret, SESSION_TTL_MS } from "@/lib/auth/secrets";
import type { Actor, Role } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { prepared } from "../prepared";
import { remember, remembered } from "./auth-cache";

/**
 * Starts a session for a person who proved their password. A fresh id each sign-in (rotation), and
 * expired sessions of the same person are swept at the same time.
 */
export function startSession(ctx: ServiceContext, userId: string): { sessionId: string; expiresAt: number } {
  return writeTx(ctx, (tx, at, emit) => {
    const sessionId = newSecret("ads");
    const expiresAt = at + SESSION_TTL_MS;
    tx.delete(sessions)
      .where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, at)))
      .run();
    tx.insert(sessions)
      .values({ idHash: hashSecret(sessionId), userId, createdAt: at, expiresAt, lastSeenAt: at })
      .run();
    emit({ verb: "session.started", entityKind: "session", entityId: userId, after: { expiresAt: new Date(expiresAt).toISOString() } });
    return { sessionId, expiresAt };
  });
}

export function endSession(ctx: ServiceContext, sessionId: string): void {
  writeTx(ctx, (tx, _at, emit) => {
    const gone = tx
      .delete(sessions)
      .where(eq(sessions.idHash, hashSecret(sessionId)))
      .returning({ userId: sessions.userId })
      .get();
    if (gone) emit({ verb: "session.ended", entityKind: "session", entityId: gone.userId });
  });
}

/** Sign out everywhere: every session of the person ends now. */
export function endAllSessions(ctx: ServiceContext, userId: string): number {
  return writeTx(ctx, (tx, _at, emit) => {
    const gone = tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ userId: sessions.userId }).all();
    emit({ verb: "session.ended_all", entityKind: "session", entityId: userId, after: { count: gone.length } });
    return gone.length;
  });
}

/**
 * Who is behind a request: a bearer token (an agent, or a person's script) or a session cookie.
 * Read-only except for bumping last-used times, which are written without an event.
 */
export function authenticate(db: ServiceContext["db"], creds: { bearer?: string | null; sessionId?: string | null }, now: number = Date.now()): Actor | null {
  if (creds.bearer) {
    const key = `t:${creds.bearer}`;
    const known = remembered(db, key, now);
    if (known !== undefined) return known;
    // A prepared statement (see prepared.ts).
    const row = prepared(db, "auth.token", (d) =>
      d
        .select({ t: apiTokens, u: users })
        .from(apiTokens)
        .leftJoin(users, eq(users.id, apiTokens.userId))
        .where(eq(apiTokens.tokenHash, sql.placeholder("hash")))
        .prepare(),
    ).get({ hash: hashSecret(creds.bearer) });
    if (!row || row.t.revokedAt || (row.t.expiresAt && row.t.expiresAt <= now)) return null;
    const touch = (at: number) => bestEffort(() => db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, row.t.id)).run());
    let lastUsedAt = row.t.lastUsedAt ?? 0;
    if (now - lastUsedAt > 60_000) {
      touch(now);
      lastUsedAt = now;
    }
    let actor: Actor | null = null;
    if (row.t.agentName) actor = { kind: "agent", name: row.t.agentName, tokenId: row.t.id };
    else if (row.u && !row.u.disabledAt) actor = { kind: "person", id: row.u.id, email: row.u.email, name: row.u.name, role: row.u.role as Role };
    if (actor) remember(db, key, { actor, checkedAt: now, expiresAt: row.t.expiresAt ?? null, lastUsedAt, touch });
    return actor;
  }
  if (creds.sessionId) {
    const key = `s:${creds.sessionId}`;
    const known = remembered(db, key, now);
    if (known !== undefined) return known;
    const row = prepared(db, "auth.session", (d) =>
      d
        .select({ s: sessions, u: users })
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(and(eq(sessions.idHash, sql.placeholder("hash")), gt(sessions.expiresAt, sql.placeholder("now"))))
        .prepare(),
    ).get({ hash: hashSecret(creds.sessionId), now });
    if (!row || row.u.disabledAt) return null;
    const touch = (at: number) => bestEffort(() => db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.idHash, row.s.idHash)).run());
    let lastUsedAt = row.s.lastSeenAt;
    if (now - lastUsedAt > 60_000) {
      touch(now);
      lastUsedAt = now;
    }
    const actor: Actor = { kind: "person", id: row.u.id, email: row.u.email, name: row.u.name, role: row.u.role as Role };
    remember(db, key, { actor, checkedAt: now, expiresAt: row.s.expiresAt, lastUsedAt, touch });
    return actor;
  }
  return null;
}

/** Bookkeeping (last-used times) must not turn a read into a failure when the disk refuses writes. */
function bestEffort(write: () => unknown) {
  try {
    write();
  } catch {
    // A full or read-only disk: the request itself may still be a read that succeeds.
  }
}
