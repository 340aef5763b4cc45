import type { Metadata } from "next";
import { agentSummary, listAgents } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { AgentListView } from "@/components/agents/agent-list";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const ctx = await getPageContext();
  return <AgentListView initial={listAgents(ctx).map(agentSummary)} />;
}
