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
import { formatDuration } from "@/components/ui/format";
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

/** One run in the task's run list: status, times, and its actions (cancel, retry). */
export function RunRow({
  run,
  selected,
  onSelect,
  onCancel,
  onRetry,
  busy,
  canRetry,
}: {
  run: RunDto;
  selected: boolean;
  onSelect: () => void;
  onCancel: () => void;
  onRetry: () => void;
  busy: boolean;
  canRetry: boolean;
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
        <Mono className="text-xs text-muted-foreground">{run.id}</Mono>
        <span className="text-xs text-muted-foreground">{run.trigger === "auto" ? "on assignment" : run.trigger === "retry" ? "retry" : `by ${run.requestedBy}`}</span>
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
