import "server-only";
import type { SearchBackend } from "./backend";

const notYet = (): never => {
  throw new Error("Search on PostgreSQL is not built yet (issue #21)");
};

/** Search on PostgreSQL: tsvector columns with GIN indexes (db/migrations-pg 0001). */
export const pgSearch: SearchBackend = { messages: notYet, kind: notYet };
