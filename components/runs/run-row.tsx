"use client";
import * as React from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { StatusIcon, statusTone } from "@/components/ui/status";
import { RotateCcw, Square } from "lucide-react";
import { type RunDto } from "@/lib/queries/runs";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { useNow } from "@/components/ui/use-now";
import { formatDuration, formatTokenCount, formatUsd, totalTokens, usageSummary } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

type RunStatus = RunDto["status"];

/** Queued or running: it can still be cancelled. */
export const active = (r: RunDto) => r.status === "queued" || r.status === "running";

/** Runs speak the app's status colours: running blue, succeeded green, failed/timed out red... */
const look: Record<RunStatus, { status: string; label: string }> = {
  queued: { status: "pending", label: "queued" },
  running: { status: "in_progress", label: "running" },
  succeeded: { status: "done", label: "succeeded" },
  failed: { status: "failed", label: "failed" },
  cancelled: { status: "cancelled", label: "cancelled" },
  timed_out: { status: "failed", label: "timed out" },
};

export function RunStatusBadge({ run }: { run: RunDto }) {
  const l = look[run.status];
  return (
    <Badge tone={statusTone(l.status) as BadgeTone} data-status={run.status}>
      <StatusIcon status={l.status} className="size-3 animate-none" />
      {l.label}
      {run.status === "queued" && run.queuePosition != null && <span className="font-normal">· #{run.queuePosition} in queue</span>}
      {run.status === "running" && run.cancelRequested && <span className="font-normal">· stopping</span>}
    </Badge>
  );
}

/** A session id in short: its first 8 characters (the full id on hover and in a copy). */
const shortSession = (id: string) => (id.length > 12 ? `${id.slice(0, 8)}…` : id);

function SessionId({ id }: { id: string }) {
  return (
    <Mono title={id} className="select-all">
      {shortSession(id)}
    </Mono>
  );
}

/**
 * Which program session the run had: its own, the one it continued (resumeSessionId), or a fresh one
 * because the session it was asked to continue could not be resumed. Nothing for runs without one.
 */
export function RunSession({ run, className }: { run: RunDto; className?: string }) {
  const { resumeSessionId: resume, sessionId: own } = run;
  if (!resume && !own) return null;
  let body: React.ReactNode;
  let state: "new" | "continued" | "continuing" | "fresh";
  if (resume && own && own !== resume) {
    state = "fresh";
    body = (
      <>
        fresh session <SessionId id={own} /> (could not resume <SessionId id={resume} />)
      </>
    );
  } else if (resume) {
    state = own ? "continued" : "continuing";
    body = (
      <>
        {own ? "continued" : "continues"} session <SessionId id={resume} />
      </>
    );
  } else {
    state = "new";
    body = (
      <>
        session <SessionId id={own!} />
      </>
    );
  }
  return (
    <span className={cn("text-xs text-muted-foreground", state === "fresh" && "text-status-blocked", className)} data-testid="run-session" data-session-state={state}>
      {body}
    </span>
  );
}

/** The run's tokens and cost as the program reported them: "$0.0123 · 12.3k tokens". Nothing when it reported none. */
export function RunCost({ run, className }: { run: RunDto; className?: string }) {
  const u = run.usage;
  const tokens = totalTokens(u);
  if (u.costUsd == null && tokens === 0) return null;
  const parts = [u.costUsd != null ? formatUsd(u.costUsd) : null, tokens ? `${formatTokenCount(tokens)} tokens` : null].filter(Boolean);
  return (
    <span className={cn("text-xs text-muted-foreground tabular-nums", className)} title={usageSummary(u)} data-testid="run-cost">
      {parts.join(" · ")}
      <span className="sr-only"> ({usageSummary(u)})</span>
    </span>
  );
}

/** "round 2": the task's review round when the run was queued. */
export function RunRound({ run }: { run: RunDto }) {
  if (run.round == null) return null;
  return (
    <Badge tone="outline" className="font-normal" data-testid="run-round" data-round={run.round}>
      round {run.round}
    </Badge>
  );
}

/** Who asked for the run: a person, the assignment, a retry, or a wake (a "woken" badge). */
export function RunTrigger({ run }: { run: RunDto }) {
  if (run.trigger === "wake")
    return (
      <Badge tone="review" data-testid="run-wake" title={run.wakeReason ?? undefined}>
        woken
      </Badge>
    );
  return <span className="text-xs text-muted-foreground">{run.trigger === "auto" ? "on assignment" : run.trigger === "retry" ? "retry" : `by ${run.requestedBy}`}</span>;
}

/** The wake reason, one wake per line (trigger "wake"). */
export function RunWakeReason({ run, className }: { run: RunDto; className?: string }) {
  if (run.trigger !== "wake" || !run.wakeReason?.trim()) return null;
  return (
    <span className={cn("line-clamp-3 w-full text-xs whitespace-pre-line text-status-review", className)} title={run.wakeReason} data-testid="run-wake-reason">
      {run.wakeReason.trim()}
    </span>
  );
}

/** One run in the task's run list: status, trigger, round, times, session, cost, and its actions (cancel, retry). */
export function RunRow({
  run,
  selected,
  onSelect,
  onCancel,
  onRetry,
  busy,
  canRetry,
  showRound = true,
}: {
  run: RunDto;
  selected: boolean;
  onSelect: () => void;
  onCancel: () => void;
  onRetry: () => void;
  busy: boolean;
  canRetry: boolean;
  /** False while every run of the task is in round 1: "round 1" on each would be noise. */
  showRound?: boolean;
}) {
  const now = useNow(1000);
  const duration = run.startedAt ? (run.endedAt ? Date.parse(run.endedAt) : (now ?? Date.parse(run.startedAt))) - Date.parse(run.startedAt) : null;
  return (
    <li className={cn("flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm", selected && "bg-accent/50")} data-testid="run-row" data-run-status={run.status}>
      <button
        type="button"
        onClick={onSelect}
        aria-pressed={selected}
        className="flex min-w-0 flex-1 flex-wrap items-center gap-x-3 gap-y-1 rounded text-left focus-visible:outline-2 focus-visible:outline-ring"
      >
        <RunStatusBadge run={run} />
        {showRound && <RunRound run={run} />}
        <Mono className="text-xs text-muted-foreground">{run.id}</Mono>
        <RunTrigger run={run} />
        <span className="text-xs text-muted-foreground">
          {run.startedAt ? <RelativeTime date={run.startedAt} prefix="started " tickMs={10_000} /> : <RelativeTime date={run.createdAt} prefix="queued " tickMs={10_000} />}
          {run.endedAt && (
            <>
              {" · ended "}
              <RelativeTime date={run.endedAt} tickMs={10_000} />
            </>
          )}
          {duration != null && ` · ${formatDuration(duration)}`}
        </span>
        {run.exitCode != null || run.signal ? (
          <Mono className={cn("text-xs", run.exitCode === 0 ? "text-status-done" : "text-status-failed")} data-testid="run-exit">
            {run.exitCode != null ? `exit ${run.exitCode}` : run.signal}
          </Mono>
        ) : null}
        <RunSession run={run} />
        <RunCost run={run} />
        <RunWakeReason run={run} />
        {run.reason && !active(run) && (
          <span className="w-full truncate text-xs text-muted-foreground" title={run.reason}>
            {run.reason}
          </span>
        )}
      </button>
      {active(run) ? (
        run.status === "queued" && (
          <Button size="xs" variant="ghost" onClick={onCancel} disabled={busy} aria-label={`Cancel run ${run.id}`}>
            <Square /> Cancel
          </Button>
        )
      ) : (
        <Button size="xs" variant="ghost" onClick={onRetry} disabled={busy || !canRetry} aria-label={`Retry run ${run.id}`} data-testid="retry-run">
          <RotateCcw /> Retry
        </Button>
      )}
    </li>
  );
}
