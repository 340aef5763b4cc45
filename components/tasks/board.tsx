"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import { useRouter, useSearchParams } from "next/navigation";
import { Plus, SquareKanban, X } from "lucide-react";
import type { AgentSummary } from "@/lib/services";
import type { BoardColumnData } from "@/lib/queries/tasks";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { EmptyState } from "@/components/ui/empty-state";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { useOpenedOnce } from "@/components/ui/use-opened-once";
import type { InstructionOption } from "./new-task-sheet";
import { boardColumns } from "./task-card";
import { BoardColumn, type BoardDrag } from "./board-column";
import { BoardFilterBar, type BoardFiltersValue } from "./board-filters";
import { useBoardState } from "./use-board";

// The New task sheet (its pickers and fields) and the reason asked when a card moves to blocked or
// cancelled load when first opened, not with the board.
const NewTaskSheet = dynamic(() => import("./new-task-sheet").then((m) => m.NewTaskSheet), { ssr: false });
const MoveReasonDialog = dynamic(() => import("./move-reason-dialog").then((m) => m.MoveReasonDialog), { ssr: false });

export type { BoardColumnData, BoardFiltersValue };

/** Which card is being dragged and over which column. */
function useBoardDrag(): BoardDrag {
  const [dragging, setDragging] = React.useState<{ id: string; from: string } | null>(null);
  const [dropTarget, setDropTarget] = React.useState<string | null>(null);
  return {
    dragging,
    dropTarget,
    start: (id, from) => setDragging({ id, from }),
    end: () => {
      setDragging(null);
      setDropTarget(null);
    },
    setDropTarget: (update) => setDropTarget(update),
    drop: (e) => {
      setDropTarget(null);
      const id = e.dataTransfer.getData("application/x-agentdesk-task") || e.dataTransfer.getData("text/plain") || dragging?.id;
      setDragging(null);
      return id || undefined;
    },
  };
}

/** The task board: filters in the URL, five live columns, drag or menu to move, and the New task sheet. */
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
  const board = useBoardState({ agent: filters.agent, instructionId: filters.instruction, priority: filters.priority }, initialColumns);
  const drag = useBoardDrag();
  const colorOf = React.useMemo(() => new Map(agents.map((a) => [a.name, a.color])), [agents]);

  /* ---- URL state: filters and the sheet ---- */
  const replaceParams = (mut: (sp: URLSearchParams) => void) => {
    const sp = new URLSearchParams(params.toString());
    mut(sp);
    const s = sp.toString();
    router.replace(s ? `/tasks?${s}` : "/tasks", { scroll: false });
  };
  const sheetOpen = params.get("new") === "1";
  const sheetMounted = useOpenedOnce(sheetOpen);
  const reasonMounted = useOpenedOnce(!!board.reasonFor);
  const setSheetOpen = (open: boolean) =>
    replaceParams((sp) => {
      if (open) sp.set("new", "1");
      else {
        sp.delete("new");
        sp.delete("instructionId");
      }
    });

  const filtered = !!(filters.agent || filters.instruction || filters.priority);
  const total = board.columns.reduce((n, c) => n + c.count, 0);

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3">
      <BoardFilterBar
        filters={filters}
        agents={agents}
        instructions={instructions}
        onFilter={(k, v) => replaceParams((sp) => (v ? sp.set(k, v) : sp.delete(k)))}
        onClear={() => replaceParams((sp) => ["agent", "instruction", "priority"].forEach((k) => sp.delete(k)))}
        onNewTask={() => setSheetOpen(true)}
      />

      {board.refusal && (
        <Alert tone="error" role="alert" data-testid="move-refused" className="items-center">
          <p className="flex-1">
            <span className="font-medium">Could not move “{board.refusal.taskTitle}”.</span> {board.refusal.detail}
          </p>
          <Button variant="ghost" size="icon-sm" aria-label="Dismiss" onClick={board.dismissRefusal}>
            <X />
          </Button>
        </Alert>
      )}

      {total === 0 && !filtered ? (
        <EmptyState
          icon={<SquareKanban />}
          title="No tasks yet"
          description="Assign work to an agent with New task: say what is needed; a new instruction is made from it unless you choose one."
          action={
            <Button variant="primary" size="sm" onClick={() => setSheetOpen(true)}>
              <Plus /> New task
            </Button>
          }
        />
      ) : (
        <div ref={boardRef} className="grid min-h-0 flex-1 auto-cols-[minmax(12.5rem,1fr)] grid-flow-col gap-3 overflow-x-auto pb-2">
          {boardColumns.map((status) => (
            <BoardColumn
              key={status}
              status={status}
              items={board.view.base[status] ?? []}
              count={board.view.counts[status] ?? 0}
              colorOf={colorOf}
              drag={drag}
              isPending={board.isPending}
              onMove={board.requestMove}
              onDropTask={(id) => {
                const task = board.view.all.get(id);
                if (task) board.requestMove(task, status);
              }}
              hasMore={board.hasMore(status)}
              loadingMore={board.loadingMore === status}
              loadError={board.loadErrors[status]}
              onLoadMore={() => void board.loadMore(status)}
            />
          ))}
        </div>
      )}

      {reasonMounted && (
        <MoveReasonDialog key={board.reasonFor ? `${board.reasonFor.task.id}-${board.reasonFor.to}` : "none"} target={board.reasonFor} onCancel={board.cancelReason} onConfirm={board.confirmReason} />
      )}

      {sheetMounted && (
        <NewTaskSheet open={sheetOpen} onOpenChange={setSheetOpen} agents={agents} instructions={instructions} defaultInstructionId={params.get("instructionId") ?? filters.instruction ?? undefined} />
      )}
    </div>
  );
}
