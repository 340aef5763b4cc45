import "server-only";
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

export function clampLimit(limit: number | undefined, fallback = 50, max = 200): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
