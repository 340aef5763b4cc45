// Statements and round trips per agent API request on PostgreSQL (issue #21): the real API app
// (createApiApp, every middleware) in this process on a fresh database of the cluster, each of the
// API bench's operations sent a few times through app.fetch, counting what the engine's one
// connection sent. With pg-native every round trip blocks the process: this is the cost that
// matters in one process. `npx tsx bench/round-trips.ts --url postgres://…/postgres` (the cluster;
// a database rt_<pid> is created and dropped).
import { openPostgres } from "@/db/engine/pg";
import type { NativeClient, PgSyncSession } from "@/db/engine/pg-session";
import { createApiApp } from "@/lib/http/app";
import { loadAgentDefinitions } from "@/lib/agents";
import { syncAgents } from "@/lib/services";
import path from "node:path";
import pg from "pg";
import { prepareApiFixturePg } from "./lib/prepare-pg";
import { READER, WORKER, CLAIMER } from "./lib/prepare";

// As the API bench runs its server: no agent rate limit, production logging.
process.env.AGENTDESK_AGENT_RATE_LIMIT ??= "1000000000";
process.env.LOG_LEVEL ??= "silent";
const args = process.argv.slice(2);
const cluster = args.includes("--url") ? args[args.indexOf("--url") + 1] : process.env.BENCH_DATABASE_URL;
if (!cluster) throw new Error("--url postgres://… (the cluster) or BENCH_DATABASE_URL");
const name = `rt_${process.pid}`;
const urlOf = (db: string) => {
  const u = new URL(cluster);
  u.pathname = `/${db}`;
  return u.toString();
};

async function admin(text: string) {
  const c = new pg.Client({ connectionString: cluster });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

await admin(`CREATE DATABASE "${name}" TEMPLATE template0 LOCALE 'C'`);
try {
  const url = urlOf(name);
  const setup = openPostgres(url);
  syncAgents({ db: setup, actor: { kind: "system", name: "bench" } }, loadAgentDefinitions([path.join(process.cwd(), "agents")]).agents);
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

  const tasks = fx.workerTasks[0];
  let t = 0;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, "content-type": "application/json" });
  const ops: Record<string, () => Request> = {
    claim: () => new Request("http://x/api/v1/tasks/claim", { method: "POST", headers: bearer(fx.tokens.claimer), body: "{}" }),
    heartbeat: () => new Request(`http://x/api/v1/tasks/${tasks[t++ % tasks.length]}/heartbeat`, { method: "POST", headers: bearer(fx.tokens.worker), body: "{}" }),
    step: (() => {
      let i = 0;
      return () => {
        const task = tasks[Math.floor(i / (2 * fx.steps)) % tasks.length];
        const pos = Math.floor((i % (2 * fx.steps)) / 2) + 1;
        const status = i++ % 2 === 0 ? "in_progress" : "done";
        return new Request(`http://x/api/v1/tasks/${task}/steps/${pos}`, { method: "POST", headers: bearer(fx.tokens.worker), body: JSON.stringify({ status }) });
      };
    })(),
    inbox: () => new Request("http://x/api/v1/inbox?limit=50", { headers: bearer(fx.tokens.reader) }),
    send: () =>
      new Request("http://x/api/v1/messages", {
        method: "POST",
        headers: bearer(fx.tokens.worker),
        body: JSON.stringify({ to: READER, type: "status_update", subject: "Progress", body: "Half done.", taskId: tasks[t++ % tasks.length] }),
      }),
  };
  void WORKER;
  void CLAIMER;
  const N = 20;
  for (const [op, make] of Object.entries(ops)) {
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
    if (args.includes("--verbose")) console.log(`    the longest: ${one.join(" | ")}`);
  }
  db.$engine.close();
} finally {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}
