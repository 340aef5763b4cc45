"use client";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { SearchAllResult } from "@/lib/services";
import type { SearchFilters } from "./search-params";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

export { SEARCH_KINDS, searchHref, type SearchFilters, type SearchKind } from "./search-params";

function apiQuery(f: SearchFilters) {
  return { q: f.q.trim(), kinds: f.kinds.length ? f.kinds.join(",") : undefined, agent: f.agent, status: f.status, from: f.from, to: f.to };
}

/** Search everywhere, page after page ("Load more"); the previous answer stays on screen while the next query runs. */
export function useSearchAll(f: SearchFilters, { limit = 20 }: { limit?: number } = {}) {
  const query = apiQuery(f);
  return useInfiniteQuery({
    queryKey: keys.searchAll({ ...query, limit }),
    queryFn: ({ pageParam, signal }) => call(endpoints.searchAll, { query: { ...query, limit, cursor: pageParam ?? undefined }, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (last: SearchAllResult) => last.nextCursor,
    enabled: query.q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

/** The palette's few hits of every kind for what is typed (two characters at least). */
export function usePaletteSearch(term: string) {
  const q = term.trim();
  return useQuery({
    queryKey: keys.searchAll({ q, limit: 12 }),
    queryFn: ({ signal }) => call(endpoints.searchAll, { query: { q, limit: 12 }, signal }),
    enabled: q.length >= 2,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}
