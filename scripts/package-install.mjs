// Packs AgentDesk and installs the tarball into an empty folder, as someone without a clone gets it.
// Shared by the package test (scripts/pack-test.mjs) and the start-up measurement
// (scripts/measure-startup.mjs). Plain Node, no dependencies.
//
// better-sqlite3 is a normal dependency, installed for the platform: on a user's machine its install
// script downloads a prebuilt binary (or compiles one). This machine cannot reach the download, so
// prebuild-install is handed the binary this repository's own install compiled for this very
// platform (its local-prebuilds folder) instead of compiling SQLite again for a minute and a half.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export class PackError extends Error {
  constructor(message, output = "") {
    super(message);
    this.output = output;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"], ...opts });
  if (r.status !== 0) throw new PackError(`${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`, `${r.stdout ?? ""}${r.stderr ?? ""}`);
  return r.stdout;
}

/** The environment of someone who never cloned AgentDesk: the machine's, without anything of ours. */
export function strangerEnv(home) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith("AGENTDESK_") || k.startsWith("npm_") || ["DATABASE_PATH", "HOST", "PORT", "AGENTS_DIR", "NODE_ENV", "LOG_LEVEL", "XDG_DATA_HOME", "TSX_TSCONFIG_PATH"].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, HOME: home };
}

/** `npm pack` into `work` (prepack builds: scripts/build-package.mjs); npm's report of it. */
export function pack(work) {
  const out = run("npm", ["pack", "--json", "--pack-destination", work], { cwd: root });
  // The prepack script's progress comes first on stdout; npm's JSON is the last thing.
  const report = JSON.parse(out.slice(out.lastIndexOf("\n[\n") + 1))[0];
  return { ...report, tarball: path.join(work, report.filename) };
}

/** Installs `tarball` into `<work>/app` (a new, empty project); returns the folder, the command and the time taken. */
export function install(work, tarball, env) {
  const app = path.join(work, "app");
  fs.mkdirSync(app, { recursive: true });
  fs.writeFileSync(path.join(app, "package.json"), '{ "private": true }\n');
  const prebuilds = path.join(work, "prebuilds");
  fs.mkdirSync(prebuilds, { recursive: true });
  const sqlite = path.join(root, "node_modules", "better-sqlite3");
  const version = JSON.parse(fs.readFileSync(path.join(sqlite, "package.json"), "utf8")).version;
  const binary = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  run("tar", ["-czf", path.join(prebuilds, binary), "-C", sqlite, "build/Release/better_sqlite3.node"]);
  const started = Date.now();
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: app, env: { ...env, npm_config_better_sqlite3_local_prebuilds: prebuilds } });
  const du = spawnSync("du", ["-sk", path.join(app, "node_modules")], { encoding: "utf8" });
  return { app, bin: path.join(app, "node_modules", ".bin", "agentdesk"), ms: Date.now() - started, installedBytes: Number(du.stdout.split("\t")[0]) * 1024 };
}
