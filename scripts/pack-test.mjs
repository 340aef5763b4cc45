#!/usr/bin/env node
// The npm package, as someone without a clone gets it (`npm run test:pack`, the last step of `npm test`):
// `npm pack` (prepack builds it: scripts/build-package.mjs), a look at what the tarball holds, an
// install into an empty folder outside the repository, then `agentdesk serve` on a free port with an
// empty HOME and no DATABASE_PATH: /api/health, the first-run page, the data in ~/.agentdesk, CLI
// commands on the same database and over HTTP, SIGTERM and exit 0.
//
// The install hands better-sqlite3 this repository's own binary: scripts/package-install.mjs says why.
// Plain Node, no dependencies.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.mjs";
import { install, pack, PackError, root, strangerEnv } from "./package-install.mjs";

const started = Date.now();
const work = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-pack-"));
const running = new Set();
const step = (s) => process.stdout.write(`pack test: ${s}\n`);

function fail(message, log) {
  for (const child of running) child.kill("SIGKILL");
  if (log) process.stderr.write(`\n--- output ---\n${log.slice(-20_000)}\n---\n`);
  process.stderr.write(`pack test: FAILED: ${message}\n`);
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

const home = path.join(work, "home");
const env = strangerEnv(home);

try {
  // 1. The tarball.
  step("npm pack (builds the dashboard if the sources changed, compiles dist/)");
  const packed = pack(work);
  const files = packed.files.map((f) => f.path);
  const unwanted = files.filter(
    (f) => /(^|\/)(test|tests|e2e|bench|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f) || /\.map$|\.nft\.json$|\.tsx?$/.test(f) || f.startsWith(".next/cache/"),
  );
  if (unwanted.length) fail(`the package holds files it does not need: ${unwanted.slice(0, 10).join(", ")}${unwanted.length > 10 ? ` (${unwanted.length} in all)` : ""}`);
  for (const needed of [
    "bin/agentdesk.mjs",
    "bin/agentdesk-hook.mjs",
    "dist/cli.mjs",
    "dist/seed.mjs",
    ".next/BUILD_ID",
    "db/migrations/meta/_journal.json",
    "agents/backend-developer.md",
    "next.config.js",
    "LICENSE",
    "README.md",
  ]) {
    if (!files.includes(needed)) fail(`the package lacks ${needed}`);
  }
  step(`${packed.filename}: ${files.length} files, ${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked; no test, bench, source or source-map files`);

  // 2. Installed into an empty folder outside the repository.
  fs.mkdirSync(home);
  const { app, bin, ms, installedBytes } = install(work, packed.tarball, env);
  if (!fs.existsSync(bin)) fail("npm install put no agentdesk command in node_modules/.bin");
  if (fs.existsSync(path.join(app, "node_modules", "tsx"))) fail("tsx was installed: the package must run without a TypeScript loader");
  step(`npm install of the tarball: ${(ms / 1000).toFixed(0)} s, node_modules ${(installedBytes / 1024 / 1024).toFixed(0)} MB`);

  // 3. agentdesk serve with nothing set but the port.
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const server = spawn(bin, ["serve", "--port", String(port)], { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] });
  running.add(server);
  let log = "";
  let exited = null;
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const done = new Promise((resolve) => server.on("exit", (code, signal) => resolve((exited = { code, signal }))));
  const serveStarted = Date.now();
  for (;;) {
    if (exited) fail(`agentdesk serve exited with ${exited.code ?? exited.signal} before answering`, log);
    if (Date.now() - serveStarted > 60_000) fail("no answer from /api/health within 60 s", log);
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  step(`agentdesk serve answered /api/health after ${Date.now() - serveStarted} ms`);
  if (!log.includes(`AgentDesk is ready at ${base}`)) fail("the start banner does not say the URL to open", log);

  // The first-run page, reached from / as a browser would.
  let url = new URL("/", base);
  const chain = [];
  let page;
  for (let i = 0; i < 5; i++) {
    page = await fetch(url, { redirect: "manual" });
    chain.push(`${page.status} ${url.pathname}`);
    const to = page.headers.get("location");
    if (page.status < 300 || page.status >= 400 || !to) break;
    url = new URL(to, url);
  }
  const html = await page.text();
  if (url.pathname !== "/setup" || page.status !== 200 || !html.includes("Set up AgentDesk")) fail(`GET / should lead to the first-run page /setup, went ${chain.join(" → ")}`, log);
  step(`GET / → ${chain.join(" → ")}: the first-run page`);

  // The data is in the per-user folder, not in the working directory.
  const db = path.join(home, ".agentdesk", "agentdesk.db");
  if (!fs.existsSync(db)) fail(`no database at ${db}`, log);
  if (fs.existsSync(path.join(app, "data"))) fail("the installed package created ./data in the working directory", log);

  // 4. CLI commands: an admin command on the same database, then an agent command over HTTP.
  const cli = (args, input) => {
    const r = spawnSync(bin, args, { cwd: app, env, input, encoding: "utf8" });
    if (r.status !== 0) fail(`agentdesk ${args.join(" ")} exited with ${r.status ?? r.signal}: ${r.stderr}`, log);
    return r.stdout.trim();
  };
  const version = cli(["--version"]);
  if (version !== JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version) fail(`agentdesk --version printed ${version}`);
  cli(["user", "create", "--email", "admin@example.com", "--role", "admin", "--password-stdin"], "a long enough password\n");
  const setup = await fetch(`${base}/setup`, { redirect: "manual" });
  if (setup.status !== 404) fail(`/setup answered ${setup.status} after agentdesk user create: the CLI and the server do not share ${db}`, log);
  const token = cli(["token", "create", "--agent", "backend-developer"]);
  const whoami = cli(["whoami", "--url", base, "--token", token]);
  if (!whoami.includes("backend-developer")) fail(`agentdesk whoami printed ${JSON.stringify(whoami)}`, log);
  step("agentdesk --version, user create, token create (on ~/.agentdesk/agentdesk.db) and whoami (over HTTP) ran");

  // 5. SIGTERM: exit 0, nothing left listening.
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 15_000);
  const end = await done;
  clearTimeout(timer);
  running.delete(server);
  if (end.code !== 0) fail(`SIGTERM ended agentdesk serve with ${end.code ?? end.signal}, not exit 0`, log);
  step("SIGTERM → exit 0");
  fs.rmSync(work, { recursive: true, force: true });
  step(`passed in ${Math.round((Date.now() - started) / 1000)} s`);
} catch (err) {
  fail(err instanceof PackError ? err.message : (err?.stack ?? String(err)), err instanceof PackError ? err.output : undefined);
}
