"use client";
import { boardTaskStatuses } from "@/lib/domain/vocabulary";
import * as React from "react";
import Link from "next/link";
import { AlertTriangle, ArrowRightLeft, GripVertical } from "lucide-react";
import type { TaskCardData } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { PriorityDot } from "@/components/ui/priority-dot";
import { ProgressBar } from "@/components/ui/progress-bar";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { statusLabel } from "@/components/ui/status";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";

export const boardColumns = boardTaskStatuses;
export type BoardStatus = (typeof boardColumns)[number];

export function TaskCard({
  task,
  agentColor,
  dragging,
  pending,
  onDragStart,
  onDragEnd,
  onMove,
}: {
  task: TaskCardData;
  agentColor?: string | null;
  dragging?: boolean;
  pending?: boolean;
  onDragStart: (e: React.DragEvent) => void;
  onDragEnd: () => void;
  onMove: (to: string) => void;
}) {
  const p = task.progress;
  // Only work in progress has a running lease; a blocked task waits for a person, not for its agent.
  const stale = task.lease?.expired && task.status === "in_progress";
  return (
    <article
      draggable
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      data-testid={`task-card-${task.id}`}
      data-status={task.status}
      aria-label={task.title}
      aria-busy={pending || undefined}
      className={cn(
        "group relative rounded-md border bg-card px-2.5 py-2 shadow-xs transition-[opacity,box-shadow] hover:shadow-sm",
        dragging && "opacity-40",
        pending && "opacity-70",
        task.status === "blocked" && "border-status-blocked/40",
      )}
    >
      <div className="flex items-start gap-1.5">
        <GripVertical aria-hidden className="mt-0.5 -ml-1 size-3.5 shrink-0 cursor-grab text-muted-foreground/50 group-hover:text-muted-foreground" />
        <Link
          href={hrefs.task(task.id)}
          data-nav-item
          className="min-w-0 flex-1 text-sm leading-5 font-medium after:absolute after:inset-0 after:content-[''] hover:underline focus-visible:outline-none"
          draggable={false}
        >
          <span className="line-clamp-2">{task.title}</span>
        </Link>
        <PriorityDot priority={task.priority} className="relative mt-1.5" />
      </div>
      {task.status === "blocked" && task.blockedReason && <p className="relative mt-1 line-clamp-2 pl-3 text-xs text-status-blocked">{task.blockedReason}</p>}
      <div className="mt-2 flex items-center gap-2 pl-3">
        <span className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
          <AgentSwatch color={agentColor} name={task.assignedAgent} />
          <span className="truncate">{task.assignedAgent}</span>
        </span>
        <Mono className="ml-auto shrink-0 text-[11px] text-muted-foreground">{task.ref}</Mono>
      </div>
      <div className="mt-1.5 flex items-center gap-2 pl-3">
        {p.total > 0 ? (
          <ProgressBar
            done={p.done}
            skipped={p.skipped}
            total={p.total}
            label
            tone={task.status === "blocked" ? "blocked" : task.status === "in_progress" ? "progress" : task.status === "in_review" ? "review" : "done"}
            className="flex-1"
          />
        ) : (
          <span className="flex-1 text-xs text-muted-foreground">no steps</span>
        )}
        {stale && (
          <span title="The lease ran out: no heartbeat from the agent" className="relative text-status-blocked">
            <AlertTriangle aria-label="Stale lease" className="size-3.5" />
          </span>
        )}
        <RelativeTime date={task.createdAt} className="shrink-0 text-[11px] text-muted-foreground" />
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon-sm" className="relative -my-1 -mr-1 size-6" aria-label={`Move “${task.title}” to…`} data-testid={`move-${task.id}`}>
              <ArrowRightLeft />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuLabel>Move to…</DropdownMenuLabel>
            {boardColumns
              .filter((s) => s !== task.status)
              .map((s) => (
                <DropdownMenuItem key={s} onSelect={() => onMove(s)}>
                  {statusLabel(s)}
                </DropdownMenuItem>
              ))}
            <DropdownMenuSeparator />
            <DropdownMenuItem destructive onSelect={() => onMove("cancelled")}>
              Cancel task…
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
    </article>
  );
}
