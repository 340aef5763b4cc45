"use client";
import * as React from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Plus, SquareKanban, X } from "lucide-react";
import type { AgentSummary, TaskCardData } from "@/lib/services";
import { api, errorMessage, isApiError } from "@/lib/queries/api";
import type { Page } from "@/lib/queries/hooks";
import { keys } from "@/lib/queries/keys";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { LoadMore } from "@/components/ui/load-more";
import { StatusIcon, statusLabel } from "@/components/ui/status";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Textarea } from "@/components/ui/textarea";
import { Field } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { NewTaskSheet, type InstructionOption } from "./new-task-sheet";
import { TaskCard, boardColumns, type BoardStatus } from "./task-card";
import { BOARD_COLUMN_PAGE } from "./board-page-size";

export interface BoardColumnData {
  status: BoardStatus;
  count: number;
  /** Cards (the page sends taskCard's fields; the live refetch whole tasks, which are cards too). */
  items: TaskCardData[];
  nextCursor: string | null;
}

export interface BoardFiltersValue {
  agent?: string;
  instruction?: string;
  priority?: string;
}

type Override = { to: string; from: string; settled: boolean };

const priorities = ["critical", "high", "normal", "low"] as const;

export function TaskBoard({
  columns: initialColumns,
  filters,
  agents,
  instructions,
}: {
  columns: BoardColumnData[];
  filters: BoardFiltersValue;
  agents: AgentSummary[];
  instructions: InstructionOption[];
}) {
  const router = useRouter();
  const params = useSearchParams();
  const boardRef = React.useRef<HTMLDivElement>(null);
  useListNavigation(boardRef);
  const client = useQueryClient();
  // The board is live: keys.board sits under keys.tasks, which every task, step and output event invalidates.
  const apiFilters = { agent: filters.agent, instructionId: filters.instruction, priority: filters.priority };
  const board = useQuery({
    queryKey: keys.board(apiFilters),
    queryFn: async ({ signal }) => (await api.get<{ columns: BoardColumnData[] }>("/api/v1/tasks/board", { ...apiFilters, perColumn: BOARD_COLUMN_PAGE }, signal)).columns,
    initialData: initialColumns,
    staleTime: 5_000,
  });
  const columns = board.data ?? initialColumns;

  const colorOf = React.useMemo(() => new Map(agents.map((a) => [a.name, a.color])), [agents]);

  /* ---- local layers over the server's columns: extra pages, optimistic moves ---- */
  const [extras, setExtras] = React.useState<Partial<Record<string, Page<TaskCardData>>>>({});
  const [loadingMore, setLoadingMore] = React.useState<string | null>(null);
  const [loadErrors, setLoadErrors] = React.useState<Partial<Record<string, unknown>>>({});
  const [overrides, setOverrides] = React.useState<Map<string, Override>>(new Map());
  const [refusal, setRefusal] = React.useState<{ taskTitle: string; detail: string } | null>(null);
  const [dragging, setDragging] = React.useState<{ id: string; from: string } | null>(null);
  const [dropTarget, setDropTarget] = React.useState<string | null>(null);
  const [reasonFor, setReasonFor] = React.useState<{ task: TaskCardData; to: "blocked" | "cancelled" } | null>(null);

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

  /* ---- moving ---- */
  const move = useMutation({
    mutationFn: (v: { task: TaskCardData; to: string; reason?: string }) => api.post(`/api/v1/tasks/${encodeURIComponent(v.task.id)}/move`, v.reason ? { to: v.to, reason: v.reason } : { to: v.to }),
    meta: { silent: true },
    onMutate: (v) => {
      setRefusal(null);
      setOverrides((m) => new Map(m).set(v.task.id, { to: v.to, from: v.task.status, settled: false }));
    },
    onSuccess: (_d, v) => {
      setOverrides((m) => {
        const o = m.get(v.task.id);
        return o ? new Map(m).set(v.task.id, { ...o, settled: true }) : m;
      });
      toast.success(`Moved to ${statusLabel(v.to)}`, { description: v.task.title });
      void client.invalidateQueries({ queryKey: keys.tasks });
      void client.invalidateQueries({ queryKey: keys.task(v.task.id) });
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

  const loadMore = async (status: string) => {
    const cursor = extras[status]?.nextCursor ?? columns.find((c) => c.status === status)?.nextCursor;
    if (!cursor) return;
    setLoadingMore(status);
    setLoadErrors((e) => ({ ...e, [status]: undefined }));
    try {
      const page = await api.get<Page<TaskCardData>>("/api/v1/tasks", { status, agent: filters.agent, instructionId: filters.instruction, priority: filters.priority, cursor, limit: 50 });
      setExtras((x) => ({ ...x, [status]: { items: [...(x[status]?.items ?? []), ...page.items], nextCursor: page.nextCursor } }));
    } catch (err) {
      setLoadErrors((e) => ({ ...e, [status]: err }));
    } finally {
      setLoadingMore(null);
    }
  };

  /* ---- URL state: filters and the sheet ---- */
  const replaceParams = (mut: (sp: URLSearchParams) => void) => {
    const sp = new URLSearchParams(params.toString());
    mut(sp);
    const s = sp.toString();
    router.replace(s ? `/tasks?${s}` : "/tasks", { scroll: false });
  };
  const setFilter = (k: keyof BoardFiltersValue, v: string) => replaceParams((sp) => (v ? sp.set(k, v) : sp.delete(k)));
  const sheetOpen = params.get("new") === "1";
  const setSheetOpen = (open: boolean) =>
    replaceParams((sp) => {
      if (open) sp.set("new", "1");
      else {
        sp.delete("new");
        sp.delete("instructionId");
      }
    });

  const filtered = !!(filters.agent || filters.instruction || filters.priority);
  const total = columns.reduce((n, c) => n + c.count, 0);
  const instructionOptions = filters.instruction && !instructions.some((i) => i.id === filters.instruction) ? [{ id: filters.instruction, title: filters.instruction, phase: "" }, ...instructions] : instructions;

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3">
      <div className="flex flex-wrap items-end gap-2" role="group" aria-label="Filters">
        <div className="grid gap-1">
          <label htmlFor="filter-agent" className="text-[11px] text-muted-foreground">
            Agent
          </label>
          <Select id="filter-agent" value={filters.agent ?? ""} onChange={(e) => setFilter("agent", e.target.value)} className="w-44">
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1">
          <label htmlFor="filter-instruction" className="text-[11px] text-muted-foreground">
            Instruction
          </label>
          <Select id="filter-instruction" value={filters.instruction ?? ""} onChange={(e) => setFilter("instruction", e.target.value)} className="w-60">
            <option value="">All instructions</option>
            {instructionOptions.map((i) => (
              <option key={i.id} value={i.id}>
                {i.title === i.id ? i.id : `${i.title} (${i.id})`}
              </option>
            ))}
          </Select>
        </div>
        <div className="grid gap-1">
          <label htmlFor="filter-priority" className="text-[11px] text-muted-foreground">
            Priority
          </label>
          <Select id="filter-priority" value={filters.priority ?? ""} onChange={(e) => setFilter("priority", e.target.value)} className="w-32">
            <option value="">Any priority</option>
            {priorities.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </Select>
        </div>
        {filtered && (
          <Button variant="ghost" size="sm" onClick={() => replaceParams((sp) => ["agent", "instruction", "priority"].forEach((k) => sp.delete(k)))}>
            <X /> Clear filters
          </Button>
        )}
        <Button variant="primary" size="sm" className="ml-auto" onClick={() => setSheetOpen(true)} data-testid="new-task-button">
          <Plus /> New task
        </Button>
      </div>

      {refusal && (
        <Alert tone="error" role="alert" data-testid="move-refused" className="items-center">
          <p className="flex-1">
            <span className="font-medium">Could not move “{refusal.taskTitle}”.</span> {refusal.detail}
          </p>
          <Button variant="ghost" size="icon-sm" aria-label="Dismiss" onClick={() => setRefusal(null)}>
            <X />
          </Button>
        </Alert>
      )}

      {total === 0 && !filtered ? (
        <EmptyState
          icon={<SquareKanban />}
          title="No tasks yet"
          description="Create an instruction, then assign work to an agent with New task."
          action={
            <Button variant="primary" size="sm" onClick={() => setSheetOpen(true)}>
              <Plus /> New task
            </Button>
          }
        />
      ) : (
        <div ref={boardRef} className="grid min-h-0 flex-1 auto-cols-[minmax(12.5rem,1fr)] grid-flow-col gap-3 overflow-x-auto pb-2">
          {boardColumns.map((status) => {
            const items = view.base[status] ?? [];
            const count = view.counts[status] ?? 0;
            const more = extras[status] ? !!extras[status]?.nextCursor : !!columns.find((c) => c.status === status)?.nextCursor;
            const droppable = dragging && dragging.from !== status;
            return (
              <section
                key={status}
                data-testid={`column-${status}`}
                aria-labelledby={`column-${status}-title`}
                onDragOver={(e) => {
                  if (!droppable) return;
                  e.preventDefault();
                  e.dataTransfer.dropEffect = "move";
                  if (dropTarget !== status) setDropTarget(status);
                }}
                onDragLeave={(e) => {
                  if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDropTarget((d) => (d === status ? null : d));
                }}
                onDrop={(e) => {
                  e.preventDefault();
                  setDropTarget(null);
                  const id = e.dataTransfer.getData("application/x-agentdesk-task") || e.dataTransfer.getData("text/plain") || dragging?.id;
                  const task = id ? view.all.get(id) : undefined;
                  setDragging(null);
                  if (task) requestMove(task, status);
                }}
                className={cn(
                  "flex min-h-0 flex-col rounded-lg border bg-muted/40 transition-colors",
                  dropTarget === status && "border-status-progress/60 bg-status-progress/5",
                )}
              >
                <header className="flex items-center gap-2 px-3 py-2">
                  <StatusIcon status={status} className="animate-none" />
                  <h2 id={`column-${status}-title`} className="text-xs font-semibold">
                    {statusLabel(status)}
                  </h2>
                  <span className="text-xs text-muted-foreground tabular-nums" data-testid={`column-${status}-count`}>
                    {count.toLocaleString()}
                  </span>
                </header>
                <div className="flex min-h-24 flex-1 flex-col gap-2 overflow-y-auto px-2 pb-2">
                  {items.length === 0 ? (
                    <p className="px-1 py-4 text-center text-xs text-muted-foreground">{droppable ? "Drop here" : "Nothing here"}</p>
                  ) : (
                    items.map((t) => (
                      <TaskCard
                        key={t.id}
                        task={t}
                        agentColor={colorOf.get(t.assignedAgent)}
                        dragging={dragging?.id === t.id}
                        pending={overrides.has(t.id) && !overrides.get(t.id)!.settled}
                        onDragStart={(e) => {
                          e.dataTransfer.effectAllowed = "move";
                          e.dataTransfer.setData("application/x-agentdesk-task", t.id);
                          e.dataTransfer.setData("text/plain", t.id);
                          setDragging({ id: t.id, from: status });
                        }}
                        onDragEnd={() => {
                          setDragging(null);
                          setDropTarget(null);
                        }}
                        onMove={(to) => requestMove(t, to)}
                      />
                    ))
                  )}
                  <LoadMore hasMore={more} loading={loadingMore === status} onLoadMore={() => void loadMore(status)} error={loadErrors[status]} />
                </div>
              </section>
            );
          })}
        </div>
      )}

      <ReasonDialog
        key={reasonFor ? `${reasonFor.task.id}-${reasonFor.to}` : "none"}
        target={reasonFor}
        onCancel={() => setReasonFor(null)}
        onConfirm={(reason) => {
          if (reasonFor) move.mutate({ task: reasonFor.task, to: reasonFor.to, reason: reason || undefined });
          setReasonFor(null);
        }}
      />

      <NewTaskSheet
        open={sheetOpen}
        onOpenChange={setSheetOpen}
        agents={agents}
        instructions={instructions}
        defaultInstructionId={params.get("instructionId") ?? filters.instruction ?? undefined}
      />
    </div>
  );
}

/** Blocking asks why (required); cancelling takes an optional reason. */
function ReasonDialog({
  target,
  onCancel,
  onConfirm,
}: {
  target: { task: TaskCardData; to: "blocked" | "cancelled" } | null;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}) {
  const [reason, setReason] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  const blocking = target?.to === "blocked";
  return (
    <Dialog open={!!target} onOpenChange={(o) => !o && onCancel()}>
      <DialogContent>
        <form
          className="grid gap-3"
          onSubmit={(e) => {
            e.preventDefault();
            if (blocking && !reason.trim()) {
              setError("Say why the task is blocked");
              return;
            }
            onConfirm(reason.trim());
          }}
        >
          <DialogHeader>
            <DialogTitle>{blocking ? "Block this task" : "Cancel this task"}</DialogTitle>
            <DialogDescription>{target?.task.title}</DialogDescription>
          </DialogHeader>
          <Field id="move-reason" label={blocking ? "Why is it blocked?" : "Reason (optional)"} required={blocking} errors={error ? [error] : undefined}>
            <Textarea
              id="move-reason"
              autoFocus
              rows={3}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              aria-invalid={!!error || undefined}
              aria-describedby={error ? "move-reason-error" : undefined}
              placeholder={blocking ? "e.g. Waiting for the payments API keys" : ""}
            />
          </Field>
          <DialogFooter>
            <Button variant="ghost" onClick={onCancel}>
              Back
            </Button>
            <Button type="submit" variant={blocking ? "primary" : "destructive"}>
              {blocking ? "Block task" : "Cancel task"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
