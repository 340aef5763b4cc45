import "server-only";

export const DAY_MS = 86_400_000;

/** The UTC day of a time, "2026-11-26": the charts' day is the UTC day, as run_usage.day is. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The `days` UTC days ending on the day of `now`, oldest first, and the first day's midnight (ms):
 * a chart's columns, days without anything included.
 */
export function dayWindow(days: number, now: number): { days: string[]; since: number } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const since = today - (days - 1) * DAY_MS;
  return { since, days: Array.from({ length: days }, (_, i) => utcDay(since + i * DAY_MS)) };
}

/** The median of `xs` (sorted in place); null when empty. */
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : Math.round((xs[mid - 1] + xs[mid]) / 2);
}

/** The `q` quantile (0..1) of sorted `xs`, nearest rank; null when empty. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
