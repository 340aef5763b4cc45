"use client";
import Link from "next/link";
import { Bot } from "lucide-react";
import type { AgentSummary } from "@/lib/services";
import { useAgentSummaries } from "@/lib/queries/agents";
import { hrefs } from "@/lib/queries/links";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { StatusDot } from "@/components/ui/status";

function AgentCard({ a }: { a: AgentSummary }) {
  return (
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
  );
}

/**
 * The agents page: each active agent with its load and unread count. Seeded by the server render;
 * live through keys.agentSummaries (under keys.agents, which the live hook invalidates on task,
 * message and agent events).
 */
export function AgentListView({ initial }: { initial: AgentSummary[] }) {
  const q = useAgentSummaries(initial);
  const agents = q.data ?? initial;
  return (
    <PageBody>
      <PageHeader title="Agents" meta="Loaded from the definition files in agents/. Each one walks its own Response Approach." />
      {q.isRefetchError && <ErrorState compact className="mb-3" title="Could not refresh the agents" error={q.error} onRetry={() => void q.refetch()} />}
      {agents.length === 0 ? (
        <EmptyState icon={<Bot />} title="No agents yet" description="Add a definition file (YAML front matter + markdown) to the agents/ folder; AgentDesk loads it at start." />
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" data-testid="agent-list">
          {agents.map((a) => (
            <li key={a.name}>
              <AgentCard a={a} />
            </li>
          ))}
        </ul>
      )}
    </PageBody>
  );
}
