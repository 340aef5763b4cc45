"use client";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "./api";
import { keys } from "./keys";

export interface ShellCounts {
  awaitingReview: number;
  unread: number;
}

/** Sidebar badges, seeded by the layout's server render and kept live by the event stream. */
export function useCounts(initialData?: ShellCounts) {
  return useQuery({
    queryKey: keys.counts,
    queryFn: ({ signal }) => api.get<ShellCounts>("/api/v1/counts", undefined, signal),
    initialData,
    staleTime: 10_000,
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A cursor-paged list: the first page comes from the server render, "Load more" fetches
 * `path?cursor=…` and appends. Invalidating `queryKey` (live events) refetches the loaded pages.
 */
export function useCursorList<T>({
  queryKey,
  path,
  query,
  initialPage,
  limit = 50,
}: {
  queryKey: readonly unknown[];
  path: string;
  query?: Record<string, string | number | undefined>;
  initialPage?: Page<T>;
  limit?: number;
}) {
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) => api.get<Page<T>>(path, { ...query, limit, cursor: pageParam ?? undefined }, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    initialData: initialPage ? { pages: [initialPage], pageParams: [null] } : undefined,
  });
  const items = q.data?.pages.flatMap((p) => p.items) ?? [];
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
