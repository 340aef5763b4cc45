import type { Metadata } from "next";
import { headers } from "next/headers";
import { getAgent, listTasks } from "@/lib/services";
import { agentActivity, agentStepDurations } from "@/lib/services/charts";
import { getPageContext } from "@/lib/auth/page-context";
import { requestHost, requestProtocol, trustProxy } from "@/lib/auth/allowed-host";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { AgentView } from "@/components/agents/agent-view";
import { AgentActivityCard, StepDurationsCard } from "@/components/agents/agent-charts";
import { orNotFound } from "@/app/(dashboard)/page-data";

type Props = { params: Promise<{ agentName: string }> };

async function load(name: string) {
  const ctx = await getPageContext();
  return { ctx, agent: orNotFound(() => getAgent(ctx, name)) };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { agentName } = await params;
  return { title: decodeURIComponent(agentName) };
}

/** The agent's page: the server renders the first copy (and draws the charts), AgentView keeps it live through React Query. */
export default async function AgentPage({ params }: Props) {
  const { agentName } = await params;
  const { ctx, agent } = await load(decodeURIComponent(agentName));
  const tasks = listTasks(ctx, { agent: agent.name, limit: 50 });
  const h = await headers();
  // The address the browser used (a trusted proxy's forwarded host and scheme: lib/auth/allowed-host.ts).
  const host = requestHost(h) ?? "localhost:3000";
  const proto = trustProxy() ? requestProtocol(h, "http") : host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https";
  return (
    <PageBody>
      <SetBreadcrumbs items={[{ label: "Agents", href: "/agents" }, { label: agent.name }]} />
      <AgentView
        initial={agent}
        tasks={tasks}
        serverOrigin={`${proto}://${host}`}
        canCreateToken={ctx.actor.role === "admin"}
        canAssign={ctx.actor.role === "admin" || ctx.actor.role === "reviewer"}
        activity={<AgentActivityCard data={agentActivity(ctx, agent.name)} />}
        stepDurations={<StepDurationsCard data={agentStepDurations(ctx, agent.name)} />}
      />
    </PageBody>
  );
}
