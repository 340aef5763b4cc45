"use client";
import { RunLog } from "./run-log";
import { RunRow, active } from "./run-row";
import * as React from "react";
import { Play, Square } from "lucide-react";
import { useCancelRun, useRetryRun, useRunLog, useRunNow, useRunsLive, useTaskRuns } from "@/lib/queries/runs";
import { useTask } from "@/lib/queries/tasks";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { CardQuery } from "@/components/ui/card-query";

/**
 * The task page's runs: the runner the agent gets, Run now / Cancel / Retry, every run with its
 * status, times and exit code, and the selected run's output, followed live and searchable.
 */
export function RunPanel({ taskId, className }: { taskId: string; className?: string }) {
  const q = useTaskRuns(taskId);
  const runNow = useRunNow(taskId);
  const cancel = useCancelRun(taskId);
  const retry = useRetryRun(taskId);
  const [picked, setPicked] = React.useState<string | null>(null);
  const items = React.useMemo(() => q.data?.items ?? [], [q.data]);
  const selected = items.find((r) => r.id === picked) ?? items[0] ?? null;
  const log = useRunLog(selected?.id ?? null);
  const { refresh } = log;
  const selectedId = selected?.id;
  useRunsLive(
    taskId,
    React.useCallback(
      (runId: string) => {
        if (runId === selectedId) refresh();
      },
      [selectedId, refresh],
    ),
  );

  const runner = q.data?.runner;
  const showRound = items.some((r) => (r.round ?? 1) > 1);
  const current = items.find(active);
  // The task page already holds the task (same query key): its status decides whether there is work to run.
  const taskStatus = useTask(taskId).data?.status;
  const finished = taskStatus === "in_review" || taskStatus === "completed" || taskStatus === "cancelled";
  const canRun = !!runner?.configured && !current && !finished;
  const why = !runner
    ? undefined
    : !runner.configured
      ? (runner.reason ?? undefined)
      : current
        ? "A run of this task is already queued or running"
        : finished
          ? `The task is ${taskStatus?.replace("_", " ")}: there is nothing to run`
          : undefined;

  return (
    <Card className={className} data-testid="run-panel">
      <CardHeader className="flex-wrap">
        <CardTitle>Runs</CardTitle>
        {runner?.configured && (
          <span className="text-xs text-muted-foreground" data-testid="runner-summary">
            {runner.preset} · {runner.source === "config" ? "config file" : "definition"}
            {runner.autoStart ? " · starts on assignment" : ""} · up to {runner.concurrency} at a time
          </span>
        )}
        <div className="ml-auto flex items-center gap-2">
          {current && (
            <Button
              size="sm"
              variant="outline"
              className="text-status-failed"
              onClick={() => cancel.mutate(current.id)}
              disabled={cancel.isPending || current.cancelRequested}
              data-testid="cancel-run"
            >
              <Square /> Cancel run
            </Button>
          )}
          <Button
            size="sm"
            variant="secondary"
            onClick={() => runNow.mutate(undefined, { onSuccess: (r) => setPicked(r.id) })}
            disabled={!canRun || runNow.isPending}
            aria-describedby={runner && !runner.configured ? `runner-missing-${taskId}` : undefined}
            title={why}
            data-testid="run-now"
          >
            <Play /> Run now
          </Button>
        </div>
      </CardHeader>

      {runner && !runner.configured && (
        <p id={`runner-missing-${taskId}`} className="border-b px-4 py-2 text-xs text-muted-foreground" data-testid="runner-missing">
          {runner.reason}
        </p>
      )}

      <CardQuery query={q} isEmpty={(d) => d.items.length === 0} empty={runner?.configured ? "No run yet. Run now starts the agent on this task." : "No run yet."}>
        {() => (
          <>
            <ol className="divide-y" aria-label="Runs" data-testid="run-list">
              {items.map((r) => (
                <RunRow
                  key={r.id}
                  run={r}
                  selected={r.id === selected?.id}
                  onSelect={() => setPicked(r.id)}
                  onCancel={() => cancel.mutate(r.id)}
                  onRetry={() => retry.mutate(r.id, { onSuccess: (n) => setPicked(n.id) })}
                  busy={cancel.isPending || retry.isPending}
                  canRetry={canRun}
                  showRound={showRound}
                />
              ))}
            </ol>
            {selected && <RunLog run={selected} log={log} taskId={taskId} />}
          </>
        )}
      </CardQuery>
    </Card>
  );
}
