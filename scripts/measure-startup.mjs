#!/usr/bin/env node
// Start-up and CLI times, clone against package (docs/benchmarks.md, "Start-up: clone and package"):
//
//   npm run bench:startup                 # 3 server starts and 5 runs of each CLI command per way
//   npm run bench:startup -- --rounds 5
//
// Clone: the server as `npm start` runs it once the build is there (`node --import tsx server.ts`,
// production), the CLI as `npx agentdesk` in a clone (bin/agentdesk.mjs → tsx → cli/main.ts).
// Package: `npm pack`, installed into an empty folder (scripts/package-install.mjs), `agentdesk serve`
// and the installed `agentdesk`. Each server start is on a fresh database (migrations included, both
// ways alike); times are from the spawn to the first 200 of /api/health and of the first-run page.
// Prints a Markdown table (medians, with min-max) and the package's sizes. Needs the production
// build (npm pack makes it when stale). Plain Node, no dependencies.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.mjs";
import { install, pack, root, strangerEnv } from "./package-install.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const serverRounds = arg("rounds", 3);
const cliRounds = Math.max(serverRounds, 5);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-startup-"));
const log = (s) => process.stderr.write(`${s}\n`);

async function until(url, since, child) {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before ${url} answered`);
    if (Date.now() - since > 120_000) throw new Error(`${url}: no 200 within 120 s`);
    const ok = await fetch(url, { redirect: "manual" }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return Date.now() - since;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One server start: ms to /api/health, ms to the first-run page; then SIGTERM and wait. */
async function startOnce(cmd, args, opts) {
  const port = await freePort();
  const since = Date.now();
  const child = spawn(cmd, [...args(port)], { ...opts, env: { ...opts.env, PORT: String(port) }, stdio: "ignore" });
  try {
    const health = await until(`http://localhost:${port}/api/health`, since, child);
    const page = await until(`http://localhost:${port}/setup`, since, child);
    return { health, page };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

function timeCli(cmd, args, opts) {
  const since = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { ...opts, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - since) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${(median(xs) / 1000).toFixed(2)} s (${(Math.min(...xs) / 1000).toFixed(2)}-${(Math.max(...xs) / 1000).toFixed(2)})`;

try {
  log("packing and installing the package…");
  const home = path.join(work, "home");
  fs.mkdirSync(home);
  const env = strangerEnv(home);
  const packed = pack(work);
  const installed = install(work, packed.tarball, env);

  const ways = {
    clone: {
      server: (db) => ({ cmd: process.execPath, args: () => ["--import", "tsx", "server.ts"], opts: { cwd: root, env: { ...env, NODE_ENV: "production", LOG_LEVEL: "warn", DATABASE_PATH: db } } }),
      cli: (db) => ({ cmd: process.execPath, pre: [path.join(root, "bin", "agentdesk.mjs")], opts: { cwd: root, env: { ...env, DATABASE_PATH: db } } }),
    },
    package: {
      server: () => ({ cmd: installed.bin, args: (port) => ["serve", "--port", String(port)], opts: { cwd: installed.app, env: { ...env, LOG_LEVEL: "warn" } } }),
      cli: () => ({ cmd: installed.bin, pre: [], opts: { cwd: installed.app, env } }),
    },
  };
  const results = {};
  for (const [name, way] of Object.entries(ways)) {
    const r = (results[name] = { health: [], page: [], version: [], users: [] });
    for (let i = 0; i < serverRounds; i++) {
      const db = path.join(work, `${name}-${i}`, "agentdesk.db");
      fs.rmSync(path.join(home, ".agentdesk"), { recursive: true, force: true });
      const s = way.server(db);
      const t = await startOnce(s.cmd, s.args, s.opts);
      r.health.push(t.health);
      r.page.push(t.page);
      log(`${name} start ${i + 1}: /api/health ${t.health} ms, first page ${t.page} ms`);
    }
    const db = path.join(work, `${name}-0`, "agentdesk.db");
    for (let i = 0; i < cliRounds; i++) {
      const c = way.cli(db);
      r.version.push(timeCli(c.cmd, [...c.pre, "--version"], c.opts));
      r.users.push(timeCli(c.cmd, [...c.pre, "user", "list"], c.opts));
    }
    log(`${name} CLI: --version ${fmt(r.version)}, user list ${fmt(r.users)}`);
  }

  const rows = [
    ["server start → first `/api/health` 200", "health"],
    ["server start → first page (`/setup`) 200", "page"],
    ["`agentdesk --version`", "version"],
    ["`agentdesk user list` (opens the database)", "users"],
  ];
  const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  process.stdout.write(
    [
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}; median of ${serverRounds} starts and ${cliRounds} CLI runs (min-max)`,
      "",
      "| measured | clone (`node --import tsx server.ts`, `bin/agentdesk.mjs` → tsx) | package (`agentdesk serve`, `agentdesk`) |",
      "| --- | --- | --- |",
      ...rows.map(([label, key]) => `| ${label} | ${fmt(results.clone[key])} | ${fmt(results.package[key])} |`),
      "",
      `Package: ${packed.filename}, ${packed.entryCount} files, ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked; installed with its dependencies: node_modules ${mb(installed.installedBytes)} (npm install ${(installed.ms / 1000).toFixed(0)} s here).`,
      "",
    ].join("\n"),
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
