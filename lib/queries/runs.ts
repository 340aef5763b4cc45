"use client";
import * as React from "react";
import { useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import type { RunDto, RunLogLineDto } from "@/lib/services/runs";
import { call, endpoints } from "./endpoints";
import { keys } from "./keys";
import { invalidateLive, useLiveEvent, type ChangeEvent } from "./live";

export type { RunDto, RunLogLineDto };

/** Query keys of runs, under their own prefix; live invalidation is wired by useRunsLive below. */
export const runKeys = {
  all: ["runs"] as const,
  task: (taskId: string) => ["runs", "task", taskId] as const,
};

export function useTaskRuns(taskId: string) {
  return useQuery({
    queryKey: runKeys.task(taskId),
    queryFn: ({ signal }) => call(endpoints.taskRuns, { params: { taskId }, signal }),
    staleTime: 5_000,
  });
}

/** An agent's runs, newest first, with those without a task (answering messages). Live through keys.allAgentRuns. */
export function useAgentRuns(agentName: string, limit = 20) {
  return useQuery({
    queryKey: keys.agentRuns(agentName),
    queryFn: ({ signal }) => call(endpoints.agentRuns, { params: { agentName }, query: { limit }, signal }),
    staleTime: 5_000,
  });
}

/**
 * What useRunsLive does with each change event: refetches the task's runs on a run event of this
 * task (queued, started, finished, cancel requested), even when it arrives during the runs' first
 * fetch (invalidateLive), and calls `onOutput` for `run.output` events (which name the run only).
 */
export function runsLiveListener(client: QueryClient, taskId: string, onOutput: (runId: string) => void): (e: ChangeEvent) => void {
  return (e) => {
    if (e.entityKind !== "run") return;
    if (e.verb === "run.output") onOutput(e.entityId);
    else if (e.taskId === taskId) {
      void invalidateLive(client, runKeys.task(taskId));
      onOutput(e.entityId);
    }
  };
}

/** Keeps the task's runs and the followed log live (runsLiveListener). */
export function useRunsLive(taskId: string, onOutput: (runId: string) => void) {
  const client = useQueryClient();
  const output = React.useRef(onOutput);
  React.useEffect(() => {
    output.current = onOutput;
  }, [onOutput]);
  const listener = React.useCallback((e: ChangeEvent) => runsLiveListener(client, taskId, (runId) => output.current(runId))(e), [client, taskId]);
  useLiveEvent(listener);
}

function useRunMutation<T>(taskId: string, fn: (arg: T) => Promise<RunDto>, done: (r: RunDto) => string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { errorTitle: "The run did not change" },
    onSuccess: (r) => {
      toast.success(done(r));
      void client.invalidateQueries({ queryKey: runKeys.task(taskId) });
      void client.invalidateQueries({ queryKey: keys.task(taskId) });
    },
  });
}

export function useRunNow(taskId: string) {
  return useRunMutation(
    taskId,
    () => call(endpoints.runNow, { params: { taskId }, body: {} }),
    (r) => (r.queuePosition && r.queuePosition > 1 ? `Run queued (#${r.queuePosition})` : "Run queued"),
  );
}

export function useCancelRun(taskId: string) {
  return useRunMutation(
    taskId,
    (runId: string) => call(endpoints.cancelRun, { params: { runId }, body: {} }),
    (r) => (r.status === "cancelled" ? "Run cancelled" : "Stopping the run…"),
  );
}

export function useRetryRun(taskId: string) {
  return useRunMutation(
    taskId,
    (runId: string) => call(endpoints.retryRun, { params: { runId }, body: {} }),
    () => "Retry queued",
  );
}

const KEEP_LINES = 5000;

export interface RunLogState {
  lines: RunLogLineDto[];
  loading: boolean;
  error: unknown;
  /** Older lines exist before the first one held. */
  hasEarlier: boolean;
  loadEarlier: () => void;
  /** Fetch what is new (called on run.output events for this run). */
  refresh: () => void;
}

/**
 * A run's log, followed: the tail first, then only the lines after the last seq held, fetched when
 * the live stream says the run wrote output. At most KEEP_LINES are kept in memory.
 */
export function useRunLog(runId: string | null): RunLogState {
  type Held = { runId: string | null; lines: RunLogLineDto[]; loading: boolean; error: unknown; hasEarlier: boolean };
  const [held, setHeld] = React.useState<Held>({ runId: null, lines: [], loading: false, error: null, hasEarlier: false });
  const state = React.useRef({ runId, lastSeq: -1, busy: false, again: false });
  // Another run selected: show nothing of the previous one while its log loads.
  const view: Held = held.runId === runId ? held : { runId, lines: [], loading: !!runId, error: null, hasEarlier: false };

  const fetchNew = React.useCallback(async () => {
    const s = state.current;
    const id = s.runId;
    if (!id) return;
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        const first = s.lastSeq < 0;
        const page = await call(endpoints.runLog, { params: { runId: id }, query: first ? { limit: 500 } : { after: s.lastSeq, limit: 2000 } });
        if (state.current.runId !== id) return;
        s.lastSeq = page.items.length ? page.items[page.items.length - 1].seq : Math.max(s.lastSeq, 0);
        if (page.hasMore) s.again = true;
        setHeld((prev) => {
          const base = first || prev.runId !== id ? [] : prev.lines;
          const all = page.items.length ? [...base, ...page.items] : base;
          return {
            runId: id,
            lines: all.length > KEEP_LINES ? all.slice(all.length - KEEP_LINES) : all,
            loading: false,
            error: null,
            hasEarlier: first ? page.hasEarlier : prev.hasEarlier || all.length > KEEP_LINES,
          };
        });
      } while (s.again && state.current.runId === id);
    } catch (err) {
      if (state.current.runId === id) setHeld((prev) => ({ ...(prev.runId === id ? prev : { runId: id, lines: [], hasEarlier: false }), loading: false, error: err }));
    } finally {
      s.busy = false;
    }
  }, []);

  React.useEffect(() => {
    state.current = { runId, lastSeq: -1, busy: false, again: false };
    if (runId) void fetchNew();
  }, [runId, fetchNew]);

  const lines = view.lines;
  const loadEarlier = React.useCallback(async () => {
    const id = state.current.runId;
    const firstSeq = lines[0]?.seq;
    if (!id || firstSeq === undefined) return;
    try {
      const page = await call(endpoints.runLog, { params: { runId: id }, query: { before: firstSeq, limit: 1000 } });
      if (state.current.runId !== id) return;
      setHeld((prev) => (prev.runId === id ? { ...prev, lines: [...page.items, ...prev.lines], hasEarlier: page.hasEarlier } : prev));
    } catch (err) {
      toast.error("Could not load earlier lines", { description: err instanceof Error ? err.message : String(err) });
    }
  }, [lines]);

  return { lines, loading: view.loading, error: view.error, hasEarlier: view.hasEarlier, loadEarlier: () => void loadEarlier(), refresh: () => void fetchNew() };
}
