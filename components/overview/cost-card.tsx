"use client";
import * as React from "react";
import { useUsageOverview } from "@/lib/queries/usage";
import { Section } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/error-state";
import { EmptyState } from "@/components/ui/empty-state";
import { AgentName } from "@/components/ui/agent-swatch";
import { formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { CostByDay } from "@/components/usage/cost-by-day";
import { ColumnHeads } from "@/components/ui/column-heads";

const DAYS = 14;

/**
 * The overview's cost card: what the agents' runs cost over the last 14 days, day by day and by
 * agent (most expensive first). Live through keys.usage, refetched when a run finishes.
 */
export function CostCard({ colors }: { colors: Record<string, string | null | undefined> }) {
  const q = useUsageOverview(DAYS);
  const u = q.data;
  return (
    <Section title={`Cost · last ${DAYS} days`} id="cost">
      {q.isLoading ? (
        <Card className="grid gap-2 px-4 py-3" role="status" aria-label="Loading">
          <Skeleton className="h-6 w-24" />
          <Skeleton className="h-16 w-full" />
          <Skeleton className="h-5 w-2/3" />
        </Card>
      ) : q.error && !u ? (
        <ErrorState compact error={q.error} onRetry={() => void q.refetch()} />
      ) : !u || (u.costUsd === 0 && totalTokens(u) === 0) ? (
        <EmptyState compact title="No runs have reported cost yet" description="Claude Code runs report their tokens and cost when they end; they add up here by day and by agent." />
      ) : (
        <Card className="grid gap-3 px-4 py-3" data-testid="cost-card">
          <CostByDay byDay={u.byDay} days={u.days} label="Cost of every agent by day" />
          <table className="w-full table-fixed text-sm" data-testid="cost-by-agent">
            <caption className="sr-only">Cost by agent, last {u.days} days</caption>
            <ColumnHeads
              className="py-1.5"
              columns={[
                { label: "Agent", className: "w-[45%]" },
                { label: <span className="sr-only">Share</span> },
                { label: "Tokens", className: "w-20 text-right" },
                { label: "Cost", className: "w-20 text-right" },
              ]}
            />
            <tbody className="divide-y">
              {u.byAgent.map((a) => {
                const share = u.costUsd > 0 ? a.costUsd / u.costUsd : 0;
                return (
                  <tr key={a.agent} data-agent={a.agent}>
                    <td className="truncate py-1.5">
                      <AgentName name={a.agent} color={colors[a.agent]} href />
                    </td>
                    <td className="py-1.5 pr-3">
                      <div className="h-1.5 overflow-hidden rounded-full bg-muted" aria-hidden>
                        <div className="h-full rounded-full bg-status-progress" style={{ width: `${share * 100}%` }} />
                      </div>
                    </td>
                    <td className="py-1.5 text-right text-xs text-muted-foreground tabular-nums" title={usageSummary(a)}>
                      {formatTokenCount(totalTokens(a))}
                    </td>
                    <td className="py-1.5 text-right tabular-nums">{formatUsd(a.costUsd)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
    </Section>
  );
}
