"use client";
import { useQuery } from "@tanstack/react-query";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";

/** The overview's cost card: every agent's tokens and cost over the last `days` days. Live through keys.usage (run.finished). */
export function useUsageOverview(days = 14) {
  return useQuery({
    queryKey: keys.usageOverview(days),
    queryFn: ({ signal }) => call(endpoints.usage, { query: { days }, signal }),
    staleTime: 30_000,
  });
}

/** An agent's page: its tokens and cost, the last `days` days day by day. */
export function useAgentUsage(name: string, days = 14) {
  return useQuery({
    queryKey: keys.agentUsage(name, days),
    queryFn: ({ signal }) => call(endpoints.agentUsage, { params: { agentName: name }, query: { days }, signal }),
    staleTime: 30_000,
  });
}
