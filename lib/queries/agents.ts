"use client";
import { useQuery } from "@tanstack/react-query";
import type { AgentListItem, AgentSummary, PublicAgent } from "@/lib/services";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

/*
 * People get every agent whole (its definition, load and unread count); an agent's token gets only
 * the public face of the others. The dashboard is for people: these read the whole view.
 */
const seenWhole = <A extends { name: string }>(a: A | PublicAgent): a is A => "load" in a;

type SummariesData = { items: (AgentSummary | PublicAgent)[] };
const summaries = (d: SummariesData): AgentSummary[] => d.items.filter(seenWhole<AgentSummary>);

/**
 * The agents page: GET /agents?view=summary (active agents with their load and unread count, without
 * the definitions' long parts), seeded by the server render. Shared with the command palette; under
 * keys.agents, which the live hook invalidates on task, message and agent events.
 */
export function useAgentSummaries(initial?: AgentSummary[]) {
  return useQuery({
    queryKey: keys.agentSummaries,
    queryFn: ({ signal }) => call(endpoints.agentSummaries, { query: { view: "summary" }, signal }),
    initialData: initial ? { items: initial } : undefined,
    select: summaries,
    staleTime: 5_000,
  });
}

/** One agent's page: GET /agents/{name}, seeded by the server render, live through keys.agent(name). */
export function useAgent(name: string, initial?: AgentListItem) {
  return useQuery({
    queryKey: keys.agent(name),
    queryFn: async ({ signal }) => {
      const a = await call(endpoints.agent, { params: { agentName: name }, signal });
      // Only a person's view carries the load and the definition's details the page shows.
      if (!seenWhole<AgentListItem>(a)) throw new Error(`Only the public face of ${name} is visible to you`);
      return a;
    },
    initialData: initial,
    staleTime: 5_000,
  });
}
