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

/**
 * The oldest transaction that may still add events to this database. The snapshot's xmin is the
 * oldest transaction in flight in the whole cluster, and transaction ids are cluster-wide: a long
 * transaction in another database (another application, a psql session, another test) would hold
 * every follower here back. So: the snapshot's in-flight transactions, less those that
 * pg_stat_activity shows running in another database; its xmax when none is left. Conservative
 * where it cannot tell: a transaction that ended since the snapshot, a prepared one, or one whose
 * backend this role may not see stays in (a transaction that takes an id later gets one above xmax).
 * backend_xid is the 32-bit xid: compared modulo 2^32.
 */
const horizon = sql`(SELECT coalesce(min("x"), pg_snapshot_xmax(pg_current_snapshot())) FROM pg_snapshot_xip(pg_current_snapshot()) AS "x" WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity "a" WHERE "a"."backend_xid" IS NOT NULL AND "a"."datname" <> current_database() AND "a"."backend_xid"::text::bigint = "x"::text::bigint % 4294967296))`;

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
  // a follower reads only events of transactions below the horizon (all finished), in (tx, id)
  // order, and resumes from the (tx, id) of the last id it saw (docs/plans/postgresql.md §3.1).
  eventsAfter: (afterId) =>
    sql<boolean>`("events"."tx", "events"."id") > (coalesce((SELECT "e"."tx" FROM "events" "e" WHERE "e"."id" <= ${afterId} ORDER BY "e"."id" DESC LIMIT 1), '0'::xid8), ${afterId}) AND "events"."tx" < ${horizon}`,
  eventsOrder: (desc) => (desc ? sql`"events"."tx" DESC, "events"."id" DESC` : sql`"events"."tx", "events"."id"`),
};
