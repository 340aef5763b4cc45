#!/usr/bin/env node
// Launcher for `agentdesk ...` (`npx agentdesk`), resolving paths from this file's location so it works
// from any working directory. The working directory is kept: DATABASE_PATH, AGENTS_DIR and the
// default ./data/agentdesk.db of a clone are relative to where you run it, as for the server.
//
// - The installed package (no TypeScript sources, the compiled dist/cli.mjs beside): runs it in this
//   process, after recording the package's folder (lib/domain/install.ts reads it: the per-user data
//   folder, the package's migrations, agents and hook bundle).
// - A clone: runs cli/main.ts through tsx in a child Node process, with the repository's tsconfig (for
//   the "@/..." imports). A dist/ left over from `npm pack` is not used: the sources are the truth.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// `agentdesk hook <event>` (Claude Code runs it on every tool call) skips tsx and the CLI: it is the
// prebuilt bundle bin/agentdesk-hook.mjs, plain JavaScript that starts in milliseconds.
if (process.argv[2] === "hook") {
  await import("./agentdesk-hook.mjs");
} else if (!fs.existsSync(path.join(root, "cli", "main.ts")) && fs.existsSync(path.join(root, "dist", "cli.mjs"))) {
  globalThis[Symbol.for("agentdesk.packageRoot")] = root;
  await import(pathToFileURL(path.join(root, "dist", "cli.mjs")).href);
} else {
  await runCli();
}

async function runCli() {
  const require = createRequire(path.join(root, "package.json"));

  let loader;
  try {
    loader = pathToFileURL(require.resolve("tsx")).href;
  } catch {
    process.stderr.write(`unavailable: tsx is not installed in ${root}; run npm install there first\n`);
    process.exit(1);
  }

  const child = spawn(process.execPath, ["--import", loader, path.join(root, "cli", "main.ts"), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH ?? path.join(root, "tsconfig.json") },
  });

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
