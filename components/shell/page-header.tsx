import * as React from "react";
import { cn } from "@/components/ui/cn";

/** Page title row: title (+ meta underneath) on the left, the page's one primary action on the right. */
export function PageHeader({ title, meta, actions, className }: { title: React.ReactNode; meta?: React.ReactNode; actions?: React.ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-wrap items-start justify-between gap-x-4 gap-y-2 pb-4", className)}>
      <div className="min-w-0 flex-1">
        <h1 className="text-lg font-semibold tracking-tight text-balance">{title}</h1>
        {meta && <div className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-muted-foreground">{meta}</div>}
      </div>
      {actions && <div className="flex shrink-0 items-center gap-2">{actions}</div>}
    </div>
  );
}

/** The padded, width-limited column every dashboard page sits in. */
export function PageBody({ className, wide, ...props }: React.ComponentProps<"div"> & { wide?: boolean }) {
  return <div className={cn("mx-auto w-full px-6 py-5", wide ? "max-w-none" : "max-w-6xl", className)} {...props} />;
}

/** A titled section inside a page. */
export function Section({ title, actions, className, children, id }: { title: React.ReactNode; actions?: React.ReactNode; className?: string; children: React.ReactNode; id?: string }) {
  const headingId = id ? `${id}-heading` : undefined;
  return (
    <section aria-labelledby={headingId} className={cn("grid gap-2", className)}>
      <div className="flex items-center justify-between gap-2">
        <h2 id={headingId} className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">
          {title}
        </h2>
        {actions}
      </div>
      {children}
    </section>
  );
}
