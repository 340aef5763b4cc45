// Agent API throughput: the real API (bench/api-server.ts) against a bare node:http server running
// the same SQL (bench/baseline-server.ts), both on one copy of the dataset, with autocannon.
import os from "node:os";
import path from "node:path";
import autocannon, { type RequestSpec, type Result } from "autocannon";
import { openDatabase } from "@/db/client";
import { copyDatabase, prepareApiFixture, removeDatabase, READER, CLAIMER, WORKER, type ApiFixture } from "./lib/prepare";
import { cpuMs, cpuMsTree, rssMiB, rssMiBTree, sleep, startTs, type Child } from "./lib/proc";
import { backendPids, createDatabase, dropDatabase, pgPrefix, shownUrl, withApplicationName } from "./lib/pg";
import { prepareApiFixturePg } from "./lib/prepare-pg";
import { paced } from "./lib/paced";
import { round } from "./lib/stats";

export interface ApiOptions {
  sourceDb: string;
  connections: number;
  /** Seconds per round; each operation is measured in `rounds` rounds per server, alternating. */
  durationS: number;
  rounds: number;
  /** The first pass over every operation on both servers (seconds per operation and server: half of this). */
  warmupS: number;
  /** Warm-up of each operation again just before its rounds (default: warmupS; 0 skips it). */
  opWarmupS?: number;
  /** Seconds of the paced pass per server (default: twice durationS, at least 2). */
  pacedS?: number;
  /** Pause before each paced pass and before each round, ms (defaults 1000 and 200). */
  pacedPauseMs?: number;
  roundPauseMs?: number;
  /** Claimable tasks and worker tasks to seed (per run). */
  claimable: number;
  workerTasksPerServer: number;
  /** Write a CPU profile of the real server (bench/results/profiles/). */
  profile?: boolean;
  /** The offered rate of the second, paced pass (req/s). */
  pacedRate: number;
  /** SQL run on the copy before seeding (e.g. to measure with an older set of indexes). */
  sqlOnCopy?: string;
  /** Only these operations (default: all). */
  only?: string[];
  /**
   * On PostgreSQL instead of the SQLite file: a copy of the loaded dataset (`template`, bench/lib/pg.ts)
   * on `cluster`, the real API in `processes` processes, the baseline bench/baseline-server-pg.ts.
   */
  pg?: { cluster: string; template: string; processes: number };
  log: (s: string) => void;
}

/**
 * The passes of the agent API part, the same on both engines (bench/run.ts, bench/run-pg.ts). With
 * --quick: 1-second rounds after a single warm-up pass (every operation has been run on both servers
 * before the first is measured) and shorter pauses, so that the whole part takes about two minutes
 * once the small dataset exists.
 */
export function apiPasses(quick: boolean) {
  return {
    connections: 50,
    pacedRate: 200,
    durationS: quick ? 1 : 3,
    rounds: quick ? 3 : 5,
    warmupS: quick ? 1 : 6,
    opWarmupS: quick ? 0 : 5,
    pacedS: quick ? 1.5 : 6,
    pacedPauseMs: quick ? 250 : 1000,
    roundPauseMs: quick ? 50 : 200,
    claimable: quick ? 100_000 : 300_000,
    workerTasksPerServer: quick ? 1_500 : 4_000,
  };
}

export interface OpFigures {
  /** Median over the rounds (as are cpuMsPerRequest, p50, p99); max and counts are over all rounds. */
  rps: number;
  /** Server CPU time per request (user + system), in ms: steadier than req/s on a shared machine. */
  cpuMsPerRequest: number | null;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  /** PostgreSQL: CPU per request of the server's database connections (their backend processes), ms. */
  dbCpuMsPerRequest?: number | null;
  /** At a fixed offered rate (pacedRate req/s, open loop, bench/lib/paced.ts): latency when not saturated. */
  paced?: { rate: number; rps: number; p50: number; p99: number };
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
}

export interface ApiOpResult {
  op: string;
  description: string;
  baseline: OpFigures;
  real: OpFigures;
  /** real req/s ÷ baseline req/s, the median of the per-round ratios: the target is ≥ 0.5. */
  ratio: number;
  /** The per-round ratios (round i of the real server against round i of the baseline, run back to back). */
  roundRatios: number[];
  /** baseline CPU per request ÷ real CPU per request: the same comparison, less sensitive to other load. */
  cpuRatio: number | null;
  /** ratio ≥ 0.5 and p99 < 25 ms at 50 saturating connections. */
  meetsTarget: boolean;
  /** ratio ≥ 0.5 and p99 < 25 ms at the paced rate. */
  meetsTargetPaced: boolean;
}

export interface ApiResult {
  connections: number;
  pacedRate: number;
  durationS: number;
  rounds: number;
  warmupS: number;
  /** Seconds per operation and server of the first pass (absent in results written before it was recorded: then half of warmupS, rounded, at least 1). */
  warmupPassS?: number;
  /** Absent in results written before these were options (5 and 2 × durationS then, paced after the rounds). */
  opWarmupS?: number;
  pacedS?: number;
  database: string;
  ops: ApiOpResult[];
  serverRssMiB: { baseline: number | null; real: number | null };
  notes: string[];
  /** Absent: SQLite. */
  engine?: "sqlite" | "postgres";
  /** PostgreSQL: processes of the real API (node:cluster workers on one port). */
  processes?: number;
}

const BODY =
  "Progress: the handler is in place and validated; the index on (tenant, created_at) brings the list query under 2 ms. Next: tests for the error paths, then a security review of the token handling.";

type Who = "baseline" | "real";

const median = (xs: number[]) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** One round's autocannon result and the server CPU it cost. */
interface Round {
  r: Result;
  cpu: number | null;
  /** PostgreSQL: CPU of the server's backends during the round. */
  dbCpu?: number | null;
}

function figures(rounds: Round[]): OpFigures {
  const statuses: Record<string, number> = {};
  for (const { r } of rounds) for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) statuses[k] = (statuses[k] ?? 0) + Number(v.count);
  const cpus = rounds.map(({ r, cpu }) => (cpu === null || !r.requests.total ? null : cpu / r.requests.total));
  const dbCpus = rounds.map(({ r, dbCpu }) => (dbCpu === null || dbCpu === undefined || !r.requests.total ? null : dbCpu / r.requests.total));
  return {
    rps: round(median(rounds.map(({ r }) => r.requests.average)), 0),
    cpuMsPerRequest: cpus.some((x) => x === null) ? null : round(median(cpus as number[]), 3),
    ...(rounds.some((x) => x.dbCpu !== undefined) ? { dbCpuMsPerRequest: dbCpus.some((x) => x === null) ? null : round(median(dbCpus as number[]), 3) } : {}),
    p50: round(median(rounds.map(({ r }) => r.latency.p50)), 1),
    p99: round(median(rounds.map(({ r }) => r.latency.p99)), 1),
    max: Math.max(...rounds.map(({ r }) => r.latency.max)),
    requests: rounds.reduce((n, { r }) => n + r.requests.total, 0),
    non2xx: rounds.reduce((n, { r }) => n + r.non2xx, 0),
    errors: rounds.reduce((n, { r }) => n + r.errors, 0),
    statuses,
  };
}

/** The request sequences of each operation, for one server (auth differs: x-agent vs bearer). */
function operations(fx: ApiFixture, who: Who, serverIndex: number) {
  const auth = (agent: string, token: string): Record<string, string> => (who === "baseline" ? { "x-agent": agent } : { authorization: `Bearer ${token}` });
  const json = { "content-type": "application/json" };
  const mine = fx.workerTasks[serverIndex];
  let hb = 0;
  let msg = 0;
  let nextTask = 0;
  // Step updates: each connection takes a fresh task and walks its steps in order, in_progress then
  // done, so every request is a legal move (done is final; a task's steps are never reused).
  const stepRequests: RequestSpec[] = [];
  for (let pos = 1; pos <= fx.steps; pos++) {
    for (const status of ["in_progress", "done"]) {
      stepRequests.push({
        method: "POST",
        headers: { ...json, ...auth(WORKER, fx.tokens.worker) },
        body: JSON.stringify({ status }),
        setupRequest: (req, ctx) => {
          if (ctx.task === undefined) ctx.task = mine[nextTask++ % mine.length];
          return { ...req, path: `/api/v1/tasks/${ctx.task as string}/steps/${pos}` };
        },
      });
    }
  }
  return {
    claim: {
      description: "POST /tasks/claim: the agent's next pending task (UPDATE … RETURNING + event)",
      requests: [{ method: "POST", path: "/api/v1/tasks/claim", headers: { ...json, ...auth(CLAIMER, fx.tokens.claimer) }, body: "{}" }],
    },
    heartbeat: {
      description: "POST /tasks/{id}/heartbeat: extend the lease, rotating over 2k+ held tasks",
      requests: [
        {
          method: "POST",
          headers: { ...json, ...auth(WORKER, fx.tokens.worker) },
          body: "{}",
          setupRequest: (req) => ({ ...req, path: `/api/v1/tasks/${mine[hb++ % mine.length]}/heartbeat` }),
        },
      ],
    },
    step: {
      description: "POST /tasks/{id}/steps/{n}: in_progress then done, step by step, a fresh task per connection",
      requests: stepRequests,
    },
    inbox: {
      description: `GET /inbox?limit=50: newest page of ${READER}'s inbox (the biggest) + unread count`,
      requests: [{ method: "GET", path: "/api/v1/inbox?limit=50", headers: auth(READER, fx.tokens.reader) }],
    },
    send: {
      description: `POST /messages: a status update about one of the sender's tasks to ${READER}`,
      requests: [
        {
          method: "POST",
          path: "/api/v1/messages",
          headers: { ...json, ...auth(WORKER, fx.tokens.worker) },
          setupRequest: (req) => ({
            ...req,
            body: JSON.stringify({ to: READER, type: "status_update", subject: "Progress on the orders API", body: BODY, taskId: mine[msg++ % mine.length] }),
          }),
        },
      ],
    },
  } satisfies Record<string, { description: string; requests: RequestSpec[] }>;
}

async function cannon(url: string, requests: RequestSpec[], connections: number, duration: number): Promise<Result> {
  return autocannon({ url, connections, duration, requests, timeout: 10 });
}

/** Where the two servers run: the fixture on a copy of the dataset, how to start each server, how to measure its CPU, and the clean-up. */
interface ApiTarget {
  fx: ApiFixture;
  database: string;
  start: () => [Promise<Child>, Promise<Child>];
  cpu: (who: Who, c: Child) => number | null;
  /** PostgreSQL: the CPU so far of each server's backends. */
  dbCpu?: (who: Who) => Promise<number | null>;
  rss: (c: Child) => number | null;
  cleanup: () => Promise<void>;
}

function sqliteTarget(o: ApiOptions): ApiTarget {
  const copy = path.join(path.dirname(o.sourceDb), `${path.basename(o.sourceDb, ".db")}.api.db`);
  o.log(`api: copying ${o.sourceDb} → ${copy}`);
  copyDatabase(o.sourceDb, copy);
  const db = openDatabase(copy);
  if (o.sqlOnCopy) db.$client.exec(o.sqlOnCopy);
  const fx = prepareApiFixture(db, { claimable: o.claimable, workerTasks: o.workerTasksPerServer * 2, servers: 2 });
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  return {
    fx,
    database: o.sourceDb,
    start: () => [
      startTs("bench/baseline-server.ts", ["--db", copy, "--port", "3401"], { ready: /ready 3401/ }),
      startTs("bench/api-server.ts", ["--db", copy, "--port", "3402"], {
        ready: /ready 3402/,
        stdoutFile: path.join(os.tmpdir(), "agentdesk-bench-api-server.log"),
        // The per-token limit (50/s by default) guards against runaway agents; a load test is one.
        env: { AGENTDESK_AGENT_RATE_LIMIT: "1000000000", NODE_ENV: "production" },
        nodeArgs: o.profile ? ["--cpu-prof", "--cpu-prof-dir=bench/results/profiles"] : [],
      }),
    ],
    cpu: (_who, c) => cpuMs(c.pid),
    rss: (c) => rssMiB(c.pid),
    cleanup: async () => removeDatabase(copy),
  };
}

async function pgTarget(o: ApiOptions, p: NonNullable<ApiOptions["pg"]>): Promise<ApiTarget> {
  const name = `${pgPrefix()}_api`;
  o.log(`api: copying the PostgreSQL database ${p.template} → ${name}`);
  const url = await createDatabase(p.cluster, name, p.template);
  try {
    if (o.sqlOnCopy) throw new Error("sqlOnCopy is SQLite's");
    const fx = await prepareApiFixturePg(url, { claimable: o.claimable, workerTasks: o.workerTasksPerServer * 2, servers: 2 });
    const app = (who: Who) => `agentdesk-bench-${who}`;
    return {
      fx,
      database: `${shownUrl(url)} (from ${o.sourceDb})`,
      start: () => [
        startTs("bench/baseline-server-pg.ts", ["--url", withApplicationName(url, app("baseline")), "--port", "3401"], { ready: /ready 3401/ }),
        startTs("bench/api-server.ts", ["--url", withApplicationName(url, app("real")), "--port", "3402", "--processes", String(p.processes)], {
          ready: /ready 3402/,
          stdoutFile: path.join(os.tmpdir(), "agentdesk-bench-api-server.log"),
          env: { AGENTDESK_AGENT_RATE_LIMIT: "1000000000", NODE_ENV: "production" },
          nodeArgs: o.profile ? ["--cpu-prof", "--cpu-prof-dir=bench/results/profiles"] : [],
        }),
      ],
      cpu: (_who, c) => cpuMsTree(c.pid),
      dbCpu: async (who) => {
        const pids = await backendPids(p.cluster, app(who));
        const each = pids.map((pid) => cpuMs(pid));
        return pids.length && each.every((x) => x !== null) ? (each as number[]).reduce((a, b) => a + b, 0) : null;
      },
      rss: (c) => rssMiBTree(c.pid),
      cleanup: () => dropDatabase(p.cluster, name),
    };
  } catch (err) {
    await dropDatabase(p.cluster, name);
    throw err;
  }
}

export async function runApi(o: ApiOptions): Promise<ApiResult> {
  const target = o.pg ? await pgTarget(o, o.pg) : sqliteTarget(o);
  const fx = target.fx;
  o.log(`api: seeded ${o.claimable} claimable tasks for ${CLAIMER}, ${o.workerTasksPerServer} × 2 held tasks with ${fx.steps} steps for ${WORKER}`);

  const notes: string[] = [];
  const warmupPassS = Math.max(0.5, o.warmupS / 2);
  let baseline: Child | null = null;
  let real: Child | null = null;
  try {
    // Both servers start at once (nothing is measured before both are up).
    const [baselineStarting, realStarting] = target.start();
    const [b, r] = await Promise.allSettled([baselineStarting, realStarting]);
    if (b.status === "fulfilled") baseline = b.value;
    if (r.status === "fulfilled") real = r.value;
    if (b.status === "rejected") throw b.reason;
    if (r.status === "rejected") throw r.reason;
    const servers: Record<Who, { url: string; ops: ReturnType<typeof operations> }> = {
      baseline: { url: "http://127.0.0.1:3401", ops: operations(fx, "baseline", 0) },
      real: { url: "http://127.0.0.1:3402", ops: operations(fx, "real", 1) },
    };
    const out: ApiOpResult[] = [];
    const names = (Object.keys(servers.real.ops) as (keyof ReturnType<typeof operations>)[]).filter((n) => !o.only || o.only.includes(n));
    // One pass over every operation on both servers first: V8 optimises a route only after many
    // requests (AgentDesk's stack is far larger than the baseline's), and the first operation
    // measured would otherwise pay for the whole server's warm-up.
    if (o.warmupS > 0) {
      for (const name of names) for (const who of ["baseline", "real"] as Who[]) await cannon(servers[who].url, servers[who].ops[name].requests, 10, warmupPassS);
    }
    for (const name of names) {
      // Rounds alternate between the two servers (baseline, real, baseline, real...) and the
      // figures are medians over rounds: load from elsewhere on a shared machine drifts over tens
      // of seconds, so back-to-back rounds see the same conditions and one slow stretch cannot
      // decide a ratio.
      const opWarmupS = o.opWarmupS ?? o.warmupS;
      for (const who of ["baseline", "real"] as Who[]) if (opWarmupS > 0) await cannon(servers[who].url, servers[who].ops[name].requests, Math.min(10, o.connections), opWarmupS);
      // The same connections at a fixed, moderate rate: latency without the queueing of a saturated
      // server. Before the saturating rounds, so that it measures a server at that rate rather than
      // one still working off a burst (WAL checkpoints, full-text index merges, garbage collection).
      const pacedRuns = {} as Record<Who, NonNullable<OpFigures["paced"]>>;
      for (const who of ["baseline", "real"] as Who[]) {
        await sleep(o.pacedPauseMs ?? 1000);
        const p = await paced(servers[who].url, servers[who].ops[name].requests, { rate: o.pacedRate, durationS: o.pacedS ?? Math.max(2, o.durationS * 2), clients: o.connections });
        pacedRuns[who] = { rate: o.pacedRate, rps: p.rps, p50: p.p50, p99: p.p99 };
      }
      const rounds: Record<Who, Round[]> = { baseline: [], real: [] };
      for (let i = 0; i < o.rounds; i++) {
        for (const who of ["baseline", "real"] as Who[]) {
          const s = servers[who];
          await sleep(o.roundPauseMs ?? 200);
          const child = (who === "baseline" ? baseline : real)!;
          const db0 = target.dbCpu ? await target.dbCpu(who) : undefined;
          const cpu0 = target.cpu(who, child);
          const r = await cannon(s.url, s.ops[name].requests, o.connections, o.durationS);
          const cpu1 = target.cpu(who, child);
          const db1 = target.dbCpu ? await target.dbCpu(who) : undefined;
          rounds[who].push({
            r,
            cpu: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0,
            ...(target.dbCpu ? { dbCpu: db0 === null || db1 === null || db0 === undefined || db1 === undefined ? null : db1 - db0 } : {}),
          });
        }
      }
      const res = {} as Record<Who, OpFigures>;
      for (const who of ["baseline", "real"] as Who[]) {
        res[who] = figures(rounds[who]);
        res[who].paced = pacedRuns[who];
        o.log(
          `api: ${name.padEnd(9)} ${who.padEnd(8)} ${String(res[who].rps).padStart(6)} req/s  p50 ${res[who].p50} ms  p99 ${res[who].p99} ms  cpu/req ${res[who].cpuMsPerRequest} ms${res[who].dbCpuMsPerRequest !== undefined ? ` (database ${res[who].dbCpuMsPerRequest} ms)` : ""}  non2xx ${res[who].non2xx} ${JSON.stringify(res[who].statuses)} | at ${o.pacedRate}/s: p50 ${res[who].paced!.p50} ms p99 ${res[who].paced!.p99} ms`,
        );
        if (name === "claim" && res[who].statuses["204"]) notes.push(`claim on ${who}: ${res[who].statuses["204"]} answers were 204 (the pool ran dry): raise --claimable`);
      }
      const roundRatios = rounds.real.map((r, i) => round(r.r.requests.average / rounds.baseline[i].r.requests.average, 2));
      const ratio = round(median(roundRatios), 2);
      const cpuRatio = res.baseline.cpuMsPerRequest && res.real.cpuMsPerRequest ? round(res.baseline.cpuMsPerRequest / res.real.cpuMsPerRequest, 2) : null;
      o.log(`api: ${name.padEnd(9)} ratio ${ratio} (rounds ${roundRatios.join(", ")}), cpu ratio ${cpuRatio}`);
      out.push({
        op: name,
        description: servers.real.ops[name].description,
        baseline: res.baseline,
        real: res.real,
        ratio,
        roundRatios,
        cpuRatio,
        meetsTarget: ratio >= 0.5 && res.real.p99 < 25 && res.real.non2xx === 0,
        meetsTargetPaced: ratio >= 0.5 && (res.real.paced?.p99 ?? Infinity) < 25 && res.real.non2xx === 0,
      });
    }
    const serverRssMiB = { baseline: baseline ? target.rss(baseline) : null, real: real ? target.rss(real) : null };
    return {
      connections: o.connections,
      pacedRate: o.pacedRate,
      durationS: o.durationS,
      rounds: o.rounds,
      warmupS: o.warmupS,
      warmupPassS,
      opWarmupS: o.opWarmupS ?? o.warmupS,
      pacedS: o.pacedS ?? Math.max(2, o.durationS * 2),
      database: target.database,
      ops: out,
      serverRssMiB,
      notes,
      ...(o.pg ? { engine: "postgres" as const, processes: o.pg.processes } : {}),
    };
  } finally {
    await real?.stop();
    await baseline?.stop();
    await target.cleanup();
  }
}
