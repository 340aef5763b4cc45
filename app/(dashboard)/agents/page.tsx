import Link from "next/link";
import type { Metadata } from "next";
import { Bot } from "lucide-react";
import { listAgents } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { RefreshOnEvents } from "@/components/shell/refresh-on-events";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { EmptyState } from "@/components/ui/empty-state";
import { StatusDot } from "@/components/ui/status";
import { hrefs } from "@/lib/queries/links";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const ctx = await getPageContext();
  const agents = listAgents(ctx);
  return (
    <PageBody>
      <RefreshOnEvents kinds={["task", "step", "message", "agent"]} />
      <PageHeader title="Agents" meta="Loaded from the definition files in agents/. Each one walks its own Response Approach." />
      {agents.length === 0 ? (
        <EmptyState icon={<Bot />} title="No agents yet" description="Add a definition file (YAML front matter + markdown) to the agents/ folder; AgentDesk loads it at start." />
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="agent-list">
          {agents.map((a) => (
            <li key={a.name}>
              <Link
                href={hrefs.agent(a.name)}
                data-testid={`agent-card-${a.name}`}
                className="flex h-full flex-col gap-2 rounded-lg border bg-card p-4 transition-colors hover:bg-accent/50 focus-visible:outline-2 focus-visible:outline-ring"
              >
                <span className="flex items-center gap-2">
                  <AgentSwatch color={a.color} name={a.name} className="size-3" />
                  <span className="truncate text-sm font-semibold">{a.name}</span>
                  {a.model && <span className="ml-auto shrink-0 rounded border px-1.5 text-[11px] text-muted-foreground">{a.model}</span>}
                </span>
                <span className="line-clamp-3 text-xs text-muted-foreground">{a.description || "No description."}</span>
                <span className="mt-auto flex flex-wrap items-center gap-x-3 gap-y-1 pt-1 text-xs">
                  <span className="flex items-center gap-1" title="open tasks">
                    <span className="font-medium tabular-nums">{a.load.open}</span> open
                  </span>
                  {a.load.in_progress > 0 && (
                    <span className="flex items-center gap-1">
                      <StatusDot status="in_progress" />
                      {a.load.in_progress} running
                    </span>
                  )}
                  {a.load.blocked > 0 && (
                    <span className="flex items-center gap-1">
                      <StatusDot status="blocked" />
                      {a.load.blocked} blocked
                    </span>
                  )}
                  {a.load.in_review > 0 && (
                    <span className="flex items-center gap-1">
                      <StatusDot status="in_review" />
                      {a.load.in_review} in review
                    </span>
                  )}
                  <span className="ml-auto text-muted-foreground">{a.unread ? `${a.unread} unread` : "inbox clear"}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </PageBody>
  );
}
