import "server-only";
import { eq, lte, sql } from "drizzle-orm";
import { authThrottle } from "@/db/schema";
import type { Handle } from "@/db/engine";

/**
 * Fixed-window counters kept in the database (auth_throttle), for the sign-in throttles: they must
 * hold whichever server replica a sign-in reaches (docs/replicas.md). The same methods as the
 * in-memory RateLimiter (lib/http/middleware/rate-limit.ts) once bound to a database with `on(db)`.
 * Sign-ins are rare: a write per attempt costs nothing that matters. Each limiter's keys carry its
 * name, so several share the table.
 */
export class DbRateLimiter {
  private hits = 0;
  constructor(
    readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** The limiter's methods on one database. */
  on(db: Handle) {
    return {
      hit: (key: string, now = Date.now()) => this.hit(db, key, now),
      count: (key: string, now = Date.now()) => this.count(db, key, now),
      retryAfter: (key: string, now = Date.now()) => this.retryAfter(db, key, now),
      reset: (key: string) => this.reset(db, key),
    };
  }

  private key(key: string) {
    return `${this.name}:${key}`;
  }

  /** Counts a hit (one statement: two replicas counting at once both count); returns the seconds to wait when over the limit, else 0. */
  hit(db: Handle, key: string, now = Date.now()): number {
    const expired = sql`${authThrottle.resetAt} <= ${now}`;
    const row = db
      .insert(authThrottle)
      .values({ key: this.key(key), count: 1, resetAt: now + this.windowMs })
      .onConflictDoUpdate({
        target: authThrottle.key,
        set: {
          count: sql`CASE WHEN ${expired} THEN 1 ELSE ${authThrottle.count} + 1 END`,
          resetAt: sql`CASE WHEN ${expired} THEN ${now + this.windowMs} ELSE ${authThrottle.resetAt} END`,
        },
      })
      .returning({ count: authThrottle.count, resetAt: authThrottle.resetAt })
      .get()!;
    // Now and then, windows long over go (every limiter's: they are all past).
    if (++this.hits % 100 === 0) db.delete(authThrottle).where(lte(authThrottle.resetAt, now)).run();
    return row.count > this.limit ? Math.max(1, Math.ceil((row.resetAt - now) / 1000)) : 0;
  }

  private current(db: Handle, key: string, now: number) {
    const row = db
      .select({ count: authThrottle.count, resetAt: authThrottle.resetAt })
      .from(authThrottle)
      .where(eq(authThrottle.key, this.key(key)))
      .get();
    return row && row.resetAt > now ? row : null;
  }

  count(db: Handle, key: string, now = Date.now()): number {
    return this.current(db, key, now)?.count ?? 0;
  }

  /** Seconds until this key's window ends (at least 1 while it has hits). */
  retryAfter(db: Handle, key: string, now = Date.now()): number {
    const row = this.current(db, key, now);
    return row ? Math.max(1, Math.ceil((row.resetAt - now) / 1000)) : 0;
  }

  reset(db: Handle, key: string): void {
    db.delete(authThrottle)
      .where(eq(authThrottle.key, this.key(key)))
      .run();
  }
}
