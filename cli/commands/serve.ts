import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { packageRoot } from "@/lib/domain/install";
import { CliError, usageError } from "../errors";

/**
 * `agentdesk serve`: the server (server.ts) in this process. The installed package runs its compiled
 * build as it is; a clone first does what `npm start` does before it (scripts/ensure-ready.mjs:
 * install when needed, build the dashboard when the sources changed).
 */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run AgentDesk: the dashboard and the API (PORT, HOST, DATABASE_PATH: docs/settings.md)")
    .option("--port <port>", "the port to listen on (default $PORT, else 3000)")
    .option("--host <address>", "the address to listen on (default $HOST, else 127.0.0.1: this machine only)")
    .action(async (o: { port?: string; host?: string }) => {
      if (o.port !== undefined) {
        if (!/^\d+$/.test(o.port) || Number(o.port) < 1 || Number(o.port) > 65535) throw usageError(`--port must be a port number (1-65535), not ${o.port}`);
        process.env.PORT = o.port;
      }
      if (o.host !== undefined) process.env.HOST = o.host;
      if (!packageRoot()) {
        const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
        // Its progress goes to stderr: stdout carries the server's JSON log lines.
        const r = spawnSync(process.execPath, [path.join(root, "scripts", "ensure-ready.mjs")], { stdio: ["ignore", 2, 2] });
        if (r.status !== 0) throw new CliError("unavailable", `Preparing ${root} failed (scripts/ensure-ready.mjs exited with ${r.status ?? r.signal})`);
      }
      // As `npm start`: the production build (`npm run dev` is the development server).
      Object.assign(process.env, { NODE_ENV: "production" });
      await import("../../server");
    });
}
