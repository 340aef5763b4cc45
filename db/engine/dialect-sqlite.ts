import { sql, type SQLWrapper } from "drizzle-orm";
import type { DialectSql } from "./types";

/** SQLite's spelling of the fragments that differ between the engines (db/engine/types.ts). */
export const sqliteDialect: DialectSql = {
  glob: (col, pattern) => sql<boolean>`${col} GLOB ${pattern}`,
  ilike: (col, pattern) => sql<boolean>`${col} LIKE ${pattern} ESCAPE '\\'`,
  greatest: (a: SQLWrapper, b: SQLWrapper) => sql<number>`max(${a}, ${b})`,
  countIf: (cond) => sql<number>`sum(${cond})`,
  utcDay: (ms) => sql<string>`strftime('%Y-%m-%d', ${ms} / 1000, 'unixepoch')`,
  jsonText: (col, path) => sql<string | null>`json_extract(${col}, ${"$" + path.map((p) => `."${p}"`).join("")})`,
  noIndex: (col) => sql`+${col}`,
  newline: () => sql<string>`char(10)`,
  int: (v) => sql<number>`${v}`,
  skipLocked: () => sql``,
  nowMs: () => sql<number>`CAST(unixepoch('subsec') * 1000 AS INTEGER)`,
  limitAll: () => sql`LIMIT -1`,
  eventsAfter: (afterId) => sql<boolean>`"events"."id" > ${afterId}`,
  eventsOrder: (desc) => (desc ? sql`"events"."id" DESC` : sql`"events"."id"`),
};
