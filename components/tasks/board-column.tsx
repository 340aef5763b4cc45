"use client";
import type { TaskCardData } from "@/lib/services";
import { LoadMore } from "@/components/ui/load-more";
import { StatusIcon, statusLabel } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";
import { TaskCard, type BoardStatus } from "./task-card";

export interface BoardDrag {
  dragging: { id: string; from: string } | null;
  dropTarget: string | null;
  start: (id: string, from: string) => void;
  end: () => void;
  setDropTarget: (update: (d: string | null) => string | null) => void;
  /** The task dropped (by the transfer's data, else the one being dragged), and the drag ended. */
  drop: (e: React.DragEvent) => string | undefined;
}

/** One column of the board: its header and count, its cards, "Load more", and a drop target while dragging. */
export function BoardColumn({
  status,
  items,
  count,
  colorOf,
  drag,
  isPending,
  onMove,
  onDropTask,
  hasMore,
  loadingMore,
  loadError,
  onLoadMore,
}: {
  status: BoardStatus;
  items: TaskCardData[];
  count: number;
  colorOf: Map<string, string | null | undefined>;
  drag: BoardDrag;
  isPending: (id: string) => boolean;
  onMove: (task: TaskCardData, to: string) => void;
  onDropTask: (id: string) => void;
  hasMore: boolean;
  loadingMore: boolean;
  loadError: unknown;
  onLoadMore: () => void;
}) {
  const droppable = drag.dragging && drag.dragging.from !== status;
  return (
    <section
      data-testid={`column-${status}`}
      aria-labelledby={`column-${status}-title`}
      onDragOver={(e) => {
        if (!droppable) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = "move";
        if (drag.dropTarget !== status) drag.setDropTarget(() => status);
      }}
      onDragLeave={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) drag.setDropTarget((d) => (d === status ? null : d));
      }}
      onDrop={(e) => {
        e.preventDefault();
        const id = drag.drop(e);
        if (id) onDropTask(id);
      }}
      className={cn("flex min-h-0 flex-col rounded-lg border bg-muted/40 transition-colors", drag.dropTarget === status && "border-status-progress/60 bg-status-progress/5")}
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
              dragging={drag.dragging?.id === t.id}
              pending={isPending(t.id)}
              onDragStart={(e) => {
                e.dataTransfer.effectAllowed = "move";
                e.dataTransfer.setData("application/x-agentdesk-task", t.id);
                e.dataTransfer.setData("text/plain", t.id);
                drag.start(t.id, status);
              }}
              onDragEnd={drag.end}
              onMove={(to) => onMove(t, to)}
            />
          ))
        )}
        <LoadMore hasMore={hasMore} loading={loadingMore} onLoadMore={onLoadMore} error={loadError} />
      </div>
    </section>
  );
}
