// Live updates: N open event streams (bench/live-clients.ts, a separate process) on the real API
// (bench/api-server.ts: the same Hono app and LiveHub server.ts mounts), simulated agents writing
// for a soak, probe step updates timed from the agent's request to every stream, and the server's
// RSS sampled throughout.
import fs from "node:fs";
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { openDatabase, type Db } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import { createUser, startSession } from "@/lib/services";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { copyDatabase, prepareApiFixture, removeDatabase, type ApiFixture } from "./lib/prepare";
import { prepareApiFixturePg } from "./lib/prepare-pg";
import { backendPids, createDatabase, dropDatabase, pgPrefix, shownUrl, withApplicationName } from "./lib/pg";
import { cpuMs, rssMiB, sleep, startTs, type Child } from "./lib/proc";
import { quantile, round } from "./lib/stats";

export interface LiveOptions {
  sourceDb: string;
  streams: number;
  soakS: number;
  agents: number;
  /** Each simulated agent writes this often (ms). */
  agentIntervalMs: number;
  probeIntervalMs: number;
  /**
   * Seconds of agent traffic before the first probe (default 5). The first event through 200 fresh
   * streams pays once for V8 compiling the fan-out and the clients' parsing: 433 ms for the first
   * probe of a 30-s run, 14-77 ms for every later one.
   */
  probeWarmupS?: number;
  /**
   * On PostgreSQL: a copy of the loaded dataset (`template` on `cluster`) and `replicas` API server
   * processes on it. With 2, the streams are held by replica B and every agent (and the probe) writes
   * through replica A: each event reaches B through the database (LISTEN/NOTIFY wakes B's LiveHub).
   */
  pg?: { cluster: string; template: string; replicas: 1 | 2 };
  log: (s: string) => void;
}

export interface LiveResult {
  streams: number;
  opened: number;
  soakS: number;
  agents: number;
  writesPerSecond: number;
  probes: number;
  /** Seconds of agent traffic before the first probe (absent in older results: none). */
  probeWarmupS?: number;
  deliveries: number;
  expectedDeliveries: number;
  delivery: { p50: number; p95: number; p99: number; max: number };
  eventsPerStream: { min: number; max: number };
  streamErrors: number;
  rss: { startMiB: number; endMiB: number; maxMiB: number; slopeMiBPerMin: number; samples: [number, number][] };
  /** JS heap in use after a full collection (s, MiB) at a third, two thirds and the end of the soak; absent in older results. */
  heap?: { samples: [number, number][]; growthMiBPerMin: number } | null;
  serverCpuPercent: number | null;
  agentErrors: number;
  meetsTarget: boolean;
  /** Absent: SQLite. */
  engine?: "sqlite" | "postgres";
  /** PostgreSQL: server processes (the streams on the last one, the writes through the first). */
  replicas?: number;
  /** PostgreSQL: CPU of each replica (writer first), and of all their database backends, % of one core. */
  replicaCpuPercent?: (number | null)[];
  databaseCpuPercent?: number | null;
  database?: string;
}

/**
 * p99 delivery under a second, (nearly) every probe delivered to every stream, and memory flat: the
 * JS heap still in use after a full garbage collection grows by less than 1 MiB a minute from a
 * third of the soak to its end (what the server holds on to; a leak shows here). Results without
 * that figure are judged on RSS: after the first third, its least-squares trend grows by less than
 * 1 MiB a minute. RSS swings by a hundred MiB or more between collections under this load (old
 * space filling at 3 MiB/s, then a major collection), so its trend over ten minutes moves with where
 * the peaks fall (-2.7 and +16.7 MiB/min in two 10-minute runs).
 */
export function liveMeetsTarget(l: Pick<LiveResult, "delivery" | "deliveries" | "expectedDeliveries" | "rss" | "soakS" | "heap">): boolean {
  const memoryFlat = l.heap ? l.heap.growthMiBPerMin < 1 : l.rss.slopeMiBPerMin < 1;
  return l.delivery.p99 < 1000 && l.deliveries >= l.expectedDeliveries * 0.99 && (!memoryJudged(l) || memoryFlat);
}

/** Memory is judged on soaks of 5 minutes or more: in a short one (--quick) V8 and SQLite's caches are still growing to their working size. */
export const memoryJudged = (l: Pick<LiveResult, "soakS">) => l.soakS >= 300;

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / n;
  const my = points.reduce((a, p) => a + p[1], 0) / n;
  const num = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return den ? num / den : 0;
}

/** The people watching: one account, a session per stream (as many browsers). */
function sessionCookies(db: Db, streams: number): string[] {
  const sys = { db, actor: { kind: "system" as const, name: "bench" } };
  const user = createUser(sys, { email: `live-${Date.now()}@agentdesk.local`, name: "Live", role: "viewer", passwordHash: "scrypt$bench$not-a-real-hash-000" });
  const actor = { kind: "person" as const, id: user.id, email: user.email, name: user.name, role: user.role };
  return Array.from({ length: streams }, () => `${SESSION_COOKIE}=${startSession({ db, actor }, user.id).sessionId}`);
}

const serverEnv = (heapFile: string | null) => ({
  AGENTDESK_AGENT_RATE_LIMIT: "1000000000",
  AGENTDESK_MAX_EVENT_STREAMS: "1000000",
  NODE_ENV: "production",
  ...(heapFile ? { BENCH_HEAP_FILE: heapFile } : {}),
});
const serverNodeArgs = () => ["--expose-gc", ...(process.env.BENCH_LIVE_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_LIVE_PROFILE}`] : [])];

/** The soak on PostgreSQL: the fixture on a copy of the loaded dataset, then runLive's measurement with 1 or 2 replicas. */
async function runLivePg(o: LiveOptions, p: NonNullable<LiveOptions["pg"]>): Promise<LiveResult> {
  const name = `${pgPrefix()}_live`;
  o.log(`live: copying the PostgreSQL database ${p.template} → ${name}`);
  const url = await createDatabase(p.cluster, name, p.template);
  const replicas: Child[] = [];
  try {
    const steps = 10;
    const perAgentTasks = Math.ceil((o.soakS * 1000) / o.agentIntervalMs / (steps * 2)) + 2;
    const fx = await prepareApiFixturePg(url, { claimable: 0, workerTasks: perAgentTasks * Math.max(1, o.agents), servers: Math.max(1, o.agents) });
    const probesNeeded = Math.ceil((o.soakS * 1000) / o.probeIntervalMs / (steps * 2)) + 2;
    const probeTasks = Array.from({ length: probesNeeded }, (_, i) => `tsk_probe_${String(i).padStart(6, "0")}`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO tasks (id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, lease_expires_at, last_heartbeat_at, claimed_at, created_by, created_at, updated_at, version)
         SELECT 'tsk_probe_' || lpad(i::text, 6, '0'), instruction_id, 'P' || i, 'Probe task', '', type, assigned_agent, 'in_progress', priority, priority_rank, authority, '[]', '[]', '[]', 1, lease_expires_at, last_heartbeat_at, claimed_at, 'bench', created_at, updated_at, 1
         FROM tasks, generate_series(0, ${probesNeeded - 1}) AS i WHERE id = $1`,
        [fx.workerTasks[0][0]],
      );
      await c.query(
        `INSERT INTO task_steps (task_id, position, title, guidance, status, version) SELECT 'tsk_probe_' || lpad(i::text, 6, '0'), position, title, guidance, 'pending', 1 FROM task_steps, generate_series(0, ${probesNeeded - 1}) AS i WHERE task_id = $1`,
        [fx.workerTasks[0][0]],
      );
    } finally {
      await c.end();
    }
    const db = openPostgres(url);
    let cookies: string[];
    try {
      cookies = sessionCookies(db, o.streams);
    } finally {
      db.$engine.close();
    }
    const heapFile = path.join(os.tmpdir(), `agentdesk-bench-live-heap-${process.pid}.jsonl`);
    fs.rmSync(heapFile, { force: true });
    const app = (i: number) => `agentdesk-bench-live-${i}`;
    // Replica A (writes) on 3403, replica B (streams) on 3404; the heap is followed on the one holding the streams.
    for (let i = 0; i < p.replicas; i++) {
      const port = 3403 + i;
      replicas.push(
        await startTs("bench/api-server.ts", ["--url", withApplicationName(url, app(i)), "--port", String(port)], {
          ready: new RegExp(`ready ${port}`),
          stdoutFile: path.join(os.tmpdir(), `agentdesk-bench-live-server-${i}.log`),
          env: { ...serverEnv(i === p.replicas - 1 ? heapFile : null), AGENTDESK_REPLICA_ID: `bench-live-${i}` },
          nodeArgs: serverNodeArgs(),
        }),
      );
    }
    const dbCpu = async () => {
      let total = 0;
      for (let i = 0; i < p.replicas; i++) for (const pid of await backendPids(p.cluster, app(i))) total += cpuMs(pid) ?? 0;
      return total;
    };
    const r = await soak(o, {
      fx,
      probeTasks,
      cookies,
      writer: replicas[0],
      streams: replicas[replicas.length - 1],
      writeBase: "http://127.0.0.1:3403",
      streamBase: `http://127.0.0.1:${3403 + p.replicas - 1}`,
      heapFile,
      all: replicas,
      dbCpu,
    });
    return { ...r, engine: "postgres", replicas: p.replicas, database: `${shownUrl(url)} (from ${o.sourceDb})` };
  } finally {
    for (const r of replicas) await r.stop();
    await dropDatabase(p.cluster, name);
  }
}

export async function runLive(o: LiveOptions): Promise<LiveResult> {
  if (o.pg) return runLivePg(o, o.pg);
  const copy = path.join(path.dirname(o.sourceDb), `${path.basename(o.sourceDb, ".db")}.live.db`);
  o.log(`live: copying ${o.sourceDb} → ${copy}`);
  copyDatabase(o.sourceDb, copy);
  const db = openDatabase(copy);
  // Work for the simulated agents (held tasks with steps) and for the probes (tsk_probe_*).
  const steps = 10;
  const perAgentTasks = Math.ceil((o.soakS * 1000) / o.agentIntervalMs / (steps * 2)) + 2;
  const fx = prepareApiFixture(db, { claimable: 0, workerTasks: perAgentTasks * Math.max(1, o.agents), servers: Math.max(1, o.agents) });
  const probeTasks: string[] = [];
  const probesNeeded = Math.ceil((o.soakS * 1000) / o.probeIntervalMs / (steps * 2)) + 2;
  db.$client.transaction(() => {
    for (let i = 0; i < probesNeeded; i++) {
      const id = `tsk_probe_${String(i).padStart(6, "0")}`;
      db.$client
        .prepare(
          `INSERT INTO tasks (id, instruction_id, ref, title, description, type, assigned_agent, status, priority, priority_rank, authority, acceptance_criteria, files_to_modify, files_to_create, lease_token, lease_expires_at, last_heartbeat_at, claimed_at, created_by, created_at, updated_at, version)
        SELECT ?, instruction_id, ?, 'Probe task', '', type, assigned_agent, 'in_progress', priority, priority_rank, authority, '[]', '[]', '[]', 1, lease_expires_at, last_heartbeat_at, claimed_at, 'bench', created_at, updated_at, 1 FROM tasks WHERE id = ?`,
        )
        .run(id, `P${i}`, fx.workerTasks[0][0]);
      db.$client
        .prepare(`INSERT INTO task_steps (task_id, position, title, guidance, status, version) SELECT ?, position, title, guidance, 'pending', 1 FROM task_steps WHERE task_id = ?`)
        .run(id, fx.workerTasks[0][0]);
      probeTasks.push(id);
    }
  })();
  const cookies = sessionCookies(db, o.streams);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();

  const port = 3403;
  // Heap in use after a full collection, written by the server on SIGUSR2 (bench/api-server.ts).
  const heapFile = path.join(os.tmpdir(), `agentdesk-bench-live-heap-${process.pid}.jsonl`);
  fs.rmSync(heapFile, { force: true });
  const base = `http://127.0.0.1:${port}`;
  const server = await startTs("bench/api-server.ts", ["--db", copy, "--port", String(port)], {
    ready: new RegExp(`ready ${port}`),
    stdoutFile: path.join(os.tmpdir(), "agentdesk-bench-live-server.log"),
    // One account watches through every stream: lift the per-person cap on open streams.
    env: serverEnv(heapFile),
    nodeArgs: serverNodeArgs(),
  });
  try {
    return await soak(o, { fx, probeTasks, cookies, writer: server, streams: server, writeBase: base, streamBase: base, heapFile, all: [server] });
  } finally {
    await server.stop();
    removeDatabase(copy);
  }
}

/** Where the soak runs: the agents and the probe write through `writer`, the streams are held by `streams` (the same server on SQLite). */
interface SoakTarget {
  fx: ApiFixture;
  probeTasks: string[];
  cookies: string[];
  writer: Child;
  streams: Child;
  writeBase: string;
  streamBase: string;
  heapFile: string;
  /** Every server process, for the CPU figure. */
  all: Child[];
  /** PostgreSQL: CPU so far of the servers' database backends, ms. */
  dbCpu?: () => Promise<number>;
}

async function soak(o: LiveOptions, t: SoakTarget): Promise<LiveResult> {
  const { fx, probeTasks, cookies, heapFile } = t;
  const steps = 10;
  const server = t.streams;
  const base = t.writeBase;
  const clients = spawn(process.execPath, ["--import", "tsx", "bench/live-clients.ts", t.streamBase, String(o.streams), cookies.join(",")], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("the event streams did not all open in 60 s")), 60_000);
      clients.on("message", (m: { type: string }) => {
        if (m.type === "open") {
          clearTimeout(t);
          resolve();
        }
      });
      clients.on("exit", (code) => reject(new Error(`live-clients exited with ${code}`)));
    });
    o.log(`live: ${o.streams} streams open; soak ${o.soakS} s with ${o.agents} agents writing every ${o.agentIntervalMs} ms`);

    const auth = { authorization: `Bearer ${fx.tokens.worker}`, "content-type": "application/json" };
    let stop = false;
    let writes = 0;
    let agentErrors = 0;
    const post = async (p: string, body: unknown) => {
      const res = await fetch(base + p, { method: "POST", headers: auth, body: JSON.stringify(body) });
      await res.arrayBuffer();
      if (!res.ok) agentErrors++;
      return res;
    };
    // A simulated agent: walks its tasks' steps (in_progress, done), a heartbeat and a message now and then.
    const agent = async (k: number) => {
      const mine = fx.workerTasks[k];
      let n = 0;
      while (!stop) {
        const task = mine[Math.floor(n / (steps * 2)) % mine.length];
        const pos = 1 + (Math.floor(n / 2) % steps);
        const started = Date.now();
        try {
          await post(`/api/v1/tasks/${task}/steps/${pos}`, { status: n % 2 ? "done" : "in_progress" });
          if (n % 10 === 5) await post(`/api/v1/tasks/${task}/heartbeat`, {});
          if (n % 10 === 9) await post("/api/v1/messages", { to: "hitl", type: "status_update", subject: `Progress on ${task}`, body: `Step ${pos} done; moving on.`, taskId: task });
        } catch {
          agentErrors++;
        }
        writes++;
        n++;
        await sleep(Math.max(0, o.agentIntervalMs - (Date.now() - started)));
      }
    };
    // Probes: a step update on a probe task; its send time goes to the clients, who time each arrival.
    let probes = 0;
    const probe = async () => {
      let n = 0;
      const warmUntil = Date.now() + (o.probeWarmupS ?? 5) * 1000;
      while (!stop && Date.now() < warmUntil) await sleep(100);
      while (!stop) {
        const task = probeTasks[Math.floor(n / (steps * 2)) % probeTasks.length];
        const pos = 1 + (Math.floor(n / 2) % steps);
        const status = n % 2 ? "done" : "in_progress";
        const t = performance.timeOrigin + performance.now();
        clients.send({ type: "sent", key: `step.${status}|${task}#${pos}`, t });
        await post(`/api/v1/tasks/${task}/steps/${pos}`, { status });
        probes++;
        n++;
        await sleep(o.probeIntervalMs);
      }
    };

    const rss: [number, number][] = [];
    const t0 = Date.now();
    const cpusNow = () => t.all.map((c) => cpuMs(c.pid));
    const cpu0 = cpusNow();
    const db0 = t.dbCpu ? await t.dbCpu() : null;
    rss.push([0, rssMiB(server.pid) ?? NaN]);
    const sampler = setInterval(() => rss.push([(Date.now() - t0) / 1000, rssMiB(server.pid) ?? NaN]), 5000);
    const loops = [...Array.from({ length: o.agents }, (_, k) => agent(k)), probe()];
    let lastLog = Date.now();
    // Full collections at a third, two thirds and the end of the soak, with the traffic running. Only
    // on soaks long enough to be judged on memory: each pauses the server once (about 0.1 s), which
    // in a 30-s run is a tenth of the probes.
    const heapAt = memoryJudged(o) ? [1 / 3, 2 / 3, 1].map((f) => Math.max(1, Math.round(o.soakS * f) - 1) * 1000) : [];
    while (Date.now() - t0 < o.soakS * 1000) {
      await sleep(1000);
      if (heapAt.length && Date.now() - t0 >= heapAt[0]) {
        heapAt.shift();
        process.kill(server.pid!, "SIGUSR2");
      }
      if (Date.now() - lastLog >= 60_000) {
        lastLog = Date.now();
        o.log(`live: ${Math.round((Date.now() - t0) / 1000)} s, ${writes} agent writes, ${probes} probes, server RSS ${rssMiB(server.pid)?.toFixed(0)} MiB`);
      }
    }
    stop = true;
    await Promise.all(loops);
    clearInterval(sampler);
    const elapsed = (Date.now() - t0) / 1000;
    const cpu1 = cpusNow();
    const db1 = t.dbCpu ? await t.dbCpu() : null;
    const percent = (a: number | null, b: number | null) => (a !== null && b !== null ? round(((b - a) / (elapsed * 1000)) * 100, 0) : null);
    const perServer = cpu0.map((a, i) => percent(a, cpu1[i]));
    rss.push([elapsed, rssMiB(server.pid) ?? NaN]);
    await sleep(2000);
    const report = await new Promise<{ latencies: number[]; counts: number[]; errors: number; opened: number; unmatched: number }>((resolve) => {
      clients.once("message", (m) => resolve(m as never));
      clients.send({ type: "report" });
    });
    const heapSamples = fs.existsSync(heapFile)
      ? fs
          .readFileSync(heapFile, "utf8")
          .trim()
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { at: number; gc: boolean; heapUsed: number })
      : [];
    fs.rmSync(heapFile, { force: true });
    const heap =
      heapSamples.length >= 2 && heapSamples.every((h) => h.gc)
        ? {
            samples: heapSamples.map((h) => [round((h.at - t0) / 1000, 0), round(h.heapUsed / 2 ** 20, 1)] as [number, number]),
            growthMiBPerMin: round((heapSamples[heapSamples.length - 1].heapUsed - heapSamples[0].heapUsed) / 2 ** 20 / ((heapSamples[heapSamples.length - 1].at - heapSamples[0].at) / 60_000), 2),
          }
        : null;
    const lat = report.latencies.sort((a, b) => a - b);
    const steady = rss.filter(([t]) => t >= elapsed / 3);
    const delivery = { p50: round(quantile(lat, 0.5)), p95: round(quantile(lat, 0.95)), p99: round(quantile(lat, 0.99)), max: round(lat[lat.length - 1] ?? NaN) };
    const rssOut = {
      startMiB: round(rss[0][1], 1),
      endMiB: round(rss[rss.length - 1][1], 1),
      maxMiB: round(Math.max(...rss.map((r) => r[1])), 1),
      slopeMiBPerMin: round(slope(steady) * 60, 2),
      samples: rss.map(([t, m]) => [round(t, 0), round(m, 1)] as [number, number]),
    };
    const result: LiveResult = {
      streams: o.streams,
      opened: report.opened,
      soakS: round(elapsed, 0),
      agents: o.agents,
      writesPerSecond: round(writes / elapsed, 1),
      probes,
      probeWarmupS: o.probeWarmupS ?? 5,
      deliveries: lat.length,
      expectedDeliveries: probes * o.streams,
      delivery,
      eventsPerStream: { min: Math.min(...report.counts), max: Math.max(...report.counts) },
      streamErrors: report.errors,
      rss: rssOut,
      heap,
      serverCpuPercent: perServer.some((x) => x === null) ? null : (perServer as number[]).reduce((a, b) => a + b, 0),
      ...(t.dbCpu ? { replicaCpuPercent: perServer, databaseCpuPercent: percent(db0, db1) } : {}),
      agentErrors,
      meetsTarget: false,
    };
    result.meetsTarget = liveMeetsTarget(result);
    o.log(
      `live: delivery p50 ${delivery.p50} ms p99 ${delivery.p99} ms over ${lat.length}/${probes * o.streams}; RSS ${rssOut.startMiB} → ${rssOut.endMiB} MiB (max ${rssOut.maxMiB}, ${rssOut.slopeMiBPerMin} MiB/min after the first third); heap after full GC ${heap ? `${heap.samples.map(([t, m]) => `${t} s: ${m}`).join(", ")} MiB (${heap.growthMiBPerMin} MiB/min)` : "not measured"}`,
    );
    return result;
  } finally {
    if (clients.exitCode === null) clients.kill("SIGTERM");
  }
}
