"use client";
import * as React from "react";
import Link from "next/link";
import type { TaskDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { StatusIcon } from "@/components/ui/status";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { useNow } from "@/components/ui/use-now";
import { formatDuration } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";
import { TaskTree } from "./task-tree";

/** Lease and heartbeat of the task's agent, with the time left. */
export function LeaseInfo({ lease, status }: { lease: TaskDetail["lease"]; status: string }) {
  const now = useNow(1000);
  if (!lease || status !== "in_progress") return null;
  const left = now == null ? null : new Date(lease.expiresAt).getTime() - now;
  const expired = left == null ? lease.expired : left <= 0;
  return (
    <>
      <span aria-hidden>·</span>
      <span className={cn(expired && "font-medium text-status-blocked")} data-testid="lease">
        {expired ? "lease ran out: no heartbeat" : left == null ? "lease held" : `lease ${formatDuration(left)} left`}
      </span>
      {lease.lastHeartbeatAt && (
        <>
          <span aria-hidden>·</span>
          <RelativeTime date={lease.lastHeartbeatAt} prefix="heartbeat " tickMs={5000} />
        </>
      )}
    </>
  );
}

/** A titled block of the task page's side column. */
export function SideSection({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="grid min-w-0 gap-1.5">
      <h2 className="text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">{title}</h2>
      {children}
    </section>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="text-xs text-muted-foreground">{children}</p>;
}

/** Tasks this one waits on, or that wait on it. */
export function DepList({ label, items }: { label: string; items: { id: string; ref: string; title: string; status: string }[] }) {
  return (
    <div className="grid gap-1">
      <span className="text-[11px] text-muted-foreground">{label}</span>
      <ul className="grid gap-0.5">
        {items.map((d) => (
          <li key={d.id}>
            <Link href={hrefs.task(d.id)} className="flex items-center gap-1.5 rounded px-1 py-0.5 text-sm hover:bg-accent">
              <StatusIcon status={d.status} className="size-3.5 animate-none" />
              <Mono className="text-xs text-muted-foreground">{d.ref}</Mono>
              <span className="truncate">{d.title}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The task's parent and sub-tasks (strategic and tactical tasks), when it has any. */
export function TaskTreeSection({ task }: { task: Pick<TaskDetail, "parentTask" | "children"> }) {
  if (!task.parentTask && task.children.length === 0) return null;
  return (
    <SideSection title={task.children.length ? `Sub-tasks · ${task.children.length}` : "Parent task"}>
      <TaskTree task={task} />
    </SideSection>
  );
}
