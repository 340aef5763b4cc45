/** Pure formatting helpers, usable on the server and the client. */

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** "just now", "3 min ago", "2 h ago", "5 d ago", then a date; future times read "in 4 min". */
export function formatRelative(iso: string | number | Date, now: number = Date.now()): string {
  const t = typeof iso === "number" ? iso : new Date(iso).getTime();
  if (!Number.isFinite(t)) return "";
  const diff = now - t;
  const abs = Math.abs(diff);
  const future = diff < 0;
  const wrap = (s: string) => (future ? `in ${s}` : `${s} ago`);
  // Clocks drift and shared tickers lag by a few seconds: a time just ahead of "now" is "just now".
  if (abs < 45_000 || (future && abs < 90_000)) return future && abs >= 45_000 ? "in a moment" : "just now";
  if (abs < HOUR) return wrap(`${Math.max(1, Math.round(abs / MIN))} min`);
  if (abs < DAY) return wrap(`${Math.round(abs / HOUR)} h`);
  if (abs < 30 * DAY) return wrap(`${Math.round(abs / DAY)} d`);
  return new Date(t).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** Exact local date and time, for titles. */
export function formatExact(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** A duration as "40 s", "12m", "1h 05m", "2d 3h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < MIN) return `${Math.max(0, Math.floor(ms / 1000))}s`;
  if (ms < HOUR) return `${Math.floor(ms / MIN)}m`;
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    const m = Math.floor((ms % HOUR) / MIN);
    return `${h}h ${String(m).padStart(2, "0")}m`;
  }
  const d = Math.floor(ms / DAY);
  const h = Math.floor((ms % DAY) / HOUR);
  return `${d}d ${h}h`;
}

/** Tokens in short: "950", "12.3k", "1.2M". */
export function formatTokenCount(n: number): string {
  if (!Number.isFinite(n)) return "";
  const abs = Math.abs(n);
  const short = (v: number, unit: string) => `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${unit}`;
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1_000_000) return short(n / 1000, "k");
  if (abs < 1_000_000_000) return short(n / 1_000_000, "M");
  return short(n / 1_000_000_000, "B");
}

/** A cost in dollars: "$0.0123" under a dollar (to the hundredth of a cent), "$12.34" above, "$1,234" from a thousand. */
export function formatUsd(usd: number): string {
  if (!Number.isFinite(usd)) return "";
  if (Math.abs(usd) < 1) return `$${usd.toFixed(4)}`;
  if (Math.abs(usd) < 1000) return `$${usd.toFixed(2)}`;
  return `$${Math.round(usd).toLocaleString("en-US")}`;
}

/** Every token of a usage: input, output and both cache kinds. */
export const totalTokens = (u: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }) =>
  u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheCreationTokens;

/** "12.3k in · 4.1k out · 200k cache read · 8k cache write" (zero cache counts left out). */
export function usageSummary(u: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }): string {
  const parts = [`${formatTokenCount(u.inputTokens)} in`, `${formatTokenCount(u.outputTokens)} out`];
  if (u.cacheReadTokens) parts.push(`${formatTokenCount(u.cacheReadTokens)} cache read`);
  if (u.cacheCreationTokens) parts.push(`${formatTokenCount(u.cacheCreationTokens)} cache write`);
  return parts.join(" · ");
}
