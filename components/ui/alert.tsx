import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "./cn";

const alertVariants = cva("relative flex items-start gap-2 rounded-md border px-3 py-2 text-sm [&>svg]:mt-0.5 [&>svg]:size-4 [&>svg]:shrink-0", {
  variants: {
    tone: {
      info: "border-status-progress/30 bg-status-progress/5 [&>svg]:text-status-progress",
      warning: "border-status-blocked/40 bg-status-blocked/10 [&>svg]:text-status-blocked",
      error: "border-status-failed/35 bg-status-failed/5 [&>svg]:text-status-failed",
      success: "border-status-done/30 bg-status-done/5 [&>svg]:text-status-done",
    },
  },
  defaultVariants: { tone: "info" },
});

/** An inline message. Use `role="alert"` for something the person must hear now (a refused action). */
export function Alert({ className, tone, ...props }: React.ComponentProps<"div"> & VariantProps<typeof alertVariants>) {
  return <div className={cn(alertVariants({ tone }), className)} {...props} />;
}
