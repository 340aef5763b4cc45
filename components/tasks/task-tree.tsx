"use client";
import * as React from "react";
import Link from "next/link";
import type { TaskDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { StatusIcon, StatusBadge } from "@/components/ui/status";
import { ProgressBar } from "@/components/ui/progress-bar";
import { Mono } from "@/components/ui/mono";

type Tree = Pick<TaskDetail, "parentTask" | "children">;

/**
 * A task's place in a hierarchy (the folder protocol's strategic and tactical tasks): the task it is
 * part of, and the tasks that are part of it with their status and step progress. Nothing for a task
 * on its own.
 */
export function TaskTree({ task }: { task: Tree }) {
  if (!task.parentTask && task.children.length === 0) return null;
  const done = task.children.filter((c) => c.status === "completed").length;
  return (
    <div className="grid gap-2" data-testid="task-tree">
      {task.parentTask && (
        <div className="grid gap-1">
          <span className="text-[11px] text-muted-foreground">Part of</span>
          <Link href={hrefs.task(task.parentTask.id)} className="flex items-center gap-1.5 rounded px-1 py-0.5 text-sm hover:bg-accent">
            <StatusIcon status={task.parentTask.status} className="size-3.5 animate-none" />
            <Mono className="text-xs text-muted-foreground">{task.parentTask.ref}</Mono>
            <span className="truncate">{task.parentTask.title}</span>
          </Link>
        </div>
      )}
      {task.children.length > 0 && (
        <div className="grid gap-1">
          <span className="text-[11px] text-muted-foreground">
            Sub-tasks · {done}/{task.children.length} completed
          </span>
          <ul className="grid gap-1">
            {task.children.map((c) => (
              <li key={c.id}>
                <Link href={hrefs.task(c.id)} className="grid gap-1 rounded px-1 py-1 hover:bg-accent">
                  <span className="flex min-w-0 items-center gap-1.5 text-sm">
                    <StatusIcon status={c.status} className="size-3.5 shrink-0 animate-none" />
                    <Mono className="text-xs text-muted-foreground">{c.ref}</Mono>
                    <span className="truncate">{c.title}</span>
                  </span>
                  <span className="flex items-center gap-2 pl-5">
                    <StatusBadge status={c.status} />
                    {c.progress.total > 0 ? (
                      <ProgressBar done={c.progress.done} skipped={c.progress.skipped} total={c.progress.total} label className="flex-1" ariaLabel={`Steps of ${c.ref}`} />
                    ) : (
                      <span className="text-[11px] text-muted-foreground">no steps</span>
                    )}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
