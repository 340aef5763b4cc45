"use client";
import { useQuery } from "@tanstack/react-query";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

/** What the command palette offers: the first tasks, instructions, every agent, and message search. */
export function usePaletteData(term: string) {
  const tasks = useQuery({
    queryKey: keys.paletteTasks,
    queryFn: ({ signal }) => call(endpoints.tasks, { query: { limit: 100 }, signal }),
    staleTime: 30_000,
  });
  const instructions = useQuery({
    queryKey: keys.paletteInstructions,
    queryFn: ({ signal }) => call(endpoints.instructions, { query: { limit: 100 }, signal }),
    staleTime: 30_000,
  });
  const agents = useQuery({
    queryKey: keys.agentSummaries,
    queryFn: ({ signal }) => call(endpoints.agentSummaries, { query: { view: "summary" }, signal }),
    staleTime: 60_000,
  });
  const search = useQuery({
    queryKey: keys.search(term),
    queryFn: ({ signal }) => call(endpoints.search, { query: { q: term, limit: 10 }, signal }),
    enabled: term.length >= 2,
    staleTime: 10_000,
  });
  return { tasks, instructions, agents, search };
}
