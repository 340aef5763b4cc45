import "server-only";
import { engineOf, type Handle } from "@/db/engine";
import type { ServiceContext } from "../context";
import type { SearchAllHit, SearchAllQuery, SearchKind } from "./search-all";
import type { MessageSearch, SearchHit, SearchOrder, SearchPart } from "./query";
import { sqliteSearch } from "./backend-sqlite";
import { pgSearch } from "./backend-pg";

/** A candidate of one kind of "search everywhere": its key in that engine's index, its score when ranked. */
export interface Candidate {
  key: number | string;
  /** Lower is better: bm25 on SQLite, minus ts_rank_cd on PostgreSQL; null when newest first. */
  score: number | null;
}

/** One kind of a searchAll, counted and ordered; the rows are read for the page's candidates only. */
export interface KindRun {
  /** Matches, up to RANK_WINDOW. */
  count: number;
  order: SearchOrder;
  /** The best `want` matches, best first (empty when the kind is only counted). */
  candidates: Candidate[];
  /**
   * The hits of these candidates, by key (a candidate the caller may not see is left out). With
   * `snippets: false` a backend whose snippets cost per row (`lazySnippets`) leaves them empty:
   * the merge needs every candidate's row, the page only some of their snippets.
   */
  hits(keys: (number | string)[], snippets?: boolean): Map<number | string, SearchAllHit>;
  /** Whether hits(keys, false) leaves the snippets out (then searchAll asks for the page's again). */
  lazySnippets?: boolean;
}

/**
 * Full-text search on one engine: FTS5 on SQLite (backend-sqlite.ts), tsvector columns with GIN
 * indexes on PostgreSQL (backend-pg.ts). Both take the same parsed query and scoping (query.ts,
 * search-all.ts) and run the same bounded steps: the newest RANK_WINDOW + 1 matches, ranked when
 * there are at most RANK_WINDOW, rows and snippets for the page only.
 */
export interface SearchBackend {
  /** searchMessages' page: the items and how they were ordered. */
  messages(ctx: ServiceContext, s: MessageSearch): { items: SearchHit[]; order: SearchOrder };
  /** One kind of searchAll for this caller and these filters; null when it can find nothing. `want`: candidates to return (null: count only). */
  kind(ctx: ServiceContext, kind: SearchKind, q: SearchAllQuery, parts: SearchPart[], fts: string, want: number | null): KindRun | null;
}

/** The search backend of the engine `h` runs on: the one place search looks at the engine's kind. */
export const searchBackend = (h: Handle): SearchBackend => (engineOf(h).kind === "postgres" ? pgSearch : sqliteSearch);
