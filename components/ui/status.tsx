import * as React from "react";
import { Circle, CircleCheck, CircleDot, CircleEllipsis, CircleMinus, CirclePause, CircleX, type LucideIcon } from "lucide-react";
import { cn } from "./cn";
import { Badge, type BadgeTone } from "./badge";

/**
 * One vocabulary of status colours for everything (UI.md): tasks, steps, outputs, instruction phases.
 * pending slate · in progress blue · blocked amber · in review violet · done green ·
 * cancelled/skipped grey struck through · failed/changes requested red.
 */
export type StatusTone = "pending" | "progress" | "blocked" | "review" | "done" | "cancelled" | "failed";

const toneOf: Record<string, StatusTone> = {
  // tasks
  pending: "pending",
  in_progress: "progress",
  blocked: "blocked",
  in_review: "review",
  completed: "done",
  cancelled: "cancelled",
  // steps
  done: "done",
  skipped: "cancelled",
  // outputs
  pending_review: "review",
  approved: "done",
  changes_requested: "failed",
  superseded: "cancelled",
  // instruction phases
  routing: "pending",
  planning: "pending",
  executing: "progress",
  validating: "review",
  correcting: "progress",
  failed: "failed",
};

const labelOf: Record<string, string> = {
  in_progress: "in progress",
  in_review: "in review",
  pending_review: "awaiting review",
  changes_requested: "changes requested",
};

export function statusTone(status: string): StatusTone {
  return toneOf[status] ?? "pending";
}

export function statusLabel(status: string): string {
  return labelOf[status] ?? status.replace(/_/g, " ");
}

/** Tailwind text colour class of a status: `text-status-progress` etc. */
export const statusTextClass: Record<StatusTone, string> = {
  pending: "text-status-pending",
  progress: "text-status-progress",
  blocked: "text-status-blocked",
  review: "text-status-review",
  done: "text-status-done",
  cancelled: "text-status-cancelled",
  failed: "text-status-failed",
};

export const statusBgClass: Record<StatusTone, string> = {
  pending: "bg-status-pending",
  progress: "bg-status-progress",
  blocked: "bg-status-blocked",
  review: "bg-status-review",
  done: "bg-status-done",
  cancelled: "bg-status-cancelled",
  failed: "bg-status-failed",
};

const iconOf: Record<StatusTone, LucideIcon> = {
  pending: Circle,
  progress: CircleDot,
  blocked: CirclePause,
  review: CircleEllipsis,
  done: CircleCheck,
  cancelled: CircleMinus,
  failed: CircleX,
};

/** The status glyph in its colour. Decorative unless `label` is given (then it is announced). */
export function StatusIcon({ status, className, label }: { status: string; className?: string; label?: string }) {
  const tone = statusTone(status);
  const Icon = iconOf[tone];
  return (
    <Icon
      className={cn("size-4 shrink-0", statusTextClass[tone], tone === "progress" && "animate-pulse [animation-duration:2.4s]", className)}
      aria-hidden={label ? undefined : true}
      aria-label={label}
      role={label ? "img" : undefined}
    />
  );
}

/** Icon + words in a tinted badge. Cancelled and skipped are struck through. */
export function StatusBadge({ status, className, withIcon = true }: { status: string; className?: string; withIcon?: boolean }) {
  const tone = statusTone(status);
  return (
    <Badge tone={tone as BadgeTone} className={className} data-status={status}>
      {withIcon && <StatusIcon status={status} className="size-3 animate-none" />}
      {statusLabel(status)}
    </Badge>
  );
}

/** A small coloured dot for dense places (sidebar lists, legends). */
export function StatusDot({ status, className }: { status: string; className?: string }) {
  return <span aria-hidden className={cn("inline-block size-2 shrink-0 rounded-full", statusBgClass[statusTone(status)], className)} />;
}
