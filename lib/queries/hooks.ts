"use client";
import { useQuery } from "@tanstack/react-query";
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
