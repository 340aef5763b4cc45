#!/usr/bin/env node
// Runs before `npm start` and the browser tests: installs dependencies when they are missing or
// older than package-lock.json, and builds the pages when the sources changed since the last build.
// Plain Node with no dependencies, because it runs before they exist.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
process.chdir(root);

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const lock = path.join(root, "package-lock.json");
const installed = path.join(root, "node_modules", ".package-lock.json");
const needsInstall = !fs.existsSync(installed) || (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs + 1000);
if (needsInstall) run("npm", [fs.existsSync(lock) ? "ci" : "install"]);

// What the production build depends on. A content hash, not mtimes: a fresh clone or a
// checkout rewrites every mtime but changes nothing.
const inputs = ["app", "components", "lib", "db", "agents", "public", "next.config.js", "postcss.config.mjs", "tsconfig.json", "package-lock.json", "server.ts"];
const hash = createHash("sha256");
function walk(p) {
  if (!fs.existsSync(p)) return;
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      if (name.endsWith(".test.ts") || name.endsWith(".test.tsx")) continue;
      walk(path.join(p, name));
    }
  } else {
    hash.update(p);
    hash.update(fs.readFileSync(p));
  }
}
for (const i of inputs) walk(i);
const digest = hash.digest("hex");
const stamp = path.join(root, ".next", "agentdesk-build-hash");
const built = fs.existsSync(path.join(root, ".next", "BUILD_ID")) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === digest;
if (!built || process.env.AGENTDESK_FORCE_BUILD === "1") {
  run("npx", ["next", "build"]);
  fs.writeFileSync(stamp, digest);
} else {
  console.log("Build is up to date.");
}
