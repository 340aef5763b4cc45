#!/usr/bin/env node
// Prepares what `npm pack` puts in the package (run by the `prepack` script): the dashboard's
// production build (.next, through scripts/ensure-ready.mjs: built only when the sources changed) and
// the server and the CLI compiled to plain JavaScript in dist/ (esbuild; the dependencies stay
// imports, installed by npm for the user's platform, better-sqlite3 included). The installed package
// runs bin/agentdesk.mjs → dist/cli.mjs (`agentdesk serve` loads the server from there), and
// dist/seed.mjs for `agentdesk seed`. No TypeScript loader at run time; see docs/settings.md for
// where an installed AgentDesk keeps its data.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

const ready = spawnSync(process.execPath, [path.join(root, "scripts", "ensure-ready.mjs")], { stdio: "inherit" });
if (ready.status !== 0) process.exit(ready.status ?? 1);

// Turbopack reaches the server packages it leaves external (better-sqlite3, shiki) through links
// such as .next/node_modules/better-sqlite3-<hash> → ../../node_modules/better-sqlite3. A package
// holds no links, and installed, the dependency may sit in a node_modules further up: each link
// becomes a tiny package that loads the dependency by name, found wherever npm put it. The clone
// runs the same build, so it works there too.
const linked = path.join(root, ".next", "node_modules");
for (const name of fs.existsSync(linked) ? fs.readdirSync(linked) : []) {
  const at = path.join(linked, name);
  if (!fs.lstatSync(at).isSymbolicLink()) continue;
  const target = path
    .relative(path.join(root, "node_modules"), path.resolve(linked, fs.readlinkSync(at)))
    .split(path.sep)
    .join("/");
  const namespace = await import(target);
  fs.rmSync(at);
  fs.mkdirSync(at);
  fs.writeFileSync(path.join(at, "package.json"), `${JSON.stringify({ name, private: true, exports: { import: "./index.mjs", require: "./index.cjs" } }, null, 2)}\n`);
  fs.writeFileSync(path.join(at, "index.cjs"), `module.exports = require(${JSON.stringify(target)});\n`);
  fs.writeFileSync(path.join(at, "index.mjs"), `export * from ${JSON.stringify(target)};\n${"default" in namespace ? `export { default } from ${JSON.stringify(target)};\n` : ""}`);
  process.stdout.write(`.next/node_modules/${name}: loads ${target}\n`);
}

fs.rmSync(dist, { recursive: true, force: true });
const started = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "cli/main.ts", seed: "lib/demo/seed.ts" },
  outdir: dist,
  // Shared code (the services, the schema) once, in dist/chunks, for the CLI, the server and the seed.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Every npm package stays an import (tsconfig's paths: "@/..." and the server-only marker are ours).
  packages: "external",
  tsconfig: path.join(root, "tsconfig.json"),
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`dist/: ${Object.keys(result.metafile.outputs).length} files, ${(bytes / 1024).toFixed(0)} KiB, in ${Date.now() - started} ms\n`);
