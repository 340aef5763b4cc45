#!/usr/bin/env node
// Launcher for `npx agentdesk ...`: runs cli/main.ts through tsx in a child Node process, with paths
// resolved from this file's location (so it works from any working directory) and the repository's
// tsconfig (for the "@/..." imports). The working directory is kept: DATABASE_PATH, AGENTS_DIR and
// the default ./data/agentdesk.db are relative to where you run it, as for the server.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// `agentdesk hook <event>` (Claude Code runs it on every tool call) skips tsx and the CLI: it is the
// prebuilt bundle bin/agentdesk-hook.mjs, plain JavaScript that starts in milliseconds.
if (process.argv[2] === "hook") {
  await import("./agentdesk-hook.mjs");
} else {
  await runCli();
}

async function runCli() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
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
