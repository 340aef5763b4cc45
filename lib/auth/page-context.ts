import "server-only";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { redirect } from "next/navigation";
import { getDb } from "@/db/client";
import { authenticate, type ServiceContext } from "@/lib/services";
import { SESSION_COOKIE } from "./secrets";
import type { Actor } from "./actor";

/**
 * The service context of the person viewing a page: their session's actor and the process's one
 * database handle. Without a valid session the page redirects to sign-in. Pages call service
 * verbs with it; they never touch the database themselves.
 */
export async function getPageContext(): Promise<ServiceContext & { actor: Extract<Actor, { kind: "person" }> }> {
  await connection();
  const jar = await cookies();
  const db = getDb();
  const actor = authenticate(db, { sessionId: jar.get(SESSION_COOKIE)?.value ?? null });
  if (!actor || actor.kind !== "person") redirect("/sign-in");
  return { db, actor };
}

/** For the sign-in and first-run pages: the database and whether anyone is signed in, without redirecting. */
export async function getOptionalPageContext(): Promise<{ db: ServiceContext["db"]; actor: Actor | null }> {
  await connection();
  const jar = await cookies();
  const db = getDb();
  return { db, actor: authenticate(db, { sessionId: jar.get(SESSION_COOKIE)?.value ?? null }) };
}
