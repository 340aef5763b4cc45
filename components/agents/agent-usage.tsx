"use client";
import * as React from "react";
import Link from "next/link";
import { MessagesSquare } from "lucide-react";
import { useAgentUsage } from "@/lib/queries/usage";
import { useAgentRuns, type RunDto } from "@/lib/queries/runs";
import { hrefs } from "@/lib/queries/links";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { CardQuery } from "@/components/ui/card-query";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { formatDuration, formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { RunCost, RunRound, RunSession, RunStatusBadge, RunTrigger, RunWakeReason } from "@/components/runs/run-row";
import { CostByDay } from "@/components/usage/cost-by-day";

const DAYS = 14;

/** The agent's cost: the last 14 days day by day (a small bar chart), and its total since its first run. */
export function AgentCostCard({ agent }: { agent: string }) {
  const q = useAgentUsage(agent, DAYS);
  const u = q.data;
  return (
    <Card data-testid="agent-cost">
      <CardHeader>
        <CardTitle>Cost</CardTitle>
        {u && totalTokens(u) > 0 && (
          <span className="ml-auto text-xs text-muted-foreground tabular-nums" title={usageSummary(u)} data-testid="agent-cost-all-time">
            {formatUsd(u.costUsd)} · {formatTokenCount(totalTokens(u))} tokens since the first run
          </span>
        )}
      </CardHeader>
      <CardQuery
        query={q}
        skeleton={["h-6 w-24", "h-16 w-full"]}
        isEmpty={(d) => d.costUsd === 0 && totalTokens(d) === 0}
        empty="No runs have reported cost yet. Claude Code runs report their tokens and cost when they end."
      >
        {(d) => (
          <div className="px-4 py-3">
            <CostByDay byDay={d.byDay} days={d.days} label={`Cost of ${agent} by day`} />
          </div>
        )}
      </CardQuery>
    </Card>
  );
}

/** What a run worked on: its task, or the messages it was woken to answer (a run without a task). */
function RunSubject({ run }: { run: RunDto }) {
  if (!run.taskId)
    return (
      <span className="inline-flex items-center gap-1 text-xs text-muted-foreground" data-testid="agent-run-messages">
        <MessagesSquare aria-hidden className="size-3.5" /> answered messages
      </span>
    );
  return (
    <Link href={hrefs.task(run.taskId)} className="text-xs text-muted-foreground hover:text-foreground hover:underline">
      <Mono>{run.taskId}</Mono>
    </Link>
  );
}

/** The agent's recent runs, on tasks or answering messages, each with its trigger, round, session and cost. */
export function AgentRunsCard({ agent }: { agent: string }) {
  const q = useAgentRuns(agent);
  return (
    <Card data-testid="agent-runs">
      <CardHeader>
        <CardTitle>Runs</CardTitle>
        <span className="text-xs text-muted-foreground">newest first, with the runs that answered messages</span>
      </CardHeader>
      <CardQuery query={q} isEmpty={(d) => d.items.length === 0} empty="No runs yet. Runs start from a task's Run now, on assignment when the runner says so, or when something wakes the agent.">
        {(d) => (
        <ol className="divide-y" aria-label={`Runs of ${agent}`}>
          {d.items.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm" data-testid="agent-run" data-run-status={r.status} data-task={r.taskId ?? ""}>
              <RunStatusBadge run={r} />
              <RunRound run={r} />
              <RunSubject run={r} />
              <RunTrigger run={r} />
              <span className="text-xs text-muted-foreground">
                {r.startedAt ? <RelativeTime date={r.startedAt} prefix="started " tickMs={10_000} /> : <RelativeTime date={r.createdAt} prefix="queued " tickMs={10_000} />}
                {r.endedAt && r.durationMs != null && ` · ${formatDuration(r.durationMs)}`}
              </span>
              <RunSession run={r} />
              <RunCost run={r} className="ml-auto" />
              <RunWakeReason run={r} />
            </li>
          ))}
        </ol>
        )}
      </CardQuery>
    </Card>
  );
}
