import * as React from "react";
import { ChevronDown } from "lucide-react";
import { cn } from "./cn";
import { controlClass } from "./input";

/** A native <select> styled like the other controls (keyboard and screen readers for free). */
export function Select({ className, children, ...props }: React.ComponentProps<"select">) {
  return (
    <div className={cn("relative", className)}>
      <select data-slot="select" className={cn(controlClass, "h-8 appearance-none pr-7")} {...props}>
        {children}
      </select>
      <ChevronDown aria-hidden className="pointer-events-none absolute top-1/2 right-2 size-3.5 -translate-y-1/2 text-muted-foreground" />
    </div>
  );
}
