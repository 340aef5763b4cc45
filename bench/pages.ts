// Pages through the production build: time to first byte, full load in Chromium, and the client
// JavaScript each route ships (gzip) beside a bare Next.js page built the same way (bench/hello/).
import { spawnSync, execSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import Database from "better-sqlite3";
import { chromium, type Browser } from "@playwright/test";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { agentsDirFor } from "./generate";
import { ensureBenchPerson } from "./lib/prepare";
import { sleep, startTs } from "./lib/proc";
import { quantile, round } from "./lib/stats";

export interface PagesOptions {
  db: string;
  ttfbSamples: number;
  loadSamples: number;
  /** Build the app first when its sources changed (scripts/ensure-ready.mjs). */
  build: boolean;
  log: (s: string) => void;
}

export interface RouteResult {
  name: string;
  path: string;
  status: number | null;
  missing: boolean;
  ttfb: { p50: number; p95: number; n: number; completeP50: number; htmlKB: number } | null;
  load: { cold: number; warmP50: number; n: number } | null;
  js: { gzipKB: number; rawKB: number; files: number; beyondBaselineKB: number; largest: { path: string; gzipKB: number; pulledBy: string[] }[] } | null;
  meetsTarget: boolean | null;
  note?: string;
}

export interface PagesResult {
  database: string;
  build: { id: string | null; builtAt: string | null };
  baseline: { gzipKB: number; rawKB: number; files: number; ttfbP50: number | null };
  routes: RouteResult[];
  notes: string[];
  /** Seconds spent building (the app when its sources changed, the bare page when missing), not measuring. */
  buildS?: number;
}

const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
  "--disable-dev-shm-usage",
];

function otherBuildRunning(): boolean {
  try {
    return (
      execSync("pgrep -f 'next[ ]build'", { stdio: ["ignore", "pipe", "ignore"] })
        .toString()
        .trim().length > 0
    );
  } catch {
    return false;
  }
}

/** Waits (up to 20 min) while someone else's `next build` runs: two at once would starve this 2-core machine. */
async function waitForOtherBuilds(log: (s: string) => void) {
  for (let i = 0; otherBuildRunning() && i < 240; i++) {
    if (i % 12 === 0) log("pages: another `next build` is running; waiting for it");
    await sleep(5000);
  }
}

async function ensureAppBuild(log: (s: string) => void) {
  await waitForOtherBuilds(log);
  log("pages: node scripts/ensure-ready.mjs (builds only when the sources changed)");
  const r = spawnSync(process.execPath, ["scripts/ensure-ready.mjs"], { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`ensure-ready failed:\n${out.slice(-4000)}`);
  log(`pages: ${out.includes("next build") ? "built the app" : "build is up to date"}`);
}

const helloDir = path.join("bench", "hello");

async function ensureHelloBuild(log: (s: string) => void) {
  const id = path.join(helloDir, ".next", "BUILD_ID");
  const sources = ["app/layout.jsx", "app/page.jsx", "next.config.mjs"].map((f) => fs.statSync(path.join(helloDir, f)).mtimeMs);
  if (fs.existsSync(id) && fs.statSync(id).mtimeMs > Math.max(...sources)) return;
  await waitForOtherBuilds(log);
  log("pages: building the bare Next.js baseline (bench/hello)");
  const r = spawnSync(path.resolve("node_modules/.bin/next"), ["build"], { cwd: helloDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (r.status !== 0) throw new Error(`bench/hello build failed:\n${r.stdout}${r.stderr}`);
}

/**
 * Time to first byte (and to the last: the pages stream), sequential GETs on one keep-alive
 * connection, body drained each time, as a browser asks for a page (no compression asked for).
 */
async function timeToFirstByte(url: string, cookie: string | null, n: number): Promise<{ samples: number[]; complete: number[]; bytes: number; status: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  const complete: number[] = [];
  let status = 0;
  let bytes = 0;
  const once = () =>
    new Promise<[number, number]>((resolve, reject) => {
      const started = performance.now();
      const req = http.get(url, { agent, headers: cookie ? { cookie } : {} }, (res) => {
        const first = performance.now() - started;
        status = res.statusCode ?? 0;
        let size = 0;
        res.on("data", (d: Buffer) => (size += d.length));
        res.on("end", () => {
          bytes = size;
          resolve([first, performance.now() - started]);
        });
      });
      req.on("error", reject);
    });
  // Two unmeasured requests: the first render of a route loads its server chunks.
  await once();
  await once();
  for (let i = 0; i < n; i++) {
    const [first, all] = await once();
    samples.push(first);
    complete.push(all);
  }
  agent.destroy();
  return { samples: samples.sort((a, b) => a - b), complete: complete.sort((a, b) => a - b), bytes, status };
}

interface Scripts {
  files: number;
  raw: number;
  gzip: number;
  /** Each downloaded script: its path and gzipped size. */
  list: { path: string; gzip: number }[];
}

/** Loads a URL in a fresh context (cold cache): the load time and every script it downloaded, gzipped here. */
async function loadInBrowser(browser: Browser, base: string, url: string, cookie: string | null, warm: number): Promise<{ cold: number; warm: number[]; scripts: Scripts; finalUrl: string }> {
  const context = await browser.newContext();
  if (cookie) {
    const [name, value] = cookie.split("=");
    await context.addCookies([{ name, value, url: base }]);
  }
  const page = await context.newPage();
  const bodies: Promise<{ path: string; body: Buffer } | null>[] = [];
  page.on("response", (res) => {
    if (res.request().resourceType() === "script") {
      bodies.push(
        res
          .body()
          .then((body) => ({ path: new URL(res.url()).pathname, body }))
          .catch(() => null),
      );
    }
  });
  const loadTime = () =>
    page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      return nav ? nav.loadEventEnd - nav.startTime : NaN;
    });
  await page.goto(url, { waitUntil: "load", timeout: 60_000 });
  const cold = await loadTime();
  const scripts = (await Promise.all(bodies)).filter((b): b is { path: string; body: Buffer } => !!b).map((b) => ({ path: b.path, raw: b.body.length, gzip: zlib.gzipSync(b.body).length }));
  const warmTimes: number[] = [];
  for (let i = 0; i < warm; i++) {
    await page.goto(url, { waitUntil: "load", timeout: 60_000 });
    warmTimes.push(await loadTime());
  }
  const finalUrl = page.url();
  await context.close();
  return {
    cold,
    warm: warmTimes.sort((a, b) => a - b),
    scripts: {
      files: scripts.length,
      raw: scripts.reduce((n, b) => n + b.raw, 0),
      gzip: scripts.reduce((n, b) => n + b.gzip, 0),
      list: scripts.map((b) => ({ path: b.path, gzip: b.gzip })).sort((a, b) => b.gzip - a.gzip),
    },
    finalUrl,
  };
}

/**
 * Which client components pull each script of a route, from the build's client reference manifest
 * (`.next/server/app/<route>/page_client-reference-manifest.js`): entry modules per chunk.
 */
function chunkOwners(urlPath: string): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  try {
    const routes = JSON.parse(fs.readFileSync(".next/app-path-routes-manifest.json", "utf8")) as Record<string, string>;
    const pathname = urlPath.split("?")[0];
    const hit = Object.entries(routes).find(([, route]) => new RegExp(`^${route.replace(/\[[^\]]+\]/g, "[^/]+")}$`).test(pathname));
    if (!hit) return owners;
    const file = path.join(".next", "server", "app", `${hit[0]}_client-reference-manifest.js`);
    const g = globalThis as { __RSC_MANIFEST?: Record<string, { clientModules: Record<string, { chunks: string[] }> }> };
    g.__RSC_MANIFEST = {};
    new Function(fs.readFileSync(file, "utf8"))();
    const manifest = Object.values(g.__RSC_MANIFEST)[0];
    for (const [mod, v] of Object.entries(manifest?.clientModules ?? {})) {
      const name = mod.replace(/ <module evaluation>$/, "").replace(/^\[project\]\//, "");
      for (const c of v.chunks) {
        const list = owners.get(c) ?? [];
        if (!list.includes(name)) list.push(name);
        owners.set(c, list);
      }
    }
  } catch {
    // No manifest (another build layout): the sizes stay unattributed.
  }
  return owners;
}

/** Ids worth opening in the large dataset: a busy task, a long people's thread, an output with versions. */
function pickIds(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const task = db
      .prepare(
        `SELECT task_id AS id FROM messages WHERE task_id IN (SELECT id FROM tasks WHERE assigned_agent = 'backend-developer' AND status = 'in_progress' ORDER BY updated_at DESC LIMIT 300) GROUP BY task_id ORDER BY count(*) DESC LIMIT 1`,
      )
      .get() as { id: string } | undefined;
    const thread = db
      .prepare(`SELECT thread_id AS id FROM messages WHERE to_inbox = 'hitl' AND seq > (SELECT max(seq) - 50000 FROM messages) GROUP BY thread_id ORDER BY count(*) DESC LIMIT 1`)
      .get() as { id: string } | undefined;
    const output = db.prepare(`SELECT id FROM outputs WHERE version = 3 AND status = 'pending_review' ORDER BY id LIMIT 1`).get() as { id: string } | undefined;
    return { taskId: task?.id, threadId: thread?.id, outputId: output?.id };
  } finally {
    db.close();
  }
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json", origin: base }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const set = res.headers.get("set-cookie") ?? "";
  const m = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(set);
  if (!m) throw new Error("sign-in returned no session cookie");
  return `${SESSION_COOKIE}=${m[1]}`;
}

/** kB as in the targets (1,000 bytes). */
const kb = (n: number) => round(n / 1000, 1);

export async function runPages(o: PagesOptions): Promise<PagesResult> {
  const notes: string[] = [];
  const buildStarted = performance.now();
  if (o.build) await ensureAppBuild(o.log);
  await ensureHelloBuild(o.log);
  const buildS = round((performance.now() - buildStarted) / 1000, 1);
  const buildId = fs.existsSync(".next/BUILD_ID") ? fs.readFileSync(".next/BUILD_ID", "utf8").trim() : null;
  const builtAt = buildId ? fs.statSync(".next/BUILD_ID").mtime.toISOString() : null;
  const person = await ensureBenchPerson(o.db);
  const ids = pickIds(o.db);

  // The bare baseline (`next start` of bench/hello), the app (server.ts in production on the dataset;
  // every generated agent stays defined through AGENTS_DIR, and the lease sweeper is held off so it
  // does not rewrite the dataset meanwhile) and Chromium start at once: nothing is measured until
  // all three are up, and starting them one after the other took seconds of the quick pass.
  const helloPort = 3310;
  const port = 3300;
  const base = `http://127.0.0.1:${port}`;
  const extraAgents = agentsDirFor(path.resolve(o.db));
  const starting = await Promise.allSettled([
    chromium.launch({ executablePath: "/usr/bin/chromium", args: BROWSER_ARGS }),
    startTs(path.resolve("node_modules/next/dist/bin/next"), ["start", "-p", String(helloPort), "-H", "127.0.0.1"], {
      ready: /Ready|started server|Local:/i,
      env: { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      cwd: helloDir,
      plainNode: true,
    }),
    startTs("server.ts", [], {
      ready: /AgentDesk is ready/,
      stdoutFile: path.join(os.tmpdir(), "agentdesk-bench-pages-server.log"),
      env: {
        NODE_ENV: "production",
        DATABASE_PATH: path.resolve(o.db),
        PORT: String(port),
        HOST: "127.0.0.1",
        AGENTDESK_SWEEP_MS: "2000000000",
        ...(fs.existsSync(extraAgents) ? { AGENTS_DIR: ["agents", extraAgents].join(path.delimiter) } : {}),
      },
      timeoutMs: 180_000,
    }),
  ]);
  const [launched, helloStarted, appStarted] = starting;
  if (launched.status === "rejected" || helloStarted.status === "rejected" || appStarted.status === "rejected") {
    if (launched.status === "fulfilled") await launched.value.close();
    if (helloStarted.status === "fulfilled") await helloStarted.value.stop();
    if (appStarted.status === "fulfilled") await appStarted.value.stop();
    throw (starting.find((x) => x.status === "rejected") as PromiseRejectedResult).reason;
  }
  const browser = launched.value;
  const hello = helloStarted.value;
  const app = appStarted.value;
  try {
    let baseline: PagesResult["baseline"];
    try {
      const helloBase = `http://127.0.0.1:${helloPort}`;
      const t = await timeToFirstByte(`${helloBase}/`, null, o.ttfbSamples);
      const b = await loadInBrowser(browser, helloBase, `${helloBase}/`, null, 0);
      baseline = { gzipKB: kb(b.scripts.gzip), rawKB: kb(b.scripts.raw), files: b.scripts.files, ttfbP50: round(quantile(t.samples, 0.5)) };
      o.log(`pages: bare Next.js page ships ${baseline.gzipKB} kB of gzipped JavaScript in ${baseline.files} files`);
    } finally {
      await hello.stop();
    }

    const routes: RouteResult[] = [];
    const cookie = await signIn(base, person.email, person.password);
    const list: { name: string; path: string | null; note?: string }[] = [
      { name: "overview", path: "/" },
      { name: "task board", path: "/tasks" },
      { name: "task board, one agent", path: "/tasks?agent=backend-developer" },
      { name: "task detail", path: ids.taskId ? `/tasks/${ids.taskId}` : null },
      { name: "inbox", path: "/inbox/hitl", note: "/inbox redirects here" },
      { name: "thread", path: ids.threadId ? `/inbox/hitl/${ids.threadId}` : null, note: "/inbox?thread=… redirects here" },
      { name: "output diff", path: ids.outputId ? `/outputs/${ids.outputId}` : null },
      { name: "agent page", path: "/agents/backend-developer" },
    ];
    for (const r of list) {
      if (!r.path) {
        routes.push({ name: r.name, path: "-", status: null, missing: true, ttfb: null, load: null, js: null, meetsTarget: null, note: "no suitable id in this dataset" });
        continue;
      }
      const t = await timeToFirstByte(base + r.path, cookie, o.ttfbSamples);
      const missing = t.status === 404;
      if (missing || t.status >= 400) {
        routes.push({ name: r.name, path: r.path, status: t.status, missing, ttfb: null, load: null, js: null, meetsTarget: null, note: missing ? "route missing (404)" : `status ${t.status}` });
        o.log(`pages: ${r.name} ${r.path} → ${t.status}`);
        continue;
      }
      const b = await loadInBrowser(browser, base, base + r.path, cookie, o.loadSamples);
      const ttfb = { p50: round(quantile(t.samples, 0.5)), p95: round(quantile(t.samples, 0.95)), n: t.samples.length, completeP50: round(quantile(t.complete, 0.5)), htmlKB: kb(t.bytes) };
      const owners = chunkOwners(r.path);
      const largest = b.scripts.list.slice(0, 8).map((x) => ({
        path: x.path.replace("/_next/static/chunks/", ""),
        gzipKB: kb(x.gzip),
        // The framework's own chunks are pulled by dozens of next/dist modules: name the app's and the packages.
        pulledBy: (owners.get(x.path) ?? []).filter((m) => !m.startsWith("node_modules/next/")).slice(0, 6),
      }));
      const js = { gzipKB: kb(b.scripts.gzip), rawKB: kb(b.scripts.raw), files: b.scripts.files, beyondBaselineKB: round(kb(b.scripts.gzip) - baseline.gzipKB, 1), largest };
      const load = { cold: round(b.cold), warmP50: round(quantile(b.warm, 0.5)), n: b.warm.length };
      const note = b.finalUrl.includes("/sign-in") ? "redirected to sign-in (session not accepted)" : r.note;
      routes.push({ name: r.name, path: r.path, status: t.status, missing: false, ttfb, load, js, meetsTarget: ttfb.p50 < 150 && js.beyondBaselineKB <= 120, note });
      o.log(
        `pages: ${r.name.padEnd(22)} TTFB p50 ${ttfb.p50} ms p95 ${ttfb.p95} ms, whole ${ttfb.completeP50} ms ${ttfb.htmlKB} kB | load cold ${load.cold} ms${load.n ? ` warm ${load.warmP50} ms` : ""} | JS ${js.gzipKB} kB gz (+${js.beyondBaselineKB})`,
      );
    }
    return { database: o.db, build: { id: buildId, builtAt }, baseline, routes, notes, buildS };
  } finally {
    await app.stop();
    await browser.close();
  }
}
