import { sql, type SQLWrapper } from "drizzle-orm";
import type { DialectSql } from "./types";

/**
 * SQLite's GLOB pattern as an anchored POSIX regular expression: `*` any run, `?` one character,
 * `[…]` a class (`[^…]` negated, as in SQLite); everything else literal.
 */
export function globToRegex(glob: string): string {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end === -1) out += "\\[";
      else {
        out += `[${glob.slice(i + 1, end).replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += /[\\^$.|+(){}\]]/.test(c) ? `\\${c}` : c;
  }
  return out + "$";
}

/** PostgreSQL's spelling of the fragments that differ between the engines (db/engine/types.ts). */
export const pgDialect: DialectSql = {
  glob: (col, pattern) => sql<boolean>`${col} ~ ${globToRegex(pattern)}`,
  ilike: (col, pattern) => sql<boolean>`${col} ILIKE ${pattern} ESCAPE '\\'`,
  greatest: (a: SQLWrapper, b: SQLWrapper) => sql<number>`greatest(${a}, ${b})`,
  countIf: (cond) => sql<number>`count(*) FILTER (WHERE ${cond})`,
  utcDay: (ms) => sql<string>`to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  jsonText: (col, path) =>
    sql<string | null>`(${col})::jsonb #>> ARRAY[${sql.join(
      path.map((p) => sql`${p}::text`),
      sql`, `,
    )}]`,
  noIndex: (col) => sql`${col}`,
  newline: () => sql<string>`chr(10)`,
  int: (v) => sql<number>`CAST(${v} AS bigint)`,
  skipLocked: () => sql`FOR UPDATE SKIP LOCKED`,
  nowMs: () => sql<number>`CAST(extract(epoch FROM clock_timestamp()) * 1000 AS bigint)`,
  limitAll: () => sql`LIMIT ALL`,
  // Sequence values can commit out of order: a follower by id alone would skip an event whose
  // transaction commits after a later id's. Events carry their transaction id (events.tx, xid8);
  // a follower reads only transactions below the snapshot's xmin (all finished), in (tx, id) order,
  // and resumes from the (tx, id) of the last id it saw (docs/plans/postgresql.md §3.1).
  eventsAfter: (afterId) =>
    sql<boolean>`("events"."tx", "events"."id") > (coalesce((SELECT "e"."tx" FROM "events" "e" WHERE "e"."id" <= ${afterId} ORDER BY "e"."id" DESC LIMIT 1), '0'::xid8), ${afterId}) AND "events"."tx" < pg_snapshot_xmin(pg_current_snapshot())`,
  eventsOrder: () => sql`"events"."tx", "events"."id"`,
};
