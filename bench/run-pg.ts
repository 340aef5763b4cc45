// `npm run bench -- --engine pg [--quick] [--only api,search,live] [--processes 1,2] [--replicas 1,2] [--soak S]`:
// the agent API, search and live updates on PostgreSQL, on the same dataset as the SQLite bench
// (bench/data/<scale>.db, only read: loaded into a database of the bench's own, bench/lib/pg.ts).
// The cluster: --pg-url, BENCH_DATABASE_URL or TEST_DATABASE_URL (the bench creates and drops its
// own databases there, named BENCH_PG_PREFIX_…, default agentdesk_bench_…; the loaded dataset is
// kept for the next run: drop it with --drop-loaded). Writes bench/results/pg-<timestamp>.json and
// pg-latest.json and rewrites the PostgreSQL figures in docs/benchmarks.md (their own markers; the
// SQLite figures are left as they are, and read from latest.json for the side-by-side columns).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { generate, scales, type Scale } from "./generate";
import { apiPasses, runApi, type ApiResult } from "./api";
import { runLive, type LiveResult } from "./live";
import { runSearchPg } from "./search-pg";
import type { SearchResult } from "./search";
import type { BenchResults } from "./run";
import { benchClusterUrl, databaseMiB, databaseUrl, dropDatabase, loadedDatabase, onCluster, shownUrl } from "./lib/pg";
import { machine, sleep } from "./lib/proc";
import { minSec } from "./lib/stats";
import { renderPgDocs } from "./report-pg";
import { READER } from "./lib/prepare";

export interface PgBenchResults {
  engine: "postgres";
  startedAt: string;
  finishedAt: string;
  mode: "full" | "quick";
  scale: Scale;
  cluster: string;
  server: string;
  dataset: { file: string; database: string; mib: number; loadS: number | null; counts: Record<string, number> };
  machine: ReturnType<typeof machine> & { calm: { waitedS: number; belowThree: boolean } };
  loadBySection: Record<string, number[]>;
  sectionStartedAt: Record<string, string>;
  /** One per process count of the real API (--processes). */
  api?: ApiResult[];
  search?: SearchResult;
  /** One per replica count (--replicas). */
  live?: LiveResult[];
  errors: Record<string, string>;
  durationS?: { total: number; preparing: number };
  /** What the run left out, and why. */
  notes?: string[];
  /** The commit measured, and the files of the engine and the services changed in the working tree at the start (others' work in progress). */
  source?: { commit: string; dirty: string[] };
}

function sourceState(): PgBenchResults["source"] {
  try {
    const git = (...a: string[]) => execFileSync("git", a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "db", "lib", "server.ts")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.slice(3))
      .filter((f) => !/\.test\.ts$/.test(f));
    return { commit: git("rev-parse", "--short", "HEAD"), dirty };
  } catch {
    return undefined;
  }
}

export async function runPgBench(args: string[], started: Date, log: (s: string) => void): Promise<void> {
  const flag = (k: string) => args.includes(k);
  const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
  // --render FILE: only rewrite the PostgreSQL figures in docs/benchmarks.md from a results file.
  if (opt("--render")) return writeDocs(JSON.parse(fs.readFileSync(opt("--render")!, "utf8")) as PgBenchResults, log);
  const quick = flag("--quick");
  const scale = (opt("--scale") ?? (quick ? "small" : "large")) as Scale;
  if (!(scale in scales)) throw new Error(`--scale must be one of ${Object.keys(scales).join(", ")}`);
  const only = opt("--only")?.split(",");
  const want = (s: string) => !only || only.includes(s);
  for (const s of only ?? []) if (!["api", "search", "live"].includes(s)) log(`--engine pg measures api, search and live; ${s} is SQLite's only`);
  const cluster = benchClusterUrl(args);
  if (!cluster) throw new Error("--engine pg needs a PostgreSQL cluster: --pg-url postgres://…, or BENCH_DATABASE_URL / TEST_DATABASE_URL");
  const list = (k: string, d: string) => (opt(k) ?? d).split(",").map(Number);

  const file = path.join("bench", "data", `${scale}.db`);
  let preparingS = 0;
  if (!fs.existsSync(file)) {
    log(`no ${file}: generating the ${scale} dataset`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const t0 = Date.now();
    generate(path.resolve(file), scale, (s) => log(`generate: ${s}`));
    preparingS += (Date.now() - t0) / 1000;
  }
  const t0 = Date.now();
  const template = await loadedDatabase(cluster, file, log);
  const loadS = (Date.now() - t0) / 1000;
  preparingS += loadS;
  const raw = new Database(file, { readonly: true, fileMustExist: true });
  const count = (t: string) => (raw.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  const counts = Object.fromEntries(["agents", "instructions", "tasks", "task_steps", "outputs", "messages", "events"].map((t) => [t, count(t)]));
  raw.close();
  const [{ server_version: v }] = await onCluster<{ server_version: string }>(cluster, `SHOW server_version`);
  const settings = await onCluster<{ name: string; setting: string }>(
    cluster,
    `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections') ORDER BY name`,
  );

  const waitMin = Number(opt("--wait-calm") ?? (quick ? 0 : 20));
  const tc = Date.now();
  while (os.loadavg()[0] >= 3 && Date.now() - tc < waitMin * 60_000) {
    log(
      `waiting for the machine to calm down: load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")} (other work is running)`,
    );
    await sleep(30_000);
  }
  const calm = { waitedS: Math.round((Date.now() - tc) / 1000), belowThree: os.loadavg()[0] < 3 };
  preparingS += calm.waitedS;

  const results: PgBenchResults = {
    engine: "postgres",
    startedAt: started.toISOString(),
    finishedAt: "",
    mode: quick ? "quick" : "full",
    scale,
    cluster: shownUrl(cluster),
    server: `PostgreSQL ${v} (${settings.map((s) => `${s.name}=${s.setting}`).join(", ")})`,
    dataset: { file, database: template, mib: Math.round(await databaseMiB(cluster, template)), loadS: loadS > 5 ? Math.round(loadS) : null, counts },
    machine: { ...machine(), calm },
    loadBySection: {},
    sectionStartedAt: {},
    errors: {},
    source: sourceState(),
  };
  log(`machine: ${results.machine.nproc} cores, load ${results.machine.loadAtStart.join(" ")}; ${results.server}; dataset ${template} (${results.dataset.mib} MiB)`);
  const section = async (name: string, fn: () => Promise<void> | void) => {
    if (!want(name.split(":")[0])) return;
    results.loadBySection[name] = os.loadavg().map((x) => Math.round(x * 100) / 100);
    results.sectionStartedAt[name] = new Date().toISOString();
    log(`── ${name} on PostgreSQL (load ${results.loadBySection[name].join(" ")})`);
    try {
      await fn();
    } catch (err) {
      results.errors[name] = String((err as Error).stack ?? err);
      log(`${name} failed: ${(err as Error).message}`);
    }
  };

  await section("search", () => {
    results.search = runSearchPg({ url: databaseUrl(cluster, template), label: `${template} (from ${file})`, repeats: quick ? 2 : 5, log });
  });
  // The inbox page at a million messages took 2.3 s on PostgreSQL while no index gave its order
  // (docs/benchmarks.md): the API part's 200 req/s pass would queue an hour of them. Unless --ops
  // names it, the inbox is measured only when one page takes under 100 ms.
  let ops = opt("--ops")?.split(",");
  if (!ops && want("api")) {
    const ms = await inboxPageMs(databaseUrl(cluster, template));
    if (ms > 100) {
      ops = ["claim", "heartbeat", "step", "send"];
      (results.notes ??= []).push(
        `The inbox operation was left out of the API part: one page of ${READER}'s inbox took ${Math.round(ms)} ms on this database (over 100 ms; --ops inbox measures it anyway).`,
      );
      log(`api: ${results.notes[results.notes.length - 1]}`);
    }
  }
  for (const processes of list("--processes", "1,2")) {
    await section(`api:${processes}`, async () => {
      const r = await runApi({
        sourceDb: file,
        ...apiPasses(quick),
        profile: flag("--profile"),
        only: ops,
        pg: { cluster, template, processes },
        log,
      });
      (results.api ??= []).push(r);
    });
  }
  for (const replicas of list("--replicas", "1,2")) {
    await section(`live:${replicas}`, async () => {
      const r = await runLive({
        sourceDb: file,
        streams: 200,
        soakS: Number(opt("--soak") ?? (quick ? 10 : 120)),
        probeWarmupS: quick ? 4 : 5,
        agents: 10,
        agentIntervalMs: 250,
        probeIntervalMs: 500,
        pg: { cluster, template, replicas: replicas as 1 | 2 },
        log,
      });
      (results.live ??= []).push(r);
    });
  }
  if (flag("--drop-loaded")) await dropDatabase(cluster, template);

  results.finishedAt = new Date().toISOString();
  const totalS = (Date.now() - started.getTime()) / 1000;
  results.durationS = { total: Math.round(totalS), preparing: Math.round(preparingS) };
  log(`took ${minSec(totalS)} (${minSec(preparingS)} loading the dataset or waiting for a calm machine)`);
  const dir = path.join("bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, "-");
  const json = JSON.stringify(results, null, 2);
  fs.writeFileSync(path.join(dir, `pg-${stamp}.json`), json);
  fs.writeFileSync(path.join(dir, "pg-latest.json"), json);
  log(`results: ${path.join(dir, `pg-${stamp}.json`)} and pg-latest.json`);
  if (!flag("--no-docs")) writeDocs(results, log);
  if (Object.keys(results.errors).length) {
    log(`sections that failed: ${Object.keys(results.errors).join(", ")}`);
    process.exitCode = 1;
  }
}

/** The PostgreSQL figures into docs/benchmarks.md, beside the SQLite ones of bench/results/latest.json. */
function writeDocs(results: PgBenchResults, log: (s: string) => void) {
  const doc = path.join("docs", "benchmarks.md");
  const latest = path.join("bench", "results", "latest.json");
  const sqlite = fs.existsSync(latest) ? (JSON.parse(fs.readFileSync(latest, "utf8")) as BenchResults) : null;
  fs.writeFileSync(doc, renderPgDocs(fs.readFileSync(doc, "utf8"), results, sqlite));
  log(`figures written to ${doc}`);
}

/** The best of three timings of the API's inbox page (the newest 51 of READER's inbox) on the database at `url`, ms. */
async function inboxPageMs(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await c.query(`SELECT * FROM messages WHERE to_inbox = $1 AND archived_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 51`, [READER]);
      best = Math.min(best, performance.now() - t);
    }
    return best;
  } finally {
    await c.end();
  }
}
