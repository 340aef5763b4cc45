import "server-only";
import { and, eq, gt, lt, or, type Column, type SQL } from "drizzle-orm";
import { ServiceError } from "./errors";

/** Keyset cursors: an opaque base64url of the last row's sort key, so pages stay stable under inserts. */
export function encodeCursor(key: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor(cursor: string | undefined | null, arity: number): (string | number | null)[] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === arity && v.every((x) => x === null || typeof x === "string" || typeof x === "number")) return v;
  } catch {
    // fall through to the error below
  }
  throw new ServiceError("validation_failed", "The cursor is not valid: use the nextCursor of the previous page", { fields: { cursor: ["Invalid cursor"] } });
}

/**
 * The keyset condition for the rows after a (time, id) cursor in a list ordered by time then id,
 * newest first ("desc") or oldest first ("asc"); undefined without a cursor.
 */
export function afterCursor(cursor: string | undefined | null, time: Column, id: Column, order: "asc" | "desc"): SQL | undefined {
  const c = decodeCursor(cursor, 2);
  if (!c) return undefined;
  const [at, key] = c as [number, string];
  const past = order === "desc" ? lt : gt;
  return or(past(time, at), and(eq(time, at), past(id, key)));
}

/** Cuts the `limit + 1` rows a list fetched into its page and the cursor to the next page (null on the last). */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => readonly [number, string]): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}

export function clampLimit(limit: number | undefined, fallback = 50, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
