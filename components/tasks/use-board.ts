"use client";
import * as React from "react";
import { toast } from "sonner";
import type { TaskCardData } from "@/lib/services";
import { errorMessage, isApiError } from "@/lib/queries/api";
import type { Page } from "@/lib/queries/hooks";
import type { BoardFilters } from "@/lib/queries/keys";
import { fetchTaskPage, useBoard, useMoveTask, type BoardColumnData } from "@/lib/queries/tasks";
import { statusLabel } from "@/components/ui/status";
import { boardColumns } from "./task-card";
import { BOARD_COLUMN_PAGE } from "./board-page-size";
import type { ReasonTarget } from "./move-reason-dialog";

type Override = { to: string; from: string; settled: boolean };

/**
 * The board's state: the server's columns (live through keys.tasks), with two local layers over
 * them (extra pages a column loaded, moves shown before the server answered), and moving itself
 * (blocking and cancelling first ask for a reason).
 */
export function useBoardState(filters: BoardFilters, initialColumns: BoardColumnData[]) {
  const board = useBoard(filters, BOARD_COLUMN_PAGE, initialColumns);
  const columns = board.data ?? initialColumns;

  const [extras, setExtras] = React.useState<Partial<Record<string, Page<TaskCardData>>>>({});
  const [loadingMore, setLoadingMore] = React.useState<string | null>(null);
  const [loadErrors, setLoadErrors] = React.useState<Partial<Record<string, unknown>>>({});
  const [overrides, setOverrides] = React.useState<Map<string, Override>>(new Map());
  const [refusal, setRefusal] = React.useState<{ taskTitle: string; detail: string } | null>(null);
  const [reasonFor, setReasonFor] = React.useState<ReasonTarget | null>(null);

  // When fresh server data arrives, drop the optimistic moves it now reflects.
  React.useEffect(() => {
    setOverrides((prev) => {
      if (prev.size === 0) return prev;
      const where = new Map<string, string>();
      for (const c of columns) for (const t of c.items) where.set(t.id, c.status);
      const next = new Map(prev);
      for (const [id, o] of prev) {
        if (!o.settled) continue;
        const now = where.get(id);
        if (now === undefined || now === o.to || now !== o.from) next.delete(id);
      }
      return next;
    });
  }, [columns]);

  const view = React.useMemo(() => {
    const all = new Map<string, TaskCardData>();
    const base: Record<string, TaskCardData[]> = {};
    for (const c of columns) {
      base[c.status] = [...c.items];
      for (const t of c.items) all.set(t.id, t);
    }
    for (const c of columns) {
      for (const t of extras[c.status]?.items ?? []) {
        if (!all.has(t.id)) {
          all.set(t.id, t);
          base[c.status].push(t);
        }
      }
    }
    const counts: Record<string, number> = Object.fromEntries(columns.map((c) => [c.status, c.count]));
    for (const [id, o] of overrides) {
      const t = all.get(id);
      if (!t) continue;
      const fromCol = boardColumns.find((s) => base[s]?.some((x) => x.id === id));
      if (!fromCol || fromCol === o.to) continue;
      base[fromCol] = base[fromCol].filter((x) => x.id !== id);
      counts[fromCol] = Math.max(0, (counts[fromCol] ?? 1) - 1);
      if (base[o.to]) {
        base[o.to] = [{ ...t, status: o.to as TaskCardData["status"] }, ...base[o.to]];
        counts[o.to] = (counts[o.to] ?? 0) + 1;
      }
    }
    return { base, counts, all };
  }, [columns, extras, overrides]);

  const move = useMoveTask({
    onMutate: (v) => {
      setRefusal(null);
      setOverrides((m) => new Map(m).set(v.task.id, { to: v.to, from: v.task.status, settled: false }));
    },
    onSuccess: (v) => {
      setOverrides((m) => {
        const o = m.get(v.task.id);
        return o ? new Map(m).set(v.task.id, { ...o, settled: true }) : m;
      });
      toast.success(`Moved to ${statusLabel(v.to)}`, { description: v.task.title });
    },
    onError: (err, v) => {
      setOverrides((m) => {
        const n = new Map(m);
        n.delete(v.task.id);
        return n;
      });
      const detail = errorMessage(err);
      setRefusal({ taskTitle: v.task.title, detail });
      toast.error(isApiError(err) && err.status === 409 ? "That move is not allowed" : "Could not move the task", { description: detail });
    },
  });

  const requestMove = (task: TaskCardData, to: string) => {
    if (to === task.status) return;
    if (to === "blocked" || to === "cancelled") {
      setReasonFor({ task, to });
      return;
    }
    move.mutate({ task, to });
  };

  const confirmReason = (reason: string) => {
    if (reasonFor) move.mutate({ task: reasonFor.task, to: reasonFor.to, reason: reason || undefined });
    setReasonFor(null);
  };

  const hasMore = (status: string) => (extras[status] ? !!extras[status]?.nextCursor : !!columns.find((c) => c.status === status)?.nextCursor);

  const loadMore = async (status: string) => {
    const cursor = extras[status]?.nextCursor ?? columns.find((c) => c.status === status)?.nextCursor;
    if (!cursor) return;
    setLoadingMore(status);
    setLoadErrors((e) => ({ ...e, [status]: undefined }));
    try {
      const page = await fetchTaskPage({ status, agent: filters.agent, instructionId: filters.instructionId, priority: filters.priority, cursor, limit: 50 });
      setExtras((x) => ({ ...x, [status]: { items: [...(x[status]?.items ?? []), ...page.items], nextCursor: page.nextCursor } }));
    } catch (err) {
      setLoadErrors((e) => ({ ...e, [status]: err }));
    } finally {
      setLoadingMore(null);
    }
  };

  return {
    columns,
    view,
    /** Moves not yet answered by the server (their cards show busy). */
    isPending: (id: string) => overrides.has(id) && !overrides.get(id)!.settled,
    refusal,
    dismissRefusal: () => setRefusal(null),
    requestMove,
    reasonFor,
    cancelReason: () => setReasonFor(null),
    confirmReason,
    hasMore,
    loadMore,
    loadingMore,
    loadErrors,
  };
}
