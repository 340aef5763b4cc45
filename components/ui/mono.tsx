import * as React from "react";
import { cn } from "./cn";

/** Monospace text for ids and file paths; truncates and shows the full value on hover. */
export function Mono({ className, children, title, ...props }: React.ComponentProps<"span">) {
  return (
    <span className={cn("font-mono text-[0.92em] tracking-tight", className)} title={title ?? (typeof children === "string" ? children : undefined)} {...props}>
      {children}
    </span>
  );
}

/** An id chip: muted monospace, e.g. `inst_20261126_003`, `tsk_…`. */
export function IdText({ id, className }: { id: string; className?: string }) {
  return <Mono className={cn("text-xs text-muted-foreground", className)}>{id}</Mono>;
}
