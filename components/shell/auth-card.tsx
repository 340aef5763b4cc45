import * as React from "react";

/** The centred frame of the sign-in and first-run pages (outside the signed-in shell). */
export function AuthCard({ title, description, children, footer }: { title: string; description?: React.ReactNode; children: React.ReactNode; footer?: React.ReactNode }) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-muted/40 px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-5 flex items-center justify-center gap-2">
          <span aria-hidden className="grid size-6 place-items-center rounded bg-primary text-xs font-bold text-primary-foreground">
            A
          </span>
          <span className="text-base font-semibold tracking-tight">AgentDesk</span>
        </div>
        <div className="rounded-lg border bg-card p-6 shadow-xs">
          <h1 className="text-base font-semibold">{title}</h1>
          {description && <p className="mt-1 text-sm text-muted-foreground">{description}</p>}
          <div className="mt-5">{children}</div>
        </div>
        {footer && <div className="mt-4 text-center text-xs text-muted-foreground">{footer}</div>}
      </div>
    </main>
  );
}
