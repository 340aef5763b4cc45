/** The q-quantile of an ascending array (nearest rank): what p50 / p95 / p99 mean in these reports. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

/** Seconds as "M min S s", as the run's log and the report say how long it took. */
export const minSec = (x: number) => `${Math.floor(Math.round(x) / 60)} min ${Math.round(x) % 60} s`;
