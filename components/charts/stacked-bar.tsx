import { cn } from "@/components/ui/cn";
import { statusLabel, statusTone, type StatusTone } from "@/components/ui/status";

/** SVG fill classes of the status colours (globals.css), for the charts: the same meaning as the badges and dots. */
export const statusFillClass: Record<StatusTone, string> = {
  pending: "fill-status-pending",
  progress: "fill-status-progress",
  blocked: "fill-status-blocked",
  review: "fill-status-review",
  done: "fill-status-done",
  cancelled: "fill-status-cancelled",
  failed: "fill-status-failed",
};

/**
 * One horizontal bar split by status (counts in `parts`, drawn in their status colours), its length
 * `total / max` of the track: the overview's open work per agent. Its <title> and accessible name
 * (role="img") say every count (one title for the bar: a hundred agents' bars are in the page's HTML).
 */
export function StackedBar({ parts, max, label, className }: { parts: { status: string; count: number }[]; max: number; label: string; className?: string }) {
  const total = parts.reduce((n, p) => n + p.count, 0);
  const summary = `${label}: ${total.toLocaleString("en-US")} open${
    total
      ? ` (${parts
          .filter((p) => p.count > 0)
          .map((p) => `${p.count.toLocaleString("en-US")} ${statusLabel(p.status)}`)
          .join(", ")})`
      : ""
  }`;
  const drawn = parts.filter((p) => p.count > 0 && max > 0);
  const offsets = drawn.map((_, i) => drawn.slice(0, i).reduce((n, p) => n + (p.count / max) * 100, 0));
  return (
    <svg viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label={summary} className={cn("block h-1.5 w-full overflow-hidden rounded-full", className)} data-total={total}>
      <title>{summary}</title>
      <rect x={0} y={0} width={100} height={6} className="fill-muted" />
      {drawn.map((p, i) => (
        <rect key={p.status} x={offsets[i]} y={0} width={(p.count / max) * 100} height={6} className={statusFillClass[statusTone(p.status)]} data-status={p.status} data-count={p.count} />
      ))}
    </svg>
  );
}
