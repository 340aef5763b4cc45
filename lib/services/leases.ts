import "server-only";
import os from "node:os";
import { randomBytes } from "node:crypto";
import { and, eq, gt, sql } from "drizzle-orm";
import { leases, runs } from "@/db/schema";
import { dialect, type Handle } from "@/db/engine";
import type { ServiceContext } from "./context";

/*
 * Replica-wide job leases (docs/replicas.md): which server process runs the task-lease sweeper, the
 * folder mirror, run launches and webhook deliveries, so that several replicas on one database run
 * each of them once, and another replica takes a job over when its holder dies. Not to be confused
 * with the tasks' leases (lib/services/tasks), which are an agent's hold on its task.
 *
 * A lease is a row (name, holder, token, expires_at). Its holder renews it every LEASE_RENEW_MS for
 * LEASE_TTL_MS, read against the database's clock (so the replicas' clocks do not matter). Another
 * replica may take it once it has expired; each change of holder adds one to `token` (a fencing
 * token: a job that checks it in its own transaction never acts on a lease it lost). A holder that
 * stops gracefully releases its leases (expires_at = 0), so another takes over at its next renew.
 */

/** How long a lease holds without renewal. */
export const LEASE_TTL_MS = 15_000;
/** How often a holder renews (and a replica without it tries to take it). */
export const LEASE_RENEW_MS = 5_000;

/**
 * This process's name as a lease holder: AGENTDESK_REPLICA_ID (unique per process), else
 * hostname:pid:random, different at every start.
 */
export function replicaIdFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const id = env.AGENTDESK_REPLICA_ID?.trim();
  return id || `${os.hostname()}:${process.pid}:${randomBytes(2).toString("hex")}`;
}

/**
 * Takes the lease `name` for `holder`, or renews it, for `ttlMs` from the database's now. One
 * statement, so of two replicas trying at once one gets it. Returns the fencing token, or null when
 * another holder has it and it has not expired.
 */
export function acquireLease(db: Handle, name: string, holder: string, ttlMs = LEASE_TTL_MS): number | null {
  const now = dialect(db).nowMs();
  const until = sql`${now} + ${dialect(db).int(ttlMs)}`;
  const row = db
    .insert(leases)
    .values({ name, holder, token: 1, expiresAt: until })
    .onConflictDoUpdate({
      target: leases.name,
      set: { holder, expiresAt: until, token: sql`CASE WHEN ${leases.holder} = ${holder} THEN ${leases.token} ELSE ${leases.token} + 1 END` },
      setWhere: sql`${leases.holder} = ${holder} OR ${leases.expiresAt} < ${now}`,
    })
    .returning({ token: leases.token })
    .get();
  return row?.token ?? null;
}

/** Gives the lease up now (a graceful stop): another replica takes it at its next try. */
export function releaseLease(db: Handle, name: string, holder: string): boolean {
  return (
    db
      .update(leases)
      .set({ expiresAt: 0 })
      .where(and(eq(leases.name, name), eq(leases.holder, holder)))
      .run().changes > 0
  );
}

/**
 * The fence: true when `holder` still holds `name` with `token`, unexpired. A job calls it in its
 * own transaction before acting (two holders never act at once, even across a long pause).
 */
export function holdsLease(h: Handle, name: string, holder: string, token: number): boolean {
  return !!h
    .select({ token: leases.token })
    .from(leases)
    .where(and(eq(leases.name, name), eq(leases.holder, holder), eq(leases.token, token), gt(leases.expiresAt, dialect(h).nowMs())))
    .get();
}

/** Who holds what (operations, tests). */
export function listLeases(db: Handle): { name: string; holder: string; token: number; expiresAt: number; held: boolean }[] {
  return db
    .select({ name: leases.name, holder: leases.holder, token: leases.token, expiresAt: leases.expiresAt, held: sql<number>`CASE WHEN ${leases.expiresAt} > ${dialect(db).nowMs()} THEN 1 ELSE 0 END` })
    .from(leases)
    .orderBy(leases.name)
    .all()
    .map((r) => ({ ...r, held: Number(r.held) === 1 }));
}

/** Records which replica launched a run (runs.launched_by, for the operator; recover() goes by its own children). */
export function markRunLauncher(ctx: Pick<ServiceContext, "db">, runId: string, replica: string): void {
  ctx.db.update(runs).set({ launchedBy: replica }).where(eq(runs.id, runId)).run();
}

export interface LeaseHandlers {
  /** This replica now holds the lease (a fresh `token` after another holder, or after it lost it). */
  onGain(token: number): void;
  /** This replica no longer holds it (taken by another, expired while the database was out of reach, or released). */
  onLose(): void;
}

export interface LeaseKeeperOptions {
  db: Handle;
  /** This replica's name as a holder (replicaIdFromEnv). */
  holder: string;
  ttlMs?: number;
  renewMs?: number;
  /** Told when a renewal fails (the database out of reach): the lease is kept until it would have expired. */
  onError?: (err: unknown, name: string) => void;
}

/**
 * Keeps this replica's leases: tries every lease it was asked to hold every `renewMs`, and tells each
 * lease's handlers when it gains or loses it. On SQLite, where one server runs, it simply takes every
 * lease at start and keeps it.
 */
export class LeaseKeeper {
  readonly holder: string;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private wanted = new Map<string, LeaseHandlers>();
  /** Held leases: their token, and until when (this process's monotonic clock) they hold without a renewal. */
  private held = new Map<string, { token: number; validUntil: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: LeaseKeeperOptions) {
    this.holder = opts.holder;
    this.ttlMs = opts.ttlMs ?? LEASE_TTL_MS;
    this.renewMs = opts.renewMs ?? LEASE_RENEW_MS;
  }

  /** Asks for a lease; its handlers are called from the next renewal on. */
  hold(name: string, handlers: LeaseHandlers): this {
    this.wanted.set(name, handlers);
    return this;
  }

  /** The fencing token of a lease this replica holds now, or null. */
  token(name: string): number | null {
    const h = this.held.get(name);
    return h && performance.now() < h.validUntil ? h.token : null;
  }

  holds(name: string): boolean {
    return this.token(name) !== null;
  }

  /** Takes (or tries) every lease now, then every renewMs. */
  start(): this {
    if (this.timer) return this;
    this.renew();
    this.timer = setInterval(() => this.renew(), this.renewMs);
    this.timer.unref();
    return this;
  }

  /** One round: renews what is held, takes what has become free. */
  renew(): void {
    for (const [name, handlers] of this.wanted) {
      const before = this.held.get(name);
      const started = performance.now();
      let token: number | null;
      try {
        token = acquireLease(this.opts.db, name, this.holder, this.ttlMs);
      } catch (err) {
        this.opts.onError?.(err, name);
        // Out of reach: it holds until it would have expired (less a renewal period, so the next holder never overlaps).
        if (before && performance.now() >= before.validUntil) this.lose(name, handlers);
        continue;
      }
      if (token === null) {
        if (before) this.lose(name, handlers);
        continue;
      }
      // Valid for the TTL from when we asked, less one renewal period of margin for clock drift between us and the database.
      const validUntil = started + this.ttlMs - this.renewMs;
      if (before && before.token === token) {
        before.validUntil = validUntil;
        continue;
      }
      if (before) this.lose(name, handlers);
      this.held.set(name, { token, validUntil });
      try {
        handlers.onGain(token);
      } catch (err) {
        this.opts.onError?.(err, name);
      }
    }
  }

  private lose(name: string, handlers: LeaseHandlers) {
    this.held.delete(name);
    try {
      handlers.onLose();
    } catch (err) {
      this.opts.onError?.(err, name);
    }
  }

  /** Stops renewing, keeping what is held until it expires (a shutdown, while the jobs stop). */
  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /**
   * Stops renewing and gives every held lease back (expires_at = 0) so another replica takes over at
   * its next renewal. The jobs are stopped by their owner (server.ts's shutdown), not told here.
   */
  stop(): void {
    this.pause();
    for (const name of this.held.keys()) {
      try {
        releaseLease(this.opts.db, name, this.holder);
      } catch (err) {
        this.opts.onError?.(err, name);
      }
    }
    this.held.clear();
  }
}
