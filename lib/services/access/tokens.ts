import "server-only";
import { z } from "zod";
import { and, desc, eq, isNull } from "drizzle-orm";
import { agents, apiTokens, users } from "@/db/schema";
import { newId } from "@/lib/ids";
import { hashSecret, newSecret } from "@/lib/auth/secrets";
import { actorId } from "@/lib/auth/actor";
import { nowOf, type ServiceContext } from "../context";
import { writeTx } from "../write-tx";
import { notFound, ServiceError } from "../errors";
import { requirePerson } from "../policy";
import { parseInput, singleLineText } from "../validate";

export const CreateTokenInput = z
  .strictObject({
    agent: z.string().min(1).optional(),
    userId: z.string().min(1).optional(),
    label: singleLineText(100).default(""),
    expiresAt: z.number().int().positive().optional(),
  })
  .refine((v) => !!v.agent !== !!v.userId, { message: "A token belongs to one agent or one person" });

function tokenDto(t: typeof apiTokens.$inferSelect) {
  const iso = (n: number | null) => (n == null ? null : new Date(n).toISOString());
  return {
    id: t.id,
    agent: t.agentName,
    userId: t.userId,
    label: t.label,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt)!,
    lastUsedAt: iso(t.lastUsedAt),
    expiresAt: iso(t.expiresAt),
    revokedAt: iso(t.revokedAt),
  };
}
export type TokenDto = ReturnType<typeof tokenDto>;

/** Mints a token. The secret is returned this once and only its hash is kept. */
export function createToken(ctx: ServiceContext, raw: z.input<typeof CreateTokenInput>): TokenDto & { token: string } {
  const input = parseInput(CreateTokenInput, raw);
  // A person may mint a token for their own scripts; agent tokens are an admin's business.
  const own = ctx.actor.kind === "person" && input.userId === ctx.actor.id;
  if (!own) requirePerson(ctx.actor, "admin");
  // A token born expired would be refused on its first use: say so now (REST, CLI and pages alike).
  if (input.expiresAt !== undefined && input.expiresAt <= nowOf(ctx)) {
    throw new ServiceError("validation_failed", "Invalid input: expiresAt: The expiry must be in the future", { fields: { expiresAt: ["Must be in the future"] } });
  }
  return writeTx(ctx, (tx, at, emit) => {
    if (input.agent && !tx.select({ n: agents.name }).from(agents).where(eq(agents.name, input.agent)).get()) {
      throw new ServiceError("validation_failed", `No agent named ${input.agent}`, { fields: { agent: ["Unknown agent"] } });
    }
    if (input.userId && !tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).get()) throw notFound("User", input.userId);
    const token = newSecret("adk");
    const row = tx
      .insert(apiTokens)
      .values({
        id: newId("tok", at),
        tokenHash: hashSecret(token),
        agentName: input.agent ?? null,
        userId: input.userId ?? null,
        label: input.label,
        createdBy: actorId(ctx.actor),
        createdAt: at,
        expiresAt: input.expiresAt ?? null,
      })
      .returning()
      .get();
    emit({ verb: "token.created", entityKind: "token", entityId: row.id, after: { agent: row.agentName, userId: row.userId, label: row.label } });
    return { ...tokenDto(row), token };
  });
}

export function listTokens(ctx: ServiceContext, q: { agent?: string } = {}) {
  requirePerson(ctx.actor, "admin");
  return ctx.db
    .select()
    .from(apiTokens)
    .where(q.agent ? eq(apiTokens.agentName, q.agent) : undefined)
    .orderBy(desc(apiTokens.createdAt))
    .all()
    .map(tokenDto);
}

export function revokeToken(ctx: ServiceContext, tokenId: string) {
  return writeTx(ctx, (tx, at, emit) => {
    const t = tx.select().from(apiTokens).where(eq(apiTokens.id, tokenId)).get();
    if (!t) throw notFound("Token", tokenId);
    const own = ctx.actor.kind === "person" && t.userId === ctx.actor.id;
    if (!own) requirePerson(ctx.actor, "admin");
    if (t.revokedAt) return tokenDto(t);
    const row = tx
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)))
      .returning()
      .get();
    emit({ verb: "token.revoked", entityKind: "token", entityId: tokenId, before: { revoked: false }, after: { revoked: true, agent: t.agentName } });
    return tokenDto(row ?? t);
  });
}
