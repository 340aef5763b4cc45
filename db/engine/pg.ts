import type { Db } from "./types";

/** The PostgreSQL engine (issue #21): being written; until then DATABASE_URL=postgres://… is refused. */
export function openPostgres(url: string, options: { migrate?: boolean } = {}): Db {
  void url;
  void options;
  throw new Error("PostgreSQL is not supported yet by this build (unset DATABASE_URL to use the SQLite file)");
}
