// `npm run bench` (full: the large dataset, 5 rounds of 3 s per API operation and server, a 10-minute live soak) or
// `npm run bench -- --quick` (under 2 minutes of measuring on the small dataset, shorter everything).
// Writes bench/results/<timestamp>.json and bench/results/latest.json and rewrites the figures in
// docs/benchmarks.md. Options: --scale tiny|small|medium|large, --only api,search,live,hook,pages,queries,
// --ops claim,heartbeat,step,inbox,send (API operations to measure), --no-build (measure the pages on the existing .next build), --profile (CPU profile of the real API
// server into bench/results/profiles/), --wait-calm MINUTES (wait for the 1-minute load average to
// drop below 3 before measuring; default 20 for a full run, 0 for --quick), --no-docs.
// --engine pg: the API, search and live updates on PostgreSQL instead (bench/run-pg.ts has its options).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { generate, scales, type Scale } from "./generate";
import { apiPasses, runApi, type ApiResult } from "./api";
import { runSearch, type SearchResult } from "./search";
import { runLive, type LiveResult } from "./live";
import { runPages, type PagesResult } from "./pages";
import { runHookBench, type HookResults } from "./hook";
import { serviceTimings, type QueryTiming } from "./queries";
import { machine, sleep } from "./lib/proc";
import { minSec } from "./lib/stats";
import { renderDocs } from "./report";
import { openDatabase } from "@/db/client";
import { runPgBench } from "./run-pg";

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  mode: "full" | "quick";
  scale: Scale;
  dataset: { file: string; bytes: number; counts: Record<string, number> };
  machine: ReturnType<typeof machine> & { calm: { waitedS: number; belowThree: boolean } };
  loadBySection: Record<string, number[]>;
  /** When each section was measured (with --merge, some come from an earlier run). */
  sectionStartedAt?: Record<string, string>;
  api?: ApiResult;
  search?: SearchResult;
  live?: LiveResult;
  pages?: PagesResult;
  /** How long Claude Code waits for `agentdesk hook` (bench/hook.ts). */
  hook?: HookResults;
  queries?: QueryTiming[];
  errors: Record<string, string>;
  /** Wall-clock seconds of the whole run, and of the part spent preparing (generating the dataset, building) rather than measuring. */
  durationS?: { total: number; preparing: number };
}

const args = process.argv.slice(2);
const flag = (k: string) => args.includes(k);
const opt = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const quick = flag("--quick");
const scale = (opt("--scale") ?? (quick ? "small" : "large")) as Scale;
if (!(scale in scales)) throw new Error(`--scale must be one of ${Object.keys(scales).join(", ")}`);
const only = opt("--only")?.split(",");
const want = (s: string) => !only || only.includes(s);
const started = new Date();
const log = (s: string) => console.log(`[${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${s}`);

async function waitCalm(minutes: number) {
  const t0 = Date.now();
  while (os.loadavg()[0] >= 3 && Date.now() - t0 < minutes * 60_000) {
    log(
      `waiting for the machine to calm down: load average ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ")} (other work is running)`,
    );
    await sleep(30_000);
  }
  return { waitedS: Math.round((Date.now() - t0) / 1000), belowThree: os.loadavg()[0] < 3 };
}

async function main() {
  if (opt("--engine") === "pg") return runPgBench(args, started, log);
  if (opt("--engine") && opt("--engine") !== "sqlite") throw new Error("--engine must be sqlite or pg");
  const file = path.join("bench", "data", `${scale}.db`);
  let generatingS = 0;
  if (!fs.existsSync(file)) {
    log(`no ${file}: generating the ${scale} dataset`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const t0 = Date.now();
    generate(path.resolve(file), scale, (s) => log(`generate: ${s}`));
    generatingS = (Date.now() - t0) / 1000;
  }
  // Bring the dataset to the current schema, and drop planner statistics if an older generator
  // gathered them: production databases have none, so the benchmark plans as they do.
  const migrated = openDatabase(path.resolve(file));
  migrated.$client.close();
  const raw = new Database(file);
  raw.exec("DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4;");
  const count = (t: string) => (raw.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  const counts = Object.fromEntries(["agents", "instructions", "tasks", "task_steps", "outputs", "messages", "events"].map((t) => [t, count(t)]));
  raw.pragma("wal_checkpoint(TRUNCATE)");
  raw.close();

  const calm = await waitCalm(Number(opt("--wait-calm") ?? (quick ? 0 : 20)));
  // --merge: keep the sections of bench/results/latest.json that this run does not measure (to
  // re-measure one part after a change without repeating the others). The report says when each ran.
  const previous: Partial<BenchResults> =
    flag("--merge") && fs.existsSync(path.join("bench", "results", "latest.json")) ? JSON.parse(fs.readFileSync(path.join("bench", "results", "latest.json"), "utf8")) : {};
  if (flag("--merge") && previous.scale && previous.scale !== scale) throw new Error(`--merge: latest.json is of the ${previous.scale} dataset, this run of ${scale}`);
  const results: BenchResults = {
    ...(flag("--merge") ? { api: previous.api, search: previous.search, live: previous.live, pages: previous.pages, queries: previous.queries } : {}),
    sectionStartedAt: { ...(flag("--merge") ? (previous.sectionStartedAt ?? {}) : {}) },
    startedAt: started.toISOString(),
    finishedAt: "",
    mode: quick ? "quick" : "full",
    scale,
    dataset: { file, bytes: fs.statSync(file).size, counts },
    machine: { ...machine(), calm },
    loadBySection: { ...(flag("--merge") ? (previous.loadBySection ?? {}) : {}) },
    errors: {},
  };
  log(`machine: ${results.machine.nproc} cores, ${results.machine.memoryGiB} GiB, Node ${results.machine.node}, load ${results.machine.loadAtStart.join(" ")}`);
  const section = async (name: string, fn: () => Promise<void> | void) => {
    if (!want(name)) return;
    results.loadBySection[name] = os.loadavg().map((x) => Math.round(x * 100) / 100);
    results.sectionStartedAt![name] = new Date().toISOString();
    log(`── ${name} (load ${results.loadBySection[name].join(" ")})`);
    try {
      await fn();
    } catch (err) {
      results.errors[name] = String((err as Error).stack ?? err);
      log(`${name} failed: ${(err as Error).message}`);
    }
  };

  await section("queries", () => {
    const db = openDatabase(path.resolve(file));
    try {
      results.queries = serviceTimings(db, quick ? 5 : 20);
    } finally {
      db.$client.close();
    }
  });
  await section("search", () => {
    results.search = runSearch({ db: file, repeats: quick ? 2 : 5, naive: !quick, log });
  });
  await section("api", async () => {
    results.api = await runApi({
      sourceDb: file,
      ...apiPasses(quick),
      profile: flag("--profile"),
      only: opt("--ops")?.split(","),
      log,
    });
  });
  await section("live", async () => {
    results.live = await runLive({ sourceDb: file, streams: 200, soakS: quick ? 10 : 600, probeWarmupS: quick ? 4 : 5, agents: 10, agentIntervalMs: 250, probeIntervalMs: 500, log });
  });
  await section("hook", async () => {
    results.hook = await runHookBench({ runs: quick ? 15 : 40, log });
  });
  await section("pages", async () => {
    results.pages = await runPages({ db: file, ttfbSamples: quick ? 8 : 20, loadSamples: quick ? 0 : 4, build: !flag("--no-build"), log });
  });

  results.finishedAt = new Date().toISOString();
  const totalS = (Date.now() - started.getTime()) / 1000;
  const preparingS = generatingS + (results.pages?.buildS ?? 0) + calm.waitedS;
  results.durationS = { total: Math.round(totalS), preparing: Math.round(preparingS) };
  log(`took ${minSec(totalS)}${preparingS >= 1 ? `: ${minSec(totalS - preparingS)} measuring, ${minSec(preparingS)} generating, building or waiting for a calm machine` : ", all of it measuring"}`);
  const dir = path.join("bench", "results");
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, "-");
  const json = JSON.stringify(results, null, 2);
  fs.writeFileSync(path.join(dir, `${stamp}.json`), json);
  fs.writeFileSync(path.join(dir, "latest.json"), json);
  log(`results: ${path.join(dir, `${stamp}.json`)} and latest.json`);
  if (!flag("--no-docs")) {
    const doc = path.join("docs", "benchmarks.md");
    fs.writeFileSync(doc, renderDocs(fs.existsSync(doc) ? fs.readFileSync(doc, "utf8") : null, results));
    log(`figures written to ${doc}`);
  }
  if (Object.keys(results.errors).length) {
    log(`sections that failed: ${Object.keys(results.errors).join(", ")}`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
