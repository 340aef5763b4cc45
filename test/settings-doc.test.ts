import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { RunnerConfigFile, RunnerSpec } from "@/lib/runners/config";

/**
 * docs/settings.md is the one reference of every setting: each environment variable the code reads
 * (the server, the CLI, the hook, the scripts) and each field of the runner configuration file.
 * A variable read anywhere in lib, cli, db, scripts, bin, app, server.ts or proxy.ts, or a field of
 * the schema that parses agentdesk.config.json, that the page does not list fails here.
 */

const repo = path.resolve(import.meta.dirname, "..");
const page = fs.readFileSync(path.join(repo, "docs", "settings.md"), "utf8");
const configSection = page.slice(page.indexOf("## The configuration file"));

function walk(rel: string): string[] {
  const abs = path.join(repo, rel);
  if (!fs.statSync(abs).isDirectory()) return [rel];
  return fs.readdirSync(abs).flatMap((name) => (name === "node_modules" || name.startsWith(".") ? [] : walk(`${rel}/${name}`)));
}

const sources = ["lib", "cli", "db", "scripts", "bin", "app", "server.ts", "proxy.ts"]
  .flatMap(walk)
  .filter((f) => /\.(ts|tsx|mjs|js)$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith("db/migrations/"));

// process.env.NAME, process.env["NAME"], and an env object passed around (env.NAME, env?.NAME, env["NAME"]).
const READ = /\b(?:process\.env|env)(?:\?\.|\.)([A-Z][A-Z0-9_]*)\b|\b(?:process\.env|env)\[["']([A-Z][A-Z0-9_]*)["']\]/g;

/** The environment variables a source text reads, by name. */
function envReads(text: string): string[] {
  return [...text.matchAll(READ)].map((m) => m[1] ?? m[2]);
}

const listed = (name: string, text = page) => new RegExp("`" + name.replace(/[$.]/g, "\\$&") + "`").test(text);

describe("docs/settings.md", () => {
  it("lists every environment variable the code reads", () => {
    const where = new Map<string, string[]>();
    for (const file of sources) {
      for (const name of envReads(fs.readFileSync(path.join(repo, file), "utf8"))) where.set(name, [...(where.get(name) ?? []), file]);
    }
    // The scan itself can fail: these are read today and must be found.
    expect(envReads('const a = process.env.PORT; f(env.AGENTDESK_URL, env?.HOST, process.env["LOG_LEVEL"])')).toEqual(["PORT", "AGENTDESK_URL", "HOST", "LOG_LEVEL"]);
    for (const known of ["DATABASE_PATH", "PORT", "HOST", "AGENTS_DIR", "AGENTDESK_CONFIG", "AGENTDESK_SYNC_DIR", "AGENTDESK_URL", "AGENTDESK_TRUST_PROXY", "XDG_DATA_HOME"])
      expect([...where.keys()]).toContain(known);
    const missing = [...where].filter(([name]) => !listed(name)).map(([name, files]) => `${name} (read in ${[...new Set(files)].join(", ")})`);
    expect(missing, `not in docs/settings.md: ${missing.join("; ")}`).toEqual([]);
  });

  it("lists every field of the configuration file's schema", () => {
    const fields = [
      ...Object.keys(RunnerConfigFile.shape).filter((k) => k !== "wakes"),
      ...Object.keys(RunnerConfigFile.shape.wakes.unwrap().shape).map((k) => `wakes.${k}`),
      ...Object.keys(RunnerSpec.shape),
    ];
    expect(fields).toEqual(expect.arrayContaining(["maxConcurrentRuns", "wakes.delayMs", "autoStart", "timeoutMs"]));
    const missing = fields.filter((f) => !(listed(f, configSection) || (f === "agents" && listed("agents.<name>", configSection))));
    expect(missing, `config fields not in docs/settings.md: ${missing.join(", ")}`).toEqual([]);
  });
});
