/** Pure time helpers of the charts, the same on the server and in every time zone: the charts' days and clock times are UTC. */

const DAY_MS = 86_400_000;

/** The `days` UTC days ending today, oldest first: a chart's columns, days without anything included. */
export function dayRange(days: number, now = Date.now()): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now - i * DAY_MS).toISOString().slice(0, 10));
  return out;
}

/** "Nov 26" for a UTC day "2026-11-26". */
export const dayLabel = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** "14:05" (UTC), or "Nov 26 14:05" with `withDay`. */
export function utcTime(ms: number, withDay = false): string {
  const d = new Date(ms);
  const hm = d.toISOString().slice(11, 16);
  return withDay ? `${dayLabel(d.toISOString().slice(0, 10))} ${hm}` : hm;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const tickSteps = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY_MS, 2 * DAY_MS, 7 * DAY_MS, 14 * DAY_MS, 28 * DAY_MS];

/** Round ticks for an axis from `start` to `end` (at most about `max`), each with its UTC label. */
export function timeTicks(start: number, end: number, max = 6): { at: number; label: string }[] {
  const span = Math.max(1, end - start);
  const step = tickSteps.find((s) => span / s <= max) ?? tickSteps[tickSteps.length - 1];
  const first = Math.ceil(start / step) * step;
  // Across days, the first tick and each midnight also say the day.
  const days = Math.floor(start / DAY_MS) !== Math.floor(end / DAY_MS);
  const out: { at: number; label: string }[] = [];
  for (let at = first; at <= end; at += step) {
    out.push({ at, label: step >= DAY_MS ? dayLabel(new Date(at).toISOString().slice(0, 10)) : utcTime(at, days && (at % DAY_MS === 0 || out.length === 0)) });
  }
  return out;
}
