import * as React from "react";
import { cn } from "./cn";

/**
 * Step progress: done share in green, skipped in grey; `label` adds "6/10" beside it.
 * `tone` colours the done part differently (e.g. "progress" for a running task).
 */
export function ProgressBar({
  done,
  total,
  skipped = 0,
  label,
  className,
  tone = "done",
  ariaLabel,
}: {
  done: number;
  total: number;
  skipped?: number;
  label?: boolean;
  className?: string;
  tone?: "done" | "progress" | "review" | "blocked";
  ariaLabel?: string;
}) {
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  const skippedPct = total > 0 ? Math.min(100 - pct, (skipped / total) * 100) : 0;
  const fill = { done: "bg-status-done", progress: "bg-status-progress", review: "bg-status-review", blocked: "bg-status-blocked" }[tone];
  return (
    <div className={cn("flex items-center gap-2", className)}>
      <div
        role="progressbar"
        aria-label={ariaLabel ?? "Steps done"}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done + skipped}
        aria-valuetext={`${done + skipped} of ${total} steps`}
        className="flex h-1.5 min-w-10 flex-1 overflow-hidden rounded-full bg-muted"
      >
        <div className={cn("h-full transition-[width] duration-500", fill)} style={{ width: `${pct}%` }} />
        <div className="h-full bg-status-cancelled/50 transition-[width] duration-500" style={{ width: `${skippedPct}%` }} />
      </div>
      {label && (
        <span className="shrink-0 text-xs tabular-nums text-muted-foreground">
          {done + skipped}/{total}
        </span>
      )}
    </div>
  );
}
