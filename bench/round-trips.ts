// Statements per agent API request, on either engine (issue #21): the real API app (createApiApp,
// every middleware) in this process, each of the API bench's operations (bench/api.ts) sent a few
// times through app.fetch, counting what went to the engine.
//
// PostgreSQL (`npx tsx bench/round-trips.ts --url postgres://…/postgres`, the cluster; a database
// rt_<pid> is created and dropped): what the engine's one connection sent. With pg-native every round
// trip blocks the process: this is the cost that matters in one process.
//
// SQLite (`npx tsx bench/round-trips.ts --engine sqlite`, a fresh file in a temporary folder): every
// statement better-sqlite3 ran for the request (its Statement methods and exec, wrapped in this
// process: the transaction's BEGIN IMMEDIATE and COMMIT included), then the same requests to the bare
// baseline (bench/baseline-server.ts, imported into this process on port 3471 with the agent in an
// x-agent header), each operation's statements side by side: `=` run by both, in the same order;
// `+` AgentDesk's only (authentication, mostly); `-` the baseline's only. `--verbose` prints the
// statements in full rather than with their column lists shortened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { openDatabase, type Db } from "@/db/client";
import { openPostgres } from "@/db/engine/pg";
import type { NativeClient, PgSyncSession } from "@/db/engine/pg-session";
import { createApiApp } from "@/lib/http/app";
import { loadAgentDefinitions } from "@/lib/agents";
import { syncAgents } from "@/lib/services";
import { prepareApiFixturePg } from "./lib/prepare-pg";
import { CLAIMER, prepareApiFixture, READER, WORKER, type ApiFixture } from "./lib/prepare";

// As the API bench runs its server: no agent rate limit, production logging.
process.env.AGENTDESK_AGENT_RATE_LIMIT ??= "1000000000";
process.env.LOG_LEVEL ??= "silent";
const args = process.argv.slice(2);
const arg = (k: string) => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const verbose = args.includes("--verbose");
const N = 20;
const system = { kind: "system" as const, name: "bench" };
const agentDefinitions = () => loadAgentDefinitions([path.join(process.cwd(), "agents")]).agents;

type Auth = (agent: string, token: string) => Record<string, string>;

/** The API bench's five operations (bench/api.ts), as requests to `base` on `tasks` (WORKER's, in progress, steps pending). */
function operations(fx: ApiFixture, tasks: string[], base: string, auth: Auth): Record<string, () => Request> {
  let t = 0;
  const post = (p: string, agent: string, token: string, body: unknown) =>
    new Request(base + p, { method: "POST", headers: { ...auth(agent, token), "content-type": "application/json" }, body: JSON.stringify(body) });
  let i = 0;
  return {
    claim: () => post("/api/v1/tasks/claim", CLAIMER, fx.tokens.claimer, {}),
    heartbeat: () => post(`/api/v1/tasks/${tasks[t++ % tasks.length]}/heartbeat`, WORKER, fx.tokens.worker, {}),
    // Each task's steps in order, in_progress then done: every request a legal move.
    step: () => {
      const task = tasks[Math.floor(i / (2 * fx.steps)) % tasks.length];
      const pos = Math.floor((i % (2 * fx.steps)) / 2) + 1;
      const status = i++ % 2 === 0 ? "in_progress" : "done";
      return post(`/api/v1/tasks/${task}/steps/${pos}`, WORKER, fx.tokens.worker, { status });
    },
    inbox: () => new Request(`${base}/api/v1/inbox?limit=50`, { headers: auth(READER, fx.tokens.reader) }),
    send: () => post("/api/v1/messages", WORKER, fx.tokens.worker, { to: READER, type: "status_update", subject: "Progress", body: "Half done.", taskId: tasks[t++ % tasks.length] }),
  };
}

const bearer: Auth = (_agent, token) => ({ authorization: `Bearer ${token}` });

async function postgres() {
  const cluster = arg("--url") ?? process.env.BENCH_DATABASE_URL;
  if (!cluster) throw new Error("--url postgres://… (the cluster) or BENCH_DATABASE_URL");
  const name = `rt_${process.pid}`;
  const u = new URL(cluster);
  u.pathname = `/${name}`;
  const url = u.toString();
  const admin = async (text: string) => {
    const c = new pg.Client({ connectionString: cluster });
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };

  await admin(`CREATE DATABASE "${name}" TEMPLATE template0 LOCALE 'C'`);
  try {
    const setup = openPostgres(url);
    syncAgents({ db: setup, actor: system }, agentDefinitions());
    setup.$engine.close();
    const fx = await prepareApiFixturePg(url, { claimable: 200, workerTasks: 40, servers: 1 });
    const db = openPostgres(url, { migrate: false });
    const session = (db as unknown as { session: PgSyncSession }).session;
    const { app } = createApiApp(db);

    // What went to the server: every synchronous call is a round trip; a pipeline (BEGIN + the first
    // statement) is one round trip for two statements.
    const count = { trips: 0, statements: 0, epoch: 0, texts: [] as string[] };
    const names = new Map<string, string>();
    const EPOCH = "SELECT n FROM agentdesk_epochs";
    const wrap = (c: NativeClient) => {
      const q = c.querySync.bind(c);
      const e = c.executeSync.bind(c);
      const p = c.prepareSync.bind(c);
      const ps = c.pq.pipelineSync.bind(c.pq);
      c.querySync = (text: string, values?: unknown[]) => {
        count.trips++;
        count.statements += text.split(";").filter((s) => s.trim()).length;
        count.texts.push(text.slice(0, 60));
        return q(text, values);
      };
      c.executeSync = (n: string, values: unknown[]) => {
        count.trips++;
        count.statements++;
        const text = names.get(n) ?? n;
        if (text.startsWith(EPOCH)) count.epoch++;
        count.texts.push(text.startsWith(EPOCH) ? "access epoch" : text.slice(0, 50));
        return e(n, values);
      };
      c.prepareSync = (n: string, text: string, k: number) => {
        count.trips++;
        names.set(n, text);
        return p(n, text, k);
      };
      c.pq.pipelineSync = () => {
        count.trips++;
        count.statements += pipelined.length;
        count.texts.push(`pipeline (${pipelined.map((t) => (t.startsWith(EPOCH) ? "access epoch" : t.slice(0, 40))).join(" + ")})`);
        if (pipelined.some((t) => t.startsWith(EPOCH))) count.epoch++;
        pipelined = [];
        return ps();
      };
      let pipelined: string[] = [];
      const sqp = c.pq.sendQueryParams.bind(c.pq);
      const sqn = c.pq.sendQueryPrepared.bind(c.pq);
      c.pq.sendQueryParams = (text: string, params: (string | null)[]) => {
        pipelined.push(text);
        return sqp(text, params);
      };
      c.pq.sendQueryPrepared = (n: string, params: (string | null)[]) => {
        pipelined.push(names.get(n) ?? n);
        return sqn(n, params);
      };
    };
    wrap(session.client);

    for (const [op, make] of Object.entries(operations(fx, fx.workerTasks[0], "http://x", bearer))) {
      // Warm: prepared statements, caches.
      for (let i = 0; i < 3; i++) await (await app.fetch(make())).text();
      // Requests 1 ms apart: the per-millisecond caches (the access epoch) are read as they are under load at about 1,000 req/s.
      count.trips = count.statements = count.epoch = 0;
      const statuses = new Set<number>();
      let one: string[] = [];
      for (let i = 0; i < N; i++) {
        await new Promise((r) => setTimeout(r, 1));
        count.texts = [];
        const res = await app.fetch(make());
        statuses.add(res.status);
        await res.text();
        if (count.texts.length > one.length) one = count.texts;
      }
      console.log(
        `${op.padEnd(9)} status ${[...statuses].join(",")}  round trips/request ${(count.trips / N).toFixed(2)}  statements/request ${(count.statements / N).toFixed(2)}  of which access-epoch reads ${(count.epoch / N).toFixed(2)} (at most one a millisecond)`,
      );
      if (verbose) console.log(`    the longest: ${one.join(" | ")}`);
    }
    db.$engine.close();
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** A statement's text on one line (what tells two statements apart: whitespace does not). */
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** oneLine, shortened (column lists, values lists) unless --verbose. */
function shown(text: string): string {
  if (verbose) return text;
  return text
    .replace(/(?:"[a-z_]+"(?:\."[a-z_]+")?, ){3,}"[a-z_]+"(?:\."[a-z_]+")?/g, (m) => `<${m.split(", ").length} columns>`)
    .replace(/\((?:(?:\?|null|default), ){3,}(?:\?|null|default)\)/g, (m) => `(<${m.split(", ").length} values>)`);
}

/** The longest common subsequence of two statement lists, as marked lines: `=` both, `+` a only, `-` b only. */
function sideBySide(a: string[], b: string[]): string[] {
  const L = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`= ${shown(a[i++])}`);
      j++;
    } else if (j >= b.length || (i < a.length && L[i + 1][j] >= L[i][j + 1])) out.push(`+ ${shown(a[i++])}`);
    else out.push(`- ${shown(b[j++])}`);
  }
  return out;
}

async function sqlite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-rt-"));
  const file = path.join(dir, "rt.db");
  const port = Number(arg("--port") ?? 3471);
  try {
    const setup = openDatabase(file);
    syncAgents({ db: setup, actor: system }, agentDefinitions());
    // Two lists of WORKER's tasks as in the bench: the first the baseline's, the second AgentDesk's.
    const fx = prepareApiFixture(setup, { claimable: 200, workerTasks: 80, servers: 2 });
    setup.$engine.close();

    // Every statement better-sqlite3 runs in this process (both connections), while `seen` is set.
    let seen: string[] | null = null;
    const probe = new Database(":memory:");
    const Statement = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<"run" | "get" | "all" | "iterate", (...a: unknown[]) => unknown>;
    for (const m of ["run", "get", "all", "iterate"] as const) {
      const original = Statement[m];
      Statement[m] = function (this: { source: string }, ...a: unknown[]) {
        seen?.push(this.source);
        return original.apply(this, a);
      };
    }
    const exec = Database.prototype.exec;
    Database.prototype.exec = function (this: Database.Database, source: string) {
      seen?.push(source);
      return exec.call(this, source);
    };
    probe.close();

    /** Sends each operation's requests (warmed with 3 first), N of them 1 ms apart, recording each one's statements. */
    const measure = async (ops: Record<string, () => Request>, send: (r: Request) => Promise<Response>) => {
      const out: Record<string, { statuses: Set<number>; lists: string[][] }> = {};
      for (const [op, make] of Object.entries(ops)) {
        for (let i = 0; i < 3; i++) await (await send(make())).text();
        const r = (out[op] = { statuses: new Set<number>(), lists: [] as string[][] });
        for (let i = 0; i < N; i++) {
          await new Promise((res) => setTimeout(res, 1));
          const list: string[] = [];
          seen = list;
          const res = await send(make());
          await res.text();
          seen = null;
          r.statuses.add(res.status);
          r.lists.push(list);
        }
      }
      return out;
    };

    // AgentDesk first, every operation, then the baseline: another connection's commits move
    // PRAGMA data_version, which AgentDesk's caches follow (the bench's rounds alternate too).
    const db: Db = openDatabase(file, { migrate: false });
    const { app } = createApiApp(db);
    const real = await measure(operations(fx, fx.workerTasks[1], "http://x", bearer), async (r) => app.fetch(r));
    db.$engine.close();

    // The baseline reads --db and --port from the command line when imported.
    process.argv.splice(2, process.argv.length, "--db", file, "--port", String(port));
    await import("./baseline-server");
    for (let i = 0; ; i++) {
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const xAgent: Auth = (agent) => ({ "x-agent": agent });
    const base = await measure(operations(fx, fx.workerTasks[0], `http://127.0.0.1:${port}`, xAgent), (r) => fetch(r));

    // Per request, averaged: statements both ran (in order), AgentDesk's cache checks, anything else one of them ran alone.
    const CHECK = "PRAGMA data_version";
    const summary: string[] = [];
    for (const op of Object.keys(real)) {
      const a = real[op];
      const b = base[op];
      const count = (lists: string[][]) => (lists.reduce((n, l) => n + l.length, 0) / lists.length).toFixed(1);
      console.log(`\n${op}: AgentDesk status ${[...a.statuses].join(",")}, ${count(a.lists)} statements/request; baseline status ${[...b.statuses].join(",")}, ${count(b.lists)} statements/request`);
      // Each distinct pair of lists once (a step's in_progress and done may differ), with how many requests ran it.
      const pairs = new Map<string, number>();
      for (let i = 0; i < N; i++) {
        const key = JSON.stringify([a.lists[i].map(oneLine), b.lists[i].map(oneLine)]);
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
      const marks = { "=": 0, check: 0, "+": 0, "-": 0 };
      for (const [key, n] of pairs) {
        const [x, y] = JSON.parse(key) as [string[], string[]];
        console.log(`  ${n} of ${N} requests: AgentDesk ${x.length}, baseline ${y.length}`);
        for (const line of sideBySide(x, y)) {
          console.log(`    ${line}`);
          const mark = line[0] as "=" | "+" | "-";
          marks[mark === "+" && line.slice(2) === CHECK ? "check" : mark] += n;
        }
      }
      const per = (k: keyof typeof marks) => (marks[k] / N).toFixed(1);
      summary.push(
        `${op.padEnd(10)} ${count(a.lists).padStart(9)} ${count(b.lists).padStart(8)} ${per("=").padStart(5)} ${per("check").padStart(30)} ${per("+").padStart(16)} ${per("-").padStart(15)}`,
      );
    }
    console.log(`\nper request   AgentDesk baseline  both  AgentDesk: ${CHECK}  AgentDesk: other  baseline: other`);
    for (const line of summary) console.log(line);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

if (arg("--engine") === "sqlite") await sqlite();
else await postgres();
