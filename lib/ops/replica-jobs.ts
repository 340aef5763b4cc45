import "server-only";
import type { Db } from "@/db/client";
import type { Handle } from "@/db/engine";
import { systemActor } from "@/lib/auth/actor";
import type { Logger } from "@/lib/log";
import type { Mirror } from "@/lib/protocol";
import type { RunSupervisor } from "@/lib/runners";
import { sweepLeases } from "@/lib/services";
import { holdsLease, LeaseKeeper, replicaIdFromEnv } from "@/lib/services/leases";
import type { WebhookWorker } from "./webhooks";

export interface ReplicaJobsOptions {
  db: Db;
  log: Logger;
  /** This process's name as a lease holder (default replicaIdFromEnv()). */
  replica?: string;
  /** Run launches: started (recovering lost runs) on taking the `runs` lease, shut down on losing it. */
  runs?: RunSupervisor;
  /** Webhook deliveries: started on taking the `webhooks` lease, stopped on losing it. */
  webhooks?: WebhookWorker;
  /** The folder mirror's start (null when none is configured): called on taking the `mirror` lease. */
  mirror?: (() => Promise<Mirror | null>) | null;
  /** How often the holder of `sweeper` sweeps the tasks' leases (AGENTDESK_SWEEP_MS, default 30 s). */
  sweepMs?: number;
  ttlMs?: number;
  renewMs?: number;
}

export interface ReplicaJobs {
  readonly replica: string;
  readonly leases: LeaseKeeper;
  /** Takes the leases it can (every one on SQLite) and starts their jobs; renews from then on. */
  start(): void;
  /** Stops renewing and every job this replica runs, then gives the leases back (graceful shutdown). */
  stop(): Promise<void>;
  /** Gives the leases back now (the last step before the database closes; idempotent). */
  release(): void;
}

/**
 * The jobs that run once across server replicas on one database (docs/replicas.md): the task-lease
 * sweeper, the folder mirror, run launches and webhook deliveries, each on the replica holding its
 * lease (lib/services/leases.ts), moved to another replica when that one dies. server.ts runs it;
 * so do the replica tests' worker processes.
 */
export function startReplicaJobs(opts: ReplicaJobsOptions): ReplicaJobs {
  const { db, log } = opts;
  const replica = opts.replica ?? replicaIdFromEnv();
  const leases = new LeaseKeeper({ db, holder: replica, ttlMs: opts.ttlMs, renewMs: opts.renewMs, onError: (err, lease) => log.error({ err, lease }, "lease renewal failed") });
  const gained = (lease: string, token: number) => log.info({ lease, token, replica }, "this replica now runs a job");
  const lost = (lease: string) => log.warn({ lease, replica }, "this replica no longer runs a job (another replica holds it)");

  // Leases: remind quiet agents and take their work back after the grace period.
  leases.hold("sweeper", { onGain: (t) => gained("sweeper", t), onLose: () => lost("sweeper") });
  const fenced = (lease: string, h: Handle = db) => {
    const token = leases.token(lease);
    // Held by this replica's own reckoning, and still by the database's (the fencing token).
    return token !== null && holdsLease(h, lease, replica, token);
  };
  const sweeper = setInterval(() => {
    if (!leases.holds("sweeper") || !db.$engine.open) return;
    try {
      if (!fenced("sweeper")) return;
      const r = sweepLeases({ db, actor: systemActor("lease-sweeper") });
      if (r.reminded || r.recovered) log.info({ ...r, replica }, "leases swept");
    } catch (err) {
      log.error({ err }, "lease sweep failed");
    }
  }, opts.sweepMs ?? 30_000);
  sweeper.unref();

  const runs = opts.runs;
  let runsStopping: Promise<void> = Promise.resolve();
  if (runs) {
    leases.hold("runs", {
      onGain: (t) => {
        gained("runs", t);
        // Runs the previous holder left running are recovered (finished as lost) on takeover.
        runsStopping.then(() => runs.start()).catch((err: unknown) => log.error({ err }, "could not start the run supervisor"));
      },
      onLose: () => {
        lost("runs");
        runsStopping = runs.shutdown("another server replica took over running agents", { keepRegistered: true });
      },
    });
  }

  const webhooks = opts.webhooks;
  let webhooksStopping: Promise<void> = Promise.resolve();
  if (webhooks) {
    webhooks.fence = (h) => fenced("webhooks", h);
    leases.hold("webhooks", {
      onGain: (t) => {
        gained("webhooks", t);
        webhooksStopping.then(() => webhooks.start()).catch((err: unknown) => log.error({ err }, "could not start the webhook worker"));
      },
      onLose: () => {
        lost("webhooks");
        webhooksStopping = webhooks.stop();
      },
    });
  }

  const startMirror = opts.mirror;
  let mirror: Promise<Mirror | null> = Promise.resolve(null);
  if (startMirror) {
    leases.hold("mirror", {
      onGain: (t) => {
        gained("mirror", t);
        mirror = mirror.then((m) =>
          m
            ? m
            : startMirror().catch((err: unknown) => {
                log.error({ err }, "could not start the folder bridge");
                return null;
              }),
        );
      },
      onLose: () => {
        lost("mirror");
        mirror = mirror
          .then((m) => m?.stop())
          .then(
            () => null,
            (err: unknown) => {
              log.error({ err }, "could not stop the folder bridge");
              return null;
            },
          );
      },
    });
  }

  return {
    replica,
    leases,
    start: () => void leases.start(),
    stop: async () => {
      clearInterval(sweeper);
      leases.pause();
      // Waited for (within the drain time) before the database closes: runner children exit first.
      await Promise.all([mirror.then((m) => m?.stop()), runs?.shutdown(), webhooks?.stop()]);
      // Then the leases go back, so another replica takes the jobs over at its next renewal.
      leases.stop();
    },
    release: () => {
      clearInterval(sweeper);
      leases.stop();
    },
  };
}
