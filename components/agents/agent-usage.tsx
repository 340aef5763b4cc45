"use client";
import * as React from "react";
import Link from "next/link";
import { MessagesSquare } from "lucide-react";
import { useAgentUsage } from "@/lib/queries/usage";
import { useAgentRuns, type RunDto } from "@/lib/queries/runs";
import { hrefs } from "@/lib/queries/links";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/error-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { formatDuration, formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { RunCost, RunRound, RunSession, RunStatusBadge, RunTrigger, RunWakeReason } from "@/components/runs/run-row";
import { CostByDay } from "@/components/usage/cost-by-day";

const DAYS = 14;

function Loading() {
  return (
    <div className="grid gap-2 px-4 py-3" role="status" aria-label="Loading">
      <Skeleton className="h-6 w-24" />
      <Skeleton className="h-16 w-full" />
    </div>
  );
}

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
      {q.isLoading ? (
        <Loading />
      ) : q.error && !u ? (
        <ErrorState compact error={q.error} onRetry={() => void q.refetch()} className="m-3" />
      ) : !u || (u.costUsd === 0 && totalTokens(u) === 0) ? (
        <p className="px-4 py-3 text-sm text-muted-foreground">No runs have reported cost yet. Claude Code runs report their tokens and cost when they end.</p>
      ) : (
        <div className="px-4 py-3">
          <CostByDay byDay={u.byDay} days={u.days} label={`Cost of ${agent} by day`} />
        </div>
      )}
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
  const items = q.data?.items ?? [];
  return (
    <Card data-testid="agent-runs">
      <CardHeader>
        <CardTitle>Runs</CardTitle>
        <span className="text-xs text-muted-foreground">newest first, with the runs that answered messages</span>
      </CardHeader>
      {q.isLoading ? (
        <div className="grid gap-2 px-4 py-3" role="status" aria-label="Loading">
          <Skeleton className="h-5 w-2/3" />
          <Skeleton className="h-5 w-1/2" />
        </div>
      ) : q.error && !q.data ? (
        <ErrorState compact error={q.error} onRetry={() => void q.refetch()} className="m-3" />
      ) : items.length === 0 ? (
        <p className="px-4 py-3 text-sm text-muted-foreground">No runs yet. Runs start from a task&apos;s Run now, on assignment when the runner says so, or when something wakes the agent.</p>
      ) : (
        <ol className="divide-y" aria-label={`Runs of ${agent}`}>
          {items.map((r) => (
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
    </Card>
  );
}
