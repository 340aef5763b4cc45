import "server-only";
import type { Actor } from "@/lib/auth/actor";
import type { ServiceContext } from "../context";

// Who a credential belongs to, remembered for a few seconds: every agent request authenticates, and
// the lookup (a hash, a join, row mapping) was a tenth of a heartbeat's CPU. Any change to tokens,
// users or sessions made through the service verbs in this process (revoke, delete, sign out...)
// drops every entry at once (writeTx calls invalidateAuthCache). A commit by another process (the
// CLI revoking a token on the same file, another replica on PostgreSQL) changes the engine's change
// version (SQLite's `data_version`; on PostgreSQL the access epoch row, db/engine), which is read at
// most once a millisecond (checkOtherWriters), so a revocation anywhere takes effect within a
// millisecond (on PostgreSQL within two: the engine keeps the epoch it read for a millisecond too,
// for all its callers).
// Expiry is checked on every hit.
export const AUTH_CACHE_MS = 5_000;
interface CachedAuth {
  actor: Actor;
  epoch: number;
  checkedAt: number;
  expiresAt: number | null;
  lastUsedAt: number;
  touch: (now: number) => void;
}
const authKey = Symbol.for("agentdesk.auth-cache");
type G = typeof globalThis & { [authKey]?: { epoch: number; byDb: WeakMap<object, Map<string, CachedAuth>>; versions: WeakMap<object, number> } };
function authState() {
  // On globalThis: Next evaluates this module once per bundle, and the invalidation must reach them all.
  const g = globalThis as G;
  return (g[authKey] ??= { epoch: 0, byDb: new WeakMap(), versions: new WeakMap() });
}
function cacheFor(db: ServiceContext["db"]): Map<string, CachedAuth> {
  const st = authState();
  const key = db.$engine ?? db;
  let m = st.byDb.get(key);
  if (!m) st.byDb.set(key, (m = new Map()));
  return m;
}

/** Forgets every remembered credential (called when tokens, users or sessions change). */
export function invalidateAuthCache(): void {
  authState().epoch++;
}

// When the change version was last read, per connection: it is read at most once a millisecond. Reading
// it starts a read transaction (file-lock system calls), 10-25 µs under load, a tenth of an agent
// heartbeat at 5,000 requests a second (docs/benchmarks.md). A revocation committed by another
// process is therefore seen by requests that start at most 1 ms after its commit (2 ms on PostgreSQL,
// whose engine shares one read of its access epoch for a millisecond: db/engine/pg.ts changeVersion).
export const OTHER_WRITERS_CHECK_MS = 1;
const lastCheck = new WeakMap<object, number>();

/** Drops the cache when another connection committed since we last looked. */
function checkOtherWriters(db: ServiceContext["db"]) {
  const engine = db.$engine;
  if (!engine?.open) return;
  const now = performance.now();
  const last = lastCheck.get(engine);
  if (last !== undefined && now - last < OTHER_WRITERS_CHECK_MS) return;
  lastCheck.set(engine, now);
  const st = authState();
  const version = engine.changeVersion();
  const seen = st.versions.get(engine);
  if (seen !== undefined && seen !== version) st.epoch++;
  st.versions.set(engine, version);
}

export function remembered(db: ServiceContext["db"], key: string, now: number): Actor | null | undefined {
  checkOtherWriters(db);
  const hit = cacheFor(db).get(key);
  if (!hit) return undefined;
  if (hit.epoch !== authState().epoch || now - hit.checkedAt > AUTH_CACHE_MS || now < hit.checkedAt) return undefined;
  if (hit.expiresAt !== null && hit.expiresAt <= now) return null;
  if (now - hit.lastUsedAt > 60_000) {
    hit.lastUsedAt = now;
    hit.touch(now);
  }
  return hit.actor;
}

export function remember(db: ServiceContext["db"], key: string, entry: Omit<CachedAuth, "epoch">) {
  checkOtherWriters(db);
  const m = cacheFor(db);
  if (m.size >= 10_000) m.clear();
  m.set(key, { ...entry, epoch: authState().epoch });
}
