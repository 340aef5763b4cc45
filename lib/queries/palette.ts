"use client";
import { useQuery } from "@tanstack/react-query";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";
import { usePaletteSearch } from "./search";

/** What the command palette offers: the first tasks, instructions, every agent, and search everywhere (every kind). */
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
  const search = usePaletteSearch(term);
  return { tasks, instructions, agents, search };
}
