import "server-only";
import type { Db } from "@/db/client";
import type { Tx } from "./context";

type Handle = Db | Tx;

// drizzle's transaction object shares its database's session (and so its SQLite connection): the
// session is the key, so a statement prepared outside a transaction serves inside one too.
const sessionOf = (h: Handle): object => (h as unknown as { session?: object }).session ?? h;
const caches = new WeakMap<object, Map<string, unknown>>();

/**
 * A prepared drizzle query, built once per connection and name. Without it every call builds the
 * SQL and SQLite compiles it again: 100-150 µs for a task row, measured, which was most of an agent
 * request's CPU (docs/benchmarks.md). Use for the hot paths only (agent verbs, authentication, inbox
 * pages); the statement's text must not depend on the arguments (use sql.placeholder).
 */
export function prepared<T>(h: Handle, name: string, build: (h: Handle) => T): T {
  const key = sessionOf(h);
  let m = caches.get(key);
  if (!m) caches.set(key, (m = new Map()));
  let p = m.get(name) as T | undefined;
  if (p === undefined) {
    p = build(h);
    m.set(name, p);
  }
  return p;
}

/** A JSON column's value as stored (drizzle's placeholders would store SQL NULL as the text "null"). */
export const jsonText = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
