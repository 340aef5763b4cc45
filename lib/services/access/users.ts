import "server-only";
import { z } from "zod";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { sessions, users } from "@/db/schema";
import { newId } from "@/lib/ids";
import { roles } from "@/lib/domain/vocabulary";
import type { Role } from "@/lib/auth/actor";
import type { ServiceContext, Tx } from "../context";
import { writeTx } from "../write-tx";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput, singleLineText } from "../validate";

export const CreateUserInput = z.strictObject({
  email: z
    .email("A valid email address is required")
    .max(254)
    .transform((e) => e.toLowerCase()),
  name: singleLineText(100).default(""),
  role: z.enum(roles),
  /** Already hashed by the caller (hashing is async; transactions are not). */
  passwordHash: z.string().min(20),
});

export const PasswordRule = z.string().min(10, "Use at least 10 characters").max(200, "200 characters at most");

export function userDto(u: typeof users.$inferSelect) {
  return { id: u.id, email: u.email, name: u.name, role: u.role as Role, createdAt: new Date(u.createdAt).toISOString(), disabled: u.disabledAt != null };
}

export function countUsers(ctx: Pick<ServiceContext, "db">): number {
  return (
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .get()?.n ?? 0
  );
}

/**
 * Creates a person. Admins create anyone; the system actor (CLI, first-run page) creates the first
 * admin. The first-run path is only allowed while there is no user at all, checked inside the
 * transaction so two first-run requests cannot both win.
 */
export function createUser(ctx: ServiceContext, raw: z.input<typeof CreateUserInput>, opts: { firstRun?: boolean } = {}) {
  if (!opts.firstRun) requirePerson(ctx.actor, "admin");
  const input = parseInput(CreateUserInput, raw);
  return writeTx(ctx, (tx, at, emit) => {
    if (opts.firstRun) {
      const n =
        tx
          .select({ n: sql<number>`count(*)` })
          .from(users)
          .get()?.n ?? 0;
      if (n > 0) throw new ServiceError("forbidden", "First-run set-up is over: an account already exists");
    }
    if (tx.select({ id: users.id }).from(users).where(eq(users.email, input.email)).get()) {
      throw new ServiceError("conflict", `An account for ${input.email} already exists`, { fields: { email: ["Already registered"] } });
    }
    const row = tx
      .insert(users)
      .values({ id: newId("usr", at), email: input.email, name: input.name, role: input.role, passwordHash: input.passwordHash, createdAt: at })
      .returning()
      .get();
    emit({ verb: "user.created", entityKind: "user", entityId: row.id, after: { email: row.email, role: row.role } });
    return userDto(row);
  });
}

/**
 * Refuses a change that would leave no admin who can sign in (a database only the CLI could recover):
 * `userId` is the admin about to be deleted or demoted. Counted inside the caller's transaction, so
 * two admins removing each other at once cannot both succeed.
 */
function keepAnAdmin(tx: Tx, user: typeof users.$inferSelect, what: "delete" | "demote"): void {
  if (user.role !== "admin" || user.disabledAt != null) return;
  const others =
    tx
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.disabledAt), ne(users.id, user.id)))
      .get()?.n ?? 0;
  if (others === 0) {
    throw new ServiceError("conflict", `${user.email} is the last admin: make another person admin before you ${what === "delete" ? "delete" : "demote"} this account`, {
      details: { reason: "last_admin" },
    });
  }
}

export function deleteUser(ctx: ServiceContext, userId: string) {
  requirePerson(ctx.actor, "admin");
  return writeTx(ctx, (tx, _at, emit) => {
    const u = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!u) throw notFound("User", userId);
    keepAnAdmin(tx, u, "delete");
    tx.delete(users).where(eq(users.id, userId)).run();
    emit({ verb: "user.deleted", entityKind: "user", entityId: userId, before: { email: u.email, role: u.role } });
    return userDto(u);
  });
}

export const ChangeUserRoleInput = z.strictObject({
  userId: z.string().min(1).max(64),
  role: CreateUserInput.shape.role,
});

/** Gives a person another role (admins only); the last admin cannot be demoted. */
export function changeUserRole(ctx: ServiceContext, raw: z.input<typeof ChangeUserRoleInput>) {
  requirePerson(ctx.actor, "admin");
  const input = parseInput(ChangeUserRoleInput, raw);
  return writeTx(ctx, (tx, _at, emit) => {
    const u = tx.select().from(users).where(eq(users.id, input.userId)).get();
    if (!u) throw notFound("User", input.userId);
    if (u.role === input.role) return userDto(u);
    if (input.role !== "admin") keepAnAdmin(tx, u, "demote");
    const row = tx.update(users).set({ role: input.role }).where(eq(users.id, u.id)).returning().get()!;
    emit({ verb: "user.role_changed", entityKind: "user", entityId: u.id, before: { role: u.role }, after: { role: row.role } });
    return userDto(row);
  });
}

/** Everyone, oldest first, with when each last used the dashboard (their newest session's last sight; null: never signed in, or signed out everywhere). */
export function listUsers(ctx: ServiceContext) {
  requirePerson(ctx.actor, "admin");
  const seen = new Map(
    ctx.db
      .select({ userId: sessions.userId, at: sql<number>`max(${sessions.lastSeenAt})` })
      .from(sessions)
      .groupBy(sessions.userId)
      .all()
      .map((r) => [r.userId, r.at] as const),
  );
  return ctx.db
    .select()
    .from(users)
    .orderBy(users.createdAt)
    .all()
    .map((u) => {
      const at = seen.get(u.id);
      return { ...userDto(u), lastSeenAt: at != null ? new Date(at).toISOString() : null };
    });
}

export const SetUserPasswordInput = z.strictObject({
  userId: z.string().min(1).max(64),
  /** The new password's hash, made by the caller (lib/auth/password.ts), as createUser takes it. */
  passwordHash: z.string().min(20).max(500),
});

/**
 * An admin sets a person's password (a forgotten one): the new hash replaces the old, and every
 * session of that person ends, so whoever held the old one is signed out. Nothing is stored in clear.
 */
export function setUserPassword(ctx: ServiceContext, raw: z.input<typeof SetUserPasswordInput>) {
  requirePerson(ctx.actor, "admin");
  const input = parseInput(SetUserPasswordInput, raw);
  return writeTx(ctx, (tx, _at, emit) => {
    const u = tx.select().from(users).where(eq(users.id, input.userId)).get();
    if (!u) throw notFound("User", input.userId);
    tx.update(users).set({ passwordHash: input.passwordHash }).where(eq(users.id, u.id)).run();
    const ended = tx.delete(sessions).where(eq(sessions.userId, u.id)).run().changes;
    emit({ verb: "user.password_reset", entityKind: "user", entityId: u.id, after: { email: u.email, sessionsEnded: ended } });
    return { ...userDto(u), sessionsEnded: ended };
  });
}

export function findUserByEmail(ctx: Pick<ServiceContext, "db">, email: string) {
  return ctx.db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).get() ?? null;
}
