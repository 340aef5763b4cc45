"use client";
import * as React from "react";
import { ArrowDownToLine, ChevronDown, ChevronUp, Play, RotateCcw, Search, Square } from "lucide-react";
import { useCancelRun, useRetryRun, useRunLog, useRunNow, useRunsLive, useTaskRuns, type RunDto, type RunLogLineDto } from "@/lib/queries/runs";
import { useTask } from "@/lib/queries/tasks";
import { Card, CardHeader, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { StatusIcon, statusTone } from "@/components/ui/status";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/error-state";
import { useNow } from "@/components/ui/use-now";
import { formatDuration } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

type RunStatus = RunDto["status"];

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

const active = (r: RunDto) => r.status === "queued" || r.status === "running";

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
    React.useCallback((runId: string) => {
      if (runId === selectedId) refresh();
    }, [selectedId, refresh]),
  );

  const runner = q.data?.runner;
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
            <Button size="sm" variant="outline" className="text-status-failed" onClick={() => cancel.mutate(current.id)} disabled={cancel.isPending || current.cancelRequested} data-testid="cancel-run">
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

      {q.isLoading ? (
        <div className="grid gap-2 px-4 py-3">
          <Skeleton className="h-5 w-2/3" />
          <Skeleton className="h-5 w-1/2" />
        </div>
      ) : q.error && !q.data ? (
        <ErrorState compact error={q.error} onRetry={() => void q.refetch()} className="m-3" />
      ) : items.length === 0 ? (
        <p className="px-4 py-3 text-sm text-muted-foreground">
          {runner?.configured ? "No run yet. Run now starts the agent on this task." : "No run yet."}
        </p>
      ) : (
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
              />
            ))}
          </ol>
          {selected && <RunLog run={selected} log={log} />}
        </>
      )}
    </Card>
  );
}

function RunRow({
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
      <button type="button" onClick={onSelect} aria-pressed={selected} className="flex min-w-0 flex-1 flex-wrap items-center gap-x-3 gap-y-1 rounded text-left focus-visible:outline-2 focus-visible:outline-ring">
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
        {run.reason && !active(run) && <span className="w-full truncate text-xs text-muted-foreground" title={run.reason}>{run.reason}</span>}
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

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function Highlighted({ text, re, currentRef }: { text: string; re: RegExp | null; currentRef?: (n: number) => boolean }) {
  if (!re) return <>{text}</>;
  const parts = text.split(re);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <mark key={i} className={cn("rounded-sm bg-status-blocked/30 text-inherit", currentRef?.(i) && "bg-status-blocked/70 outline outline-status-blocked")}>
            {p}
          </mark>
        ) : (
          <React.Fragment key={i}>{p}</React.Fragment>
        ),
      )}
    </>
  );
}

function RunLog({ run, log }: { run: RunDto; log: ReturnType<typeof useRunLog> }) {
  const [query, setQuery] = React.useState("");
  const [current, setCurrent] = React.useState(0);
  const [follow, setFollow] = React.useState(true);
  const box = React.useRef<HTMLDivElement>(null);
  const needle = query.trim();
  const re = React.useMemo(() => (needle ? new RegExp(`(${escapeRe(needle)})`, "i") : null), [needle]);
  const splitRe = React.useMemo(() => (needle ? new RegExp(`(${escapeRe(needle)})`, "gi") : null), [needle]);
  const matches = React.useMemo(() => (re ? log.lines.filter((l) => re.test(l.text)).map((l) => l.seq) : []), [re, log.lines]);
  const currentSeq = matches.length ? matches[Math.min(current, matches.length - 1)] : null;
  // The runs list refreshes on lifecycle events only; the log itself knows the newest line.
  const total = Math.max(run.logLines, log.lines.length ? log.lines[log.lines.length - 1].seq : 0);

  // Follow the tail while the reader is at the bottom; scrolling up pauses it.
  React.useLayoutEffect(() => {
    const el = box.current;
    if (el && follow && currentSeq === null) el.scrollTop = el.scrollHeight;
  }, [log.lines, follow, currentSeq]);

  React.useEffect(() => {
    if (currentSeq === null) return;
    box.current?.querySelector(`[data-seq="${currentSeq}"]`)?.scrollIntoView({ block: "center" });
  }, [currentSeq]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };
  const step = (d: number) => matches.length && setCurrent((c) => (c + d + matches.length) % matches.length);

  return (
    <section className="border-t" aria-label={`Output of run ${run.id}`}>
      <div className="flex flex-wrap items-center gap-2 px-4 py-2">
        <h3 className="text-xs font-semibold">Output</h3>
        <Mono className="text-xs text-muted-foreground">{run.id}</Mono>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="run-log-count">
          {total} {total === 1 ? "line" : "lines"}
          {run.droppedLines > 0 && ` (+${run.droppedLines} not kept)`}
        </span>
        <div className="ml-auto flex items-center gap-1">
          <label className="relative">
            <span className="sr-only">Search the output</span>
            <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" />
            <Input
              type="search"
              value={query}
              onChange={(e) => {
                setQuery(e.target.value);
                setCurrent(0);
                // Clearing the search goes back to following the newest lines.
                if (!e.target.value.trim()) setFollow(true);
              }}
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  step(e.shiftKey ? -1 : 1);
                }
              }}
              placeholder="Search output"
              className="h-7 w-48 pl-7 text-xs"
              data-testid="run-log-search"
            />
          </label>
          {needle && (
            <span className="min-w-16 text-center text-xs text-muted-foreground tabular-nums" aria-live="polite" data-testid="run-log-matches">
              {matches.length ? `${Math.min(current, matches.length - 1) + 1}/${matches.length}` : "no match"}
            </span>
          )}
          <Button size="icon-sm" variant="ghost" onClick={() => step(-1)} disabled={!matches.length} aria-label="Previous match">
            <ChevronUp />
          </Button>
          <Button size="icon-sm" variant="ghost" onClick={() => step(1)} disabled={!matches.length} aria-label="Next match">
            <ChevronDown />
          </Button>
          {!follow && (
            <Button
              size="xs"
              variant="outline"
              onClick={() => {
                setQuery("");
                setFollow(true);
              }}
            >
              <ArrowDownToLine /> Latest
            </Button>
          )}
        </div>
      </div>
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-label="Run output"
        tabIndex={0}
        className="h-72 overflow-auto border-t bg-muted/40 px-2 py-1.5 font-mono text-[11.5px] leading-[1.45] focus-visible:outline-2 focus-visible:outline-ring"
        data-testid="run-log"
      >
        {log.hasEarlier && (
          <button type="button" onClick={log.loadEarlier} className="mb-1 text-xs text-muted-foreground underline-offset-2 hover:underline">
            Load earlier lines
          </button>
        )}
        {log.error && log.lines.length === 0 ? (
          <ErrorState compact error={log.error} onRetry={log.refresh} />
        ) : log.lines.length === 0 ? (
          <p className="px-1 py-1 text-muted-foreground">{log.loading ? "Loading…" : run.status === "queued" ? "Waiting for a free slot…" : "No output yet."}</p>
        ) : (
          log.lines.map((l) => <LogLine key={l.seq} line={l} re={splitRe} current={l.seq === currentSeq} />)
        )}
      </div>
    </section>
  );
}

const LogLine = React.memo(function LogLine({ line, re, current }: { line: RunLogLineDto; re: RegExp | null; current: boolean }) {
  const hit = re ? new RegExp(re.source, "i").test(line.text) : false;
  return (
    <div
      data-seq={line.seq}
      data-stream={line.stream}
      data-match={hit || undefined}
      className={cn(
        "flex gap-2 whitespace-pre-wrap break-all",
        line.stream === "stderr" && "text-status-failed",
        line.stream === "system" && "text-muted-foreground italic",
        current && "bg-status-blocked/10",
      )}
    >
      <span aria-hidden className="w-8 shrink-0 text-right text-muted-foreground/60 select-none tabular-nums">
        {line.seq}
      </span>
      <span className="min-w-0">
        <Highlighted text={line.text} re={hit ? re : null} currentRef={current ? () => true : undefined} />
      </span>
    </div>
  );
});
