import "server-only";
import { lastForwarded, trustProxy } from "@/lib/auth/allowed-host";
/**
 * A fixed-window counter per key, in memory (one process serves everything). Enough to stop
 * password guessing and a runaway agent loop; the window and limit are per limiter.
 */
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Counts a hit; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now = Date.now()): number {
    let entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + this.windowMs };
      this.hits.set(key, entry);
      if (this.hits.size > 50_000) this.sweep(now);
    }
    entry.count++;
    return entry.count > this.limit ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  count(key: string, now = Date.now()): number {
    const e = this.hits.get(key);
    return e && e.resetAt > now ? e.count : 0;
  }

  /** Seconds until this key's window ends (at least 1 while it has hits). */
  retryAfter(key: string, now = Date.now()): number {
    const e = this.hits.get(key);
    return e && e.resetAt > now ? Math.max(1, Math.ceil((e.resetAt - now) / 1000)) : 0;
  }

  reset(key: string) {
    this.hits.delete(key);
  }

  private sweep(now: number) {
    for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
  }
}

export function clientIp(headers: { get(name: string): string | null | undefined }, remote?: string): string {
  // Behind a proxy the operator sets AGENTDESK_TRUST_PROXY=1; otherwise X-Forwarded-For is ignored
  // (spoofable). Its last entry is the address our proxy saw; earlier ones are the client's word.
  if (trustProxy()) {
    const forwarded = lastForwarded(headers.get("x-forwarded-for"));
    if (forwarded) return forwarded;
  }
  return remote ?? "local";
}
