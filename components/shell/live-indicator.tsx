"use client";
import { cn } from "@/components/ui/cn";
import type { LiveState } from "@/lib/queries/live";

const label: Record<LiveState, string> = { live: "live", reconnecting: "reconnecting…", connecting: "connecting…" };

/** A dot and a word: green "live" while the change stream is open, amber while it reconnects. */
export function LiveIndicator({ state, className, labelClassName }: { state: LiveState; className?: string; labelClassName?: string }) {
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="live-indicator"
      data-state={state}
      title={state === "live" ? "Changes appear as they happen" : "The change stream is reconnecting; pages catch up when it is back"}
      className={cn("flex items-center gap-2 text-xs text-muted-foreground", className)}
    >
      <span className="relative flex size-2">
        {state === "live" && <span className="absolute inline-flex size-full animate-ping rounded-full bg-status-done opacity-40 [animation-duration:2.5s]" />}
        <span className={cn("relative inline-flex size-2 rounded-full", state === "live" ? "bg-status-done" : "bg-status-blocked")} />
      </span>
      <span className={labelClassName}>{label[state]}</span>
    </div>
  );
}
