import { spawn, type ChildProcess } from "node:child_process";
import { openPostgres } from "@/db/engine/pg";
import type { Db } from "@/db/engine";
import { loadAgentDefinitions } from "@/lib/agents";
import { syncAgents } from "@/lib/services";
import path from "node:path";
import { createTestDatabase, databaseUrl, dropTestDatabase } from "./pg";
import { system } from "./db";

/**
 * Server replicas for the replica tests (test/replicas*.pg.test.ts): a fresh PostgreSQL database
 * copied from the run's template, and server processes on it (test/replicas-worker.ts: the API and
 * the lease-held jobs, as server.ts runs them). Their JSON log lines are kept for the tests to read.
 */

export interface Replica {
  id: string;
  url: string;
  /** Every log line it printed so far. */
  lines: Record<string, unknown>[];
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Log lines with this message (and, if given, these fields). */
  logged(msg: string, fields?: Record<string, unknown>): Record<string, unknown>[];
}

export function replicaDatabase(): { url: string; db: Db; drop: () => void } {
  const name = createTestDatabase();
  const url = databaseUrl(name);
  const db = openPostgres(url, { migrate: false });
  const { agents } = loadAgentDefinitions([path.join(process.cwd(), "agents")]);
  syncAgents({ db, actor: system }, agents);
  return {
    url,
    db,
    drop: () => {
      db.$engine.close();
      dropTestDatabase(name);
    },
  };
}

/** Starts a replica on the database; resolves once it listens. Short leases (TTL, renewal) so takeovers fit in a test. */
export function startReplica(id: string, databaseUrl: string, lease = { ttlMs: 3000, renewMs: 1000 }): Promise<Replica> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/replicas-worker.ts", String(lease.ttlMs), String(lease.renewMs)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, DATABASE_URL: databaseUrl, AGENTDESK_REPLICA_ID: id, LOG_LEVEL: "info", AGENTDESK_AGENT_RATE_LIMIT: "100000", AGENTDESK_SWEEP_MS: "200" },
  });
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let buf = "";
    let ready = false;
    child.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let v: Record<string, unknown>;
        try {
          v = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (!ready && typeof v.port === "number" && v.msg === undefined) {
          ready = true;
          resolve({
            id,
            url: `http://127.0.0.1:${v.port}`,
            lines,
            child,
            exited,
            logged: (msg, fields = {}) => lines.filter((l) => l.msg === msg && Object.entries(fields).every(([k, x]) => l[k] === x)),
          });
        } else lines.push(v);
      }
    });
    child.once("exit", (code) => {
      if (!ready) reject(new Error(`replica ${id} exited (${code}) before it listened: ${JSON.stringify(lines.slice(-5))}`));
    });
  });
}

/** Ends a replica gracefully (SIGTERM) and waits for it. */
export async function stopReplica(r: Replica): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGTERM");
  await r.exited;
}

/** Waits until `check` returns something truthy (polling every 25 ms), or fails after `ms`. */
export async function until<T>(check: () => T | false | null | undefined, ms = 10_000, what = "the condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
