// npm run test:crash [-- --kills N] [--keep]
//
// Durability under SIGKILL: the real API (test/crash/server-entry.ts) runs as a child process on a
// seeded database file while simulated agents write over HTTP (claims, step updates, outputs,
// messages, completions). The child is killed with SIGKILL at random moments (some during start-up),
// restarted, and after each restart the file is checked: every write that had been answered 2xx is
// there, nothing half-done is visible, SQLite's and FTS5's integrity checks pass. The last round
// stops it with SIGTERM and checks the clean exit. Ends with `N passed, F failed`; exits 1 on failure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, prepareEntry, removeDb, startApi, type ApiChild } from "../test/crash/child";
import { seedWorkload } from "../test/crash/seed";
import { runAgent, verifyDatabase, type Ack, type CheckResult } from "../test/crash/workload";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : fallback;
};
const kills = Math.max(1, flag("--kills", Number(process.env.CRASH_KILLS) || 15));
const keep = argv.includes("--keep");
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

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-crash-"));
  const file = path.join(dir, "crash.db");
  const watchdog = setTimeout(() => {
    say(`crash test: gave up after ${elapsed()} (watchdog)`);
    say(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
    process.exit(1);
  }, 240_000);
  watchdog.unref();

  const [args, port] = await Promise.all([prepareEntry(), freePort()]);
  const seeded = seedWorkload(file, { tasksPerAgent: Math.max(100, kills * 20), tokensPerAgent: workersPerAgent });
  const names = seeded.agents.map((a) => a.name);
  say(`crash test: ${names.length} agents x ${workersPerAgent} workers, ${Object.keys(seeded.stepsByTask).length} tasks, ${kills} kills, database ${file}`);

  const acks: Ack[] = [];
  const refusals: { status: number; path: string; body: string }[] = [];
  let stopping = false;
  let child: ApiChild;
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
      // Once in a while the next incarnation dies too, while it opens the file and recovers the WAL.
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
    const checks = verifyDatabase(file, acks, { label: `kill ${k}` });
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

  // Last round: a clean stop. SIGTERM must exit 0 and leave the WAL checkpointed.
  await sleep(300);
  stopping = true;
  await Promise.all(workers);
  child!.proc.kill("SIGTERM");
  const t0 = Date.now();
  const { code } = await child!.exited;
  record({ name: "SIGTERM: exit 0 within 10 s", ok: code === 0 && Date.now() - t0 < 10_000, detail: `code ${code} after ${Date.now() - t0} ms\n${child!.output()}` });
  const wal = fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0;
  record({ name: "SIGTERM: WAL checkpointed", ok: wal === 0, detail: `${wal} bytes left in the WAL` });
  record({ name: "SIGTERM: pid file removed", ok: !fs.existsSync(`${file}.server.pid`) });
  for (const c of verifyDatabase(file, acks, { label: "final" })) record(c);
  record({
    name: "final: no refused request",
    ok: refusals.length === 0,
    detail: refusals
      .slice(0, 3)
      .map((r) => `${r.status} ${r.path} ${r.body}`)
      .join(" | "),
  });

  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const kinds = (["claim", "step", "output", "message", "complete"] as const).map((k) => `${acks.filter((a) => a.kind === k).length} ${k}s`).join(", ");
  say(`crash test: ${kills} kills, ${acks.length} acknowledged writes verified after every restart (${kinds}) in ${elapsed()}`);
  if (failed === 0 && !keep) {
    removeDb(file);
    fs.rmSync(dir, { recursive: true, force: true });
  } else say(`database kept in ${dir}`);
  say(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  say(`crash test: ${String((err as Error)?.stack ?? err)}`);
  say(`${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length + 1} failed`);
  process.exit(1);
});
