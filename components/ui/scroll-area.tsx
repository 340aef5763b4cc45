import * as React from "react";
import { cn } from "./cn";

/** A plain overflow container with thin scrollbars; focusable so keyboard users can scroll it. */
export function ScrollArea({ className, focusable = false, ...props }: React.ComponentProps<"div"> & { focusable?: boolean }) {
  return (
    <div
      tabIndex={focusable ? 0 : undefined}
      className={cn("overflow-auto [scrollbar-color:var(--border)_transparent] [scrollbar-width:thin]", className)}
      {...props}
    />
  );
}
