"use client";
import * as React from "react";
import { cn } from "./cn";
import { formatExact, formatRelative } from "./format";
import { useNow } from "./use-now";

/**
 * "3 min ago", re-rendered as time passes, with the exact time on hover (title) and in `dateTime`.
 * Renders nothing for null. `prefix`/`suffix` are plain text around it.
 */
export function RelativeTime({
  date,
  className,
  prefix,
  suffix,
  tickMs = 30_000,
}: {
  date: string | number | Date | null | undefined;
  className?: string;
  prefix?: string;
  suffix?: string;
  tickMs?: number;
}) {
  const now = useNow(tickMs);
  if (date == null) return null;
  const d = new Date(date);
  if (Number.isNaN(d.getTime())) return null;
  // Before hydration `now` is null; use the server's clock (render time) so the text is stable.
  // eslint-disable-next-line react-hooks/purity -- the server render and hydration need a clock; the shared ticker takes over after mount
  const text = formatRelative(d, now ?? Date.now());
  return (
    <time dateTime={d.toISOString()} title={formatExact(d)} className={cn("whitespace-nowrap tabular-nums", className)} suppressHydrationWarning>
      {prefix}
      {text}
      {suffix}
    </time>
  );
}
