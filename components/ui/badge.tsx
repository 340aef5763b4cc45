import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "./cn";

export const badgeVariants = cva("inline-flex items-center gap-1 whitespace-nowrap rounded-md border px-1.5 py-px text-[11px] leading-4 font-medium [&_svg]:size-3", {
  variants: {
    tone: {
      neutral: "border-border bg-muted text-muted-foreground",
      outline: "border-border text-foreground",
      pending: "border-status-pending/30 bg-status-pending/10 text-status-pending",
      progress: "border-status-progress/30 bg-status-progress/10 text-status-progress",
      blocked: "border-status-blocked/35 bg-status-blocked/10 text-status-blocked",
      review: "border-status-review/30 bg-status-review/10 text-status-review",
      done: "border-status-done/30 bg-status-done/10 text-status-done",
      cancelled: "border-status-cancelled/30 bg-status-cancelled/10 text-status-cancelled line-through",
      failed: "border-status-failed/30 bg-status-failed/10 text-status-failed",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export type BadgeTone = NonNullable<VariantProps<typeof badgeVariants>["tone"]>;

export function Badge({ className, tone, ...props }: React.ComponentProps<"span"> & VariantProps<typeof badgeVariants>) {
  return <span data-slot="badge" className={cn(badgeVariants({ tone }), className)} {...props} />;
}

/** A count pill (sidebar counts, column counts). Renders nothing for 0 unless `showZero`. */
export function CountBadge({ count, showZero, className, label }: { count: number; showZero?: boolean; className?: string; label?: string }) {
  if (!count && !showZero) return null;
  return (
    <span
      className={cn("ml-auto inline-flex min-w-5 items-center justify-center rounded-full bg-muted px-1.5 text-[11px] leading-5 font-medium tabular-nums text-muted-foreground", className)}
      aria-label={label ? `${count} ${label}` : undefined}
    >
      {count > 999 ? "999+" : count}
    </span>
  );
}
