import * as React from "react";
import { cn } from "./cn";

/*
 * One small chip per message type. Colours are deliberately quiet and never reuse the status
 * meanings for unrelated things, except escalation (red) and review (violet), which share them.
 */
const chipClass: Record<string, string> = {
  delegation: "bg-sky-500/10 text-sky-700 dark:text-sky-300 border-sky-500/25",
  consultation: "bg-teal-500/10 text-teal-700 dark:text-teal-300 border-teal-500/25",
  consultation_response: "bg-teal-500/10 text-teal-700 dark:text-teal-300 border-teal-500/25",
  review_request: "bg-status-review/10 text-status-review border-status-review/30",
  review_response: "bg-status-review/10 text-status-review border-status-review/30",
  review: "bg-status-review/10 text-status-review border-status-review/30",
  escalation: "bg-status-failed/10 text-status-failed border-status-failed/30",
  correction_request: "bg-status-failed/10 text-status-failed border-status-failed/30",
  status_update: "bg-muted text-muted-foreground border-border",
  progress_report: "bg-muted text-muted-foreground border-border",
  reminder: "bg-status-blocked/10 text-status-blocked border-status-blocked/30",
  broadcast: "bg-indigo-500/10 text-indigo-700 dark:text-indigo-300 border-indigo-500/25",
  completion: "bg-status-done/10 text-status-done border-status-done/30",
  validation_result: "bg-status-done/10 text-status-done border-status-done/30",
  handoff: "bg-amber-500/10 text-amber-700 dark:text-amber-300 border-amber-500/25",
  daily_report: "bg-emerald-500/10 text-emerald-700 dark:text-emerald-300 border-emerald-500/25",
  weekly_report: "bg-emerald-500/10 text-emerald-700 dark:text-emerald-300 border-emerald-500/25",
};

const labels: Record<string, string> = { handoff: "hand-off", daily_report: "daily report", weekly_report: "weekly report" };

export function messageTypeLabel(type: string): string {
  return Object.hasOwn(labels, type) ? labels[type] : type.replace(/_/g, " ");
}

export function MessageTypeChip({ type, className }: { type: string; className?: string }) {
  return (
    <span
      className={cn(
        "inline-flex items-center rounded border px-1.5 py-px text-[10.5px] leading-4 font-medium whitespace-nowrap",
        chipClass[type] ?? "border-border bg-muted text-muted-foreground",
        className,
      )}
    >
      {messageTypeLabel(type)}
    </span>
  );
}
