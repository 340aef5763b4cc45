"use client";
import { useInfiniteQuery, useQuery, type UseInfiniteQueryResult } from "@tanstack/react-query";
import type { Overview } from "@/lib/services";
import { call, endpoints, type ShellCounts } from "./endpoints";
import { keys } from "./keys";

export type { ShellCounts };

/** Sidebar badges, seeded by the layout's server render and kept live by the event stream. */
export function useCounts(initialData?: ShellCounts) {
  return useQuery({
    queryKey: keys.counts,
    queryFn: ({ signal }) => call(endpoints.counts, { signal }),
    initialData,
    staleTime: 10_000,
  });
}

/** The overview page: seeded by the server render, refetched when the live hook invalidates keys.overview. */
export function useOverview(initialData?: Overview) {
  return useQuery({
    queryKey: keys.overview,
    queryFn: ({ signal }) => call(endpoints.overview, { signal }),
    initialData,
    staleTime: 5_000,
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A cursor-paged list: the first page comes from the server render, "Load more" fetches the next
 * cursor and appends. Invalidating `queryKey` (live events) refetches the loaded pages.
 */
export function useCursorList<T>({
  queryKey,
  fetchPage,
  initialPage,
}: {
  queryKey: readonly unknown[];
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;
  initialPage?: Page<T>;
}) {
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => fetchPage(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
  });
  return cursorListState(q, q.data?.pages.flatMap((p) => p.items) ?? []);
}

/** useCursorList's answer from any infinite query over cursor pages; `items` comes in so a caller can memoise it. */
export function cursorListState<TData, T>(q: UseInfiniteQueryResult<TData>, items: T[]) {
  return {
    items,
    hasMore: !!q.hasNextPage,
    loadMore: () => q.fetchNextPage(),
    isLoadingMore: q.isFetchingNextPage,
    isLoading: q.isLoading,
    error: q.error,
    loadMoreError: q.isFetchNextPageError ? q.error : null,
    refetch: q.refetch,
  };
}
