// npm run test:crash [-- --kills N] [--keep] [--engine sqlite|pg] [--if-configured] [--db-name NAME]
//
// Durability under SIGKILL: the real API (test/crash/server-entry.ts) runs as a child process on a
// seeded database while simulated agents write over HTTP (claims, step updates, outputs, messages,
// completions). The child is killed with SIGKILL at random moments (some during start-up),
// restarted, and after each restart the database is checked: every write that had been answered 2xx
// is there, nothing half-done is visible, the engine's own checks pass. The last round stops it with
// SIGTERM and checks the clean exit. Then the several-writers part (test/crash/several-writers.ts),
// on a second fresh database: the API, a CLI-style and a bridge-style writer process write at once
// for 3 s, none refused, every reported write present. Ends with `N passed, F failed`; exits 1 on
// failure.
//
// --engine sqlite (the default): a database file in a temporary folder.
// --engine pg: a fresh database on the PostgreSQL cluster named by TEST_DATABASE_URL (created
//   TEMPLATE template0 LOCALE 'C', named --db-name or agentdesk_crash_<pid>, and <that>_writers for
//   the several-writers part; dropped at the end unless --keep or a check failed); the children get
//   DATABASE_URL. --if-configured: without
//   TEST_DATABASE_URL, say so in one line and exit 0 (npm test on a machine without PostgreSQL).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, prepareEntry, removeDb, startApi, type ApiChild } from "../test/crash/child";
import { seedWorkload } from "../test/crash/seed";
import { runAgent, verifyDatabase, type Ack, type CheckResult } from "../test/crash/workload";
import { runSeveralWriters } from "../test/crash/several-writers";
import { adminQuery, databaseUrl } from "../test/pg";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : fallback;
};
const kills = Math.max(1, flag("--kills", Number(process.env.CRASH_KILLS) || 15));
const keep = argv.includes("--keep");
const engineArg = argv.includes("--engine") ? argv[argv.indexOf("--engine") + 1] : "sqlite";
if (engineArg !== "sqlite" && engineArg !== "pg") {
  process.stdout.write(`crash test: --engine must be sqlite or pg, not ${engineArg}\n`);
  process.exit(2);
}
const engine: "sqlite" | "pg" = engineArg;
if (engine === "pg" && !process.env.TEST_DATABASE_URL?.trim()) {
  if (argv.includes("--if-configured")) {
    process.stdout.write("crash test on PostgreSQL: skipped, TEST_DATABASE_URL is not set (scripts/pg-test-cluster.sh starts a cluster)\n");
    process.exit(0);
  }
  process.stdout.write("crash test: --engine pg needs TEST_DATABASE_URL (a PostgreSQL cluster where it may create a database)\n");
  process.exit(2);
}
const dbName = argv.includes("--db-name") ? argv[argv.indexOf("--db-name") + 1] : `agentdesk_crash_${process.pid}`;
if (engine === "pg" && !/^[a-z_][a-z0-9_]{0,62}$/.test(dbName)) {
  process.stdout.write(`crash test: --db-name must be a plain lower-case identifier, not ${dbName}\n`);
  process.exit(2);
}
const workersPerAgent = 2;

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (s: string) => process.stdout.write(s + "\n");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = (min: number, max: number) => Math.round(min + Math.random() * (max - min));

const results: CheckResult[] = [];
const record = (r: CheckResult) => {
  results.push(r);
  if (!r.ok) say(`  FAIL ${r.name}: ${r.detail ?? ""}`);
};

/** A name of the database for messages: the SQLite file, or the PostgreSQL URL without its password. */
const shown = (location: string) => location.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

async function main() {
  const dir = engine === "sqlite" ? fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-crash-")) : "";
  // The database: a file in a temporary folder, or a fresh PostgreSQL database (C collation, as AgentDesk requires).
  const file = engine === "sqlite" ? path.join(dir, "crash.db") : databaseUrl(dbName);
  // The several-writers part's database.
  const writersDbName = `${dbName.slice(0, 55)}_writers`;
  const writersFile = engine === "sqlite" ? path.join(dir, "writers.db") : databaseUrl(writersDbName);
  let child: ApiChild | undefined;
  // About 5 s per kill here (a restart is 1.5-3.5 s of Node start-up on a busy machine), plus the seed
  // and the several-writers part.
  const watchdogMs = Math.max(300_000, 120_000 + kills * 12_000);
  const watchdog = setTimeout(() => {
    say(`crash test: gave up after ${elapsed()} (watchdog, ${watchdogMs / 1000} s for ${kills} kills)`);
    child?.proc.kill("SIGKILL");
    say(`database kept: ${shown(file)}`);
    say(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
    process.exit(1);
  }, watchdogMs);
  watchdog.unref();

  if (engine === "pg") adminQuery(`CREATE DATABASE "${dbName}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`);
  const [args, port] = await Promise.all([prepareEntry(), freePort()]);
  const seeded = seedWorkload(file, { tasksPerAgent: Math.max(100, kills * 20), tokensPerAgent: workersPerAgent });
  const names = seeded.agents.map((a) => a.name);
  say(
    `crash test (${engine === "pg" ? "PostgreSQL" : "SQLite"}): ${names.length} agents x ${workersPerAgent} workers, ${Object.keys(seeded.stepsByTask).length} tasks, ${kills} kills, database ${shown(file)}, load average ${loadavg()}`,
  );

  const acks: Ack[] = [];
  const refusals: { status: number; path: string; body: string }[] = [];
  const restarts: number[] = [];
  let stopping = false;
  let baseUrl = "";
  // Workers that lost the server wait here until it is back and checked.
  let up!: () => void;
  let upAgain = Promise.resolve();
  const serverDown = () => {
    upAgain = new Promise<void>((r) => (up = r));
  };

  const start = async () => {
    child = await startApi({ file, port, args });
    baseUrl = child.baseUrl;
  };
  await start();

  const workers = seeded.agents.flatMap((a) =>
    a.tokens.map((token) =>
      runAgent({
        baseUrl: () => baseUrl,
        token,
        agent: a.name,
        peers: names.filter((n) => n !== a.name).concat("hitl"),
        stepsByTask: seeded.stepsByTask,
        acks,
        refusals,
        stop: () => stopping,
        onDown: () => (stopping ? Promise.resolve() : upAgain),
      }).catch((err) => record({ name: `worker ${a.name}`, ok: false, detail: String(err) })),
    ),
  );

  let seenRefusals = 0;
  for (let k = 1; k <= kills; k++) {
    const duringStart = k % 5 === 0;
    const acksBefore = acks.length;
    const runFor = random(200, 1500);
    await sleep(runFor);
    serverDown();
    child!.proc.kill("SIGKILL");
    const { signal } = await child!.exited;
    record({ name: `kill ${k}: child died by SIGKILL`, ok: signal === "SIGKILL", detail: `signal ${signal}` });
    if (duringStart) {
      // Once in a while the next incarnation dies too, while it opens the database (SQLite: recovers the WAL).
      const early = await startApi({ file, port, args, noWait: true });
      await sleep(random(20, 400));
      early.proc.kill("SIGKILL");
      await early.exited;
    }
    const t0 = Date.now();
    try {
      await start();
      const ready = await fetch(`${baseUrl}/api/ready`);
      record({ name: `kill ${k}: ready after restart`, ok: ready.status === 200, detail: `status ${ready.status}` });
    } catch (err) {
      record({ name: `kill ${k}: restart`, ok: false, detail: String(err) });
      break;
    }
    const restartMs = Date.now() - t0;
    restarts.push(restartMs);
    const checks = verifyDatabase(file, acks, { label: `kill ${k}`, seedEvents: seeded.events });
    for (const c of checks) record(c);
    const fresh = refusals.slice(seenRefusals);
    seenRefusals = refusals.length;
    record({
      name: `kill ${k}: no refused request`,
      ok: fresh.length === 0,
      detail: fresh
        .slice(0, 3)
        .map((r) => `${r.status} ${r.path} ${r.body}`)
        .join(" | "),
    });
    say(
      `kill ${String(k).padStart(2)}/${kills} after ${String(runFor).padStart(4)} ms${duringStart ? " (+ one during start-up)" : "                        "}` +
        ` +${String(acks.length - acksBefore).padStart(4)} acks (${acks.length} total), restart ${restartMs} ms, ${checks.filter((c) => c.ok).length}/${checks.length} checks ok [${elapsed()}]`,
    );
    up();
  }

  // Last round: a clean stop. SIGTERM must exit 0; SQLite: the WAL checkpointed and the pid file gone;
  // PostgreSQL: every AgentDesk session closed by the server (none left, none abandoned).
  await sleep(300);
  stopping = true;
  await Promise.all(workers);
  const abandonedBefore = engine === "pg" ? abandonedSessions() : 0;
  child!.proc.kill("SIGTERM");
  const t0 = Date.now();
  const { code } = await child!.exited;
  record({ name: "SIGTERM: exit 0 within 10 s", ok: code === 0 && Date.now() - t0 < 10_000, detail: `code ${code} after ${Date.now() - t0} ms\n${child!.output()}` });
  if (engine === "sqlite") {
    const wal = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
    record({ name: "SIGTERM: WAL checkpointed", ok: wal === 0, detail: `${wal} bytes left in the WAL` });
    record({ name: "SIGTERM: pid file removed", ok: !fs.existsSync(`${file}.server.pid`) });
  } else {
    // The server process is gone; its backends end as they read its goodbye (a few ms).
    let left = agentdeskSessions();
    const waited = Date.now();
    while (left.length > 0 && Date.now() - waited < 2000) {
      await sleep(50);
      left = agentdeskSessions();
    }
    record({ name: "SIGTERM: no AgentDesk connection left", ok: left.length === 0, detail: `${left.length} left: ${left.join(", ")}` });
    const abandoned = abandonedSessions() - abandonedBefore;
    record({ name: "SIGTERM: sessions closed by the server, none abandoned", ok: abandoned === 0, detail: `${abandoned} sessions ended by a lost connection, not closed` });
  }
  for (const c of verifyDatabase(file, acks, { label: "final", seedEvents: seeded.events })) record(c);
  record({
    name: "final: no refused request",
    ok: refusals.length === 0,
    detail: refusals
      .slice(0, 3)
      .map((r) => `${r.status} ${r.path} ${r.body}`)
      .join(" | "),
  });

  // Several writer processes at once, on a fresh database.
  if (engine === "pg") adminQuery(`CREATE DATABASE "${writersDbName}" TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'`);
  let writersSummary = "several writers: not run";
  try {
    const writers = await runSeveralWriters(writersFile);
    for (const c of writers.checks) record(c);
    writersSummary = writers.summary;
  } catch (err) {
    record({ name: "several writers", ok: false, detail: String((err as Error)?.stack ?? err) });
  }

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const kinds = (["claim", "step", "output", "message", "complete"] as const).map((k) => `${acks.filter((a) => a.kind === k).length} ${k}s`).join(", ");
  const sorted = [...restarts].sort((a, b) => a - b);
  const restartFigures = sorted.length ? `restarts ${sorted[0]}/${sorted[Math.floor(sorted.length / 2)]}/${sorted[sorted.length - 1]} ms (min/median/max)` : "no restart";
  say(`crash test: ${kills} kills, ${acks.length} acknowledged writes verified after every restart (${kinds}), ${restartFigures}; ${writersSummary}; in ${elapsed()}, load average ${loadavg()}`);
  if (failed === 0 && !keep) {
    if (engine === "sqlite") {
      removeDb(file);
      removeDb(writersFile);
      fs.rmSync(dir, { recursive: true, force: true });
    } else for (const name of [dbName, writersDbName]) adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } else
    say(
      engine === "sqlite"
        ? `databases kept in ${dir}`
        : `databases kept: ${shown(file)} and ${writersDbName} (DROP DATABASE ${dbName} WITH (FORCE), DROP DATABASE ${writersDbName} WITH (FORCE) when done)`,
    );
  say(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

/** The AgentDesk sessions (application_name agentdesk…) still connected to the test database. */
function agentdeskSessions(): string[] {
  return adminQuery(`SELECT pid, application_name AS app, state FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'agentdesk%'`, [dbName]).map(
    (r) => `${String(r.app)} (pid ${String(r.pid)}, ${String(r.state)})`,
  );
}

/** Sessions on the test database that ended because the client vanished (pg_stat_database, PostgreSQL 14+). */
function abandonedSessions(): number {
  return Number(adminQuery("SELECT sessions_abandoned AS n FROM pg_stat_database WHERE datname = $1", [dbName])[0]?.n ?? 0);
}

main().catch((err) => {
  say(`crash test: ${String((err as Error)?.stack ?? err)}`);
  say(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
  process.exit(1);
});
