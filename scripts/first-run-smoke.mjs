#!/usr/bin/env node
// The newcomer's first minute, exactly as the README says it, on this checkout: `npm start` with
// nothing set but PORT, then `npm run seed` and `npm start` again. Run by .ci/run on CI's clean
// clone before the long suite, so a first start that crashes cannot land again.
//
// It needs a checkout without ./data (it creates it, and removes it afterwards). Plain Node, no
// dependencies beyond those `npm start` itself installs.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { freePort } from "./free-port.mjs";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const dataDir = path.join(root, "data");
const started = Date.now();
const DEMO = { email: "ada@agentdesk.local", password: "agentdesk-demo", task: "Implement POST /api/orders" };

/** Servers still running when a check fails: stopped before exiting, so nothing outlives the smoke. */
const running = new Set();

function fail(message, log) {
  // The whole group: nothing npm started may outlive a failed check.
  for (const p of running) killGroup(p, "SIGKILL");
  if (log) process.stderr.write(`\n--- output of the failing command ---\n${log.slice(-20_000)}\n---\n`);
  process.stderr.write(`first-run smoke: FAILED: ${message}\n`);
  cleanup();
  process.exit(1);
}

function cleanup() {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// The README's commands run with the machine's environment, minus anything of ours a developer
// may have exported: nothing set but PORT.
function newcomerEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("AGENTDESK_") || ["DATABASE_PATH", "HOST", "PORT", "AGENTS_DIR", "NODE_ENV", "LOG_LEVEL"].includes(k)) continue;
    if (k.startsWith("npm_")) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function killGroup(proc, signal) {
  try {
    process.kill(-proc.child.pid, signal);
  } catch {
    // gone already
  }
}

function start(cmd, args, env) {
  // A process group of its own, so a failure can stop everything npm started.
  const child = spawn(cmd, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const proc = { child, log: "", exited: null };
  child.stdout.on("data", (d) => (proc.log += d));
  child.stderr.on("data", (d) => (proc.log += d));
  running.add(proc);
  proc.done = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(proc);
      resolve((proc.exited = { code, signal }));
    }),
  );
  return proc;
}

async function run(cmd, args, env) {
  const p = start(cmd, args, env);
  const r = await p.done;
  if (r.code !== 0) fail(`${cmd} ${args.join(" ")} exited with ${r.code ?? r.signal}`, p.log);
  return p.log;
}

async function waitHealthy(base, proc, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exited) fail(`npm start exited with ${proc.exited.code ?? proc.exited.signal} before answering`, proc.log);
    try {
      const r = await fetch(`${base}/api/health`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  fail(`no answer from ${base}/api/health within ${timeoutMs / 1000} s`, proc.log);
}

/** Follows redirects by hand (like a browser would) and returns the chain and the last answer. */
async function follow(base, pathname, headers = {}) {
  const chain = [];
  let url = new URL(pathname, base);
  for (let i = 0; i < 10; i++) {
    const r = await fetch(url, { redirect: "manual", headers });
    chain.push(`${r.status} ${url.pathname}${url.search}`);
    const to = r.headers.get("location");
    if (r.status >= 300 && r.status < 400 && to) {
      url = new URL(to, url);
      if (url.origin !== new URL(base).origin) fail(`${pathname} redirected off the site, to ${url}`);
      continue;
    }
    return { res: r, url, chain, body: await r.text() };
  }
  fail(`${pathname}: too many redirects (${chain.join(" → ")})`);
}

/** SIGTERM to npm alone, as a process manager sends it: the server must stop, exit 0, and leave nothing behind. */
async function stop(proc, what, base) {
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => killGroup(proc, "SIGKILL"), 30_000);
  const r = await proc.done;
  clearTimeout(timer);
  if (r.code !== 0) fail(`${what}: SIGTERM ended it with ${r.code ?? r.signal}, not exit 0`, proc.log);
  const still = await fetch(`${base}/api/health`).then(
    () => true,
    () => false,
  );
  if (still) fail(`${what}: the server still answers after npm exited (SIGTERM did not reach it)`, proc.log);
}

const step = (s) => process.stdout.write(`first-run smoke: ${s}\n`);

if (fs.existsSync(dataDir)) {
  process.stderr.write(`first-run smoke: ${dataDir} exists; run this on a fresh clone (it creates and then removes ./data).\n`);
  process.exit(1);
}

try {
  const port = await freePort();
  const base = `http://localhost:${port}`;

  // 1. npm start on a fresh clone: the data folder, the database, the lock and the migrations.
  step(`npm start (PORT=${port}); the first start may build the dashboard`);
  let server = start("npm", ["start"], newcomerEnv({ PORT: String(port) }));
  await waitHealthy(base, server, 15 * 60_000);
  if (!/AgentDesk is ready at http:\/\/localhost:\d+/.test(server.log)) fail("the start line does not say the URL to open", server.log);
  const first = await follow(base, "/");
  if (first.url.pathname !== "/setup" || first.res.status !== 200) fail(`GET / should lead to the first-run page /setup with 200, went ${first.chain.join(" → ")}`, server.log);
  step(`GET / → ${first.chain.join(" → ")}`);
  const setup = await fetch(`${base}/setup`);
  if (setup.status !== 200) fail(`GET /setup answered ${setup.status}`, server.log);
  await stop(server, "the first start", base);
  step("SIGTERM → exit 0");

  // 2. The demo: npm run seed, then npm start again, then a demo account signs in.
  cleanup();
  const seeded = await run("npm", ["run", "seed"], newcomerEnv());
  if (!seeded.includes(DEMO.email)) fail("npm run seed did not print the demo accounts", seeded);
  step("npm run seed printed the demo accounts");
  server = start("npm", ["start"], newcomerEnv({ PORT: String(port) }));
  await waitHealthy(base, server, 5 * 60_000);
  const signIn = await fetch(`${base}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email: DEMO.email, password: DEMO.password }),
  });
  if (signIn.status !== 200) fail(`signing in as ${DEMO.email} answered ${signIn.status}: ${await signIn.text()}`, server.log);
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0];
  if (!cookie) fail("signing in set no session cookie", server.log);
  const overview = await follow(base, "/", { cookie });
  if (overview.url.pathname !== "/" || overview.res.status !== 200) fail(`the overview should answer 200, went ${overview.chain.join(" → ")}`, server.log);
  const tasks = await fetch(`${base}/api/v1/tasks?status=in_progress`, { headers: { cookie } });
  const list = tasks.status === 200 ? await tasks.json() : null;
  if (!list?.items?.some((t) => t.title === DEMO.task)) fail(`the seeded task "${DEMO.task}" is not in progress (${tasks.status})`, server.log);
  if (!overview.body.includes("Orders API for the storefront")) fail("the overview does not show the seeded instructions", server.log);
  step(`signed in as ${DEMO.email}; the overview shows the seeded work`);
  await stop(server, "the demo start", base);
  step("SIGTERM → exit 0");
  cleanup();
  step(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (err) {
  fail(err?.stack ?? String(err));
}
