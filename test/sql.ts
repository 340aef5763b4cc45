import { sql, type SQL } from "drizzle-orm";
import type { Handle } from "@/db/engine";

// Raw SQL for tests, the same on both engines: `?` placeholders as better-sqlite3 takes them, run
// through the database's drizzle session (PostgreSQL numbers them $1, $2...). Tests read and poke
// rows directly where no verb does what they check.

function toSql(text: string, params: unknown[]): SQL {
  const parts = text.split("?");
  if (parts.length - 1 !== params.length) throw new Error(`${parts.length - 1} placeholders and ${params.length} values in: ${text}`);
  const chunks: SQL[] = [];
  parts.forEach((p, i) => {
    chunks.push(sql.raw(p));
    if (i < params.length) chunks.push(sql`${params[i]}`);
  });
  return sql.join(chunks);
}

/** The driver's own error (a trigger's message, a constraint's name), not drizzle's "Failed to run the query" around it. */
function driverError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw (err as { cause?: unknown }).cause ?? err;
  }
}

/** Every row of a query. */
export const rows = <T = Record<string, unknown>>(db: Handle, text: string, ...params: unknown[]): T[] => driverError(() => db.all<T>(toSql(text, params)));
/** The first row of a query, or undefined. */
export const one = <T = Record<string, unknown>>(db: Handle, text: string, ...params: unknown[]): T | undefined => driverError(() => db.get<T>(toSql(text, params)));
/** Runs a statement; returns how many rows it changed. */
export const exec = (db: Handle, text: string, ...params: unknown[]): number => driverError(() => db.run(toSql(text, params)).changes);
/** `SELECT count(*)` of a table or of a query's rows, as a number on both engines. */
export const countOf = (db: Handle, from: string, ...params: unknown[]): number => Number(one<{ n: number | string }>(db, `SELECT count(*) AS n FROM ${from}`, ...params)!.n);
