import * as React from "react";
import { cn } from "./cn";

const dotClass: Record<string, string | null> = {
  critical: "bg-priority-critical",
  high: "bg-priority-high",
  normal: null,
  medium: null,
  low: "bg-priority-low",
};

/** critical red, high orange, normal nothing, low grey (UI.md). Announced as "high priority". */
export function PriorityDot({ priority, className, showNormal }: { priority: string; className?: string; showNormal?: boolean }) {
  const cls = dotClass[priority];
  if (cls === null && !showNormal) return null;
  return (
    <span
      role="img"
      aria-label={`${priority} priority`}
      title={`${priority} priority`}
      className={cn("inline-block size-2 shrink-0 rounded-full", cls ?? "border border-muted-foreground/50", className)}
    />
  );
}

/** Dot + word, for headers and tables. */
export function PriorityLabel({ priority, className }: { priority: string; className?: string }) {
  return (
    <span className={cn("inline-flex items-center gap-1.5 text-xs text-muted-foreground", className)}>
      <PriorityDot priority={priority} showNormal />
      {priority}
    </span>
  );
}
