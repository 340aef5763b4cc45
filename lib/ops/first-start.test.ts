import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataPathError, ensureDatabaseFolder, openDatabase } from "@/db/client";
import { acquireLock, lockPath } from "./server-lock";

/**
 * The first start in a clone that has no data/ yet: server.ts and the seed script create what they
 * need, and a path that cannot be used stops them with one line naming it and why, exit 1.
 * (The full `npm start` on a fresh clone is scripts/first-run-smoke.mjs, run by .ci/run.)
 */

const repo = path.resolve(import.meta.dirname, "..", "..");
let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-first-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point the way npm scripts do, until it exits or `until` sees its output. */
function runEntry(entry: string, env: Record<string, string>, until?: (out: string) => boolean, args: string[] = []): Promise<Exit & { stoppedEarly: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repo, entry), ...args], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? "", HOME: dir, LOG_LEVEL: "info", NODE_ENV: "test", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let stoppedEarly = false;
    const check = () => {
      if (until && !stoppedEarly && until(stdout + stderr)) {
        stoppedEarly = true;
        child.kill("SIGKILL");
      }
    };
    child.stdout.on("data", (d) => ((stdout += d), check()));
    child.stderr.on("data", (d) => ((stderr += d), check()));
    child.on("error", reject);
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, stoppedEarly });
    });
  });
}

const port = () => String(20_000 + Math.floor(Math.random() * 20_000));

describe("the data folder", () => {
  it("is created with its parents, before the lock file that lives in it", () => {
    const db = path.join(dir, "a", "b", "agentdesk.db");
    ensureDatabaseFolder(db);
    const lock = acquireLock(db, "server");
    expect(fs.existsSync(lockPath(db))).toBe(true);
    openDatabase(db).$client.close();
    expect(fs.statSync(db).isFile()).toBe(true);
    lock.release();
  });

  it("names the path and the reason when it cannot be used", () => {
    fs.writeFileSync(path.join(dir, "blocker"), "a file\n");
    const under = path.join(dir, "blocker", "sub", "agentdesk.db");
    expect(() => ensureDatabaseFolder(under)).toThrow(DataPathError);
    expect(() => ensureDatabaseFolder(under)).toThrow(`Cannot create the data folder ${path.join(dir, "blocker", "sub")}: ${path.join(dir, "blocker")} is a file, not a folder`);
    // The folder itself is the file in the way.
    expect(() => ensureDatabaseFolder(path.join(dir, "blocker", "agentdesk.db"))).toThrow(`Cannot use the data folder ${path.join(dir, "blocker")}: it is a file, not a folder`);
    // The database path is a folder.
    fs.mkdirSync(path.join(dir, "db-is-a-folder"));
    expect(() => ensureDatabaseFolder(path.join(dir, "db-is-a-folder"))).toThrow(`Cannot use the database ${path.join(dir, "db-is-a-folder")}: it is a folder, not a file`);
    expect(() => openDatabase(under)).toThrow(DataPathError);
  });
});

describe("server.ts on a path that does not exist yet", () => {
  it("creates the folder, the lock and the database, and gets as far as syncing the agents", { timeout: 90_000 }, async () => {
    const db = path.join(dir, "fresh", "data", "agentdesk.db");
    let sawLock = false;
    const r = await runEntry("server.ts", { DATABASE_PATH: db, PORT: port(), NODE_ENV: "production" }, (out) => {
      sawLock ||= fs.existsSync(lockPath(db));
      return out.includes('"msg":"agents synced"');
    });
    expect(r.stoppedEarly, r.stdout + r.stderr).toBe(true);
    expect(sawLock).toBe(true);
    expect(fs.statSync(db).isFile()).toBe(true);
    expect(r.stdout + r.stderr).not.toContain("could not start");
  });

  it("stops with one clear line and exit 1 when a file is in the way", { timeout: 90_000 }, async () => {
    fs.writeFileSync(path.join(dir, "data"), "not a folder\n");
    const r = await runEntry("server.ts", { DATABASE_PATH: path.join(dir, "data", "agentdesk.db"), PORT: port(), NODE_ENV: "production" });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`AgentDesk could not start: Cannot use the data folder ${path.join(dir, "data")}: it is a file, not a folder`]);
    expect(r.stdout).toContain('"level":"fatal"');
    expect(r.stdout).not.toContain("ENOENT");
    expect(fs.readFileSync(path.join(dir, "data"), "utf8")).toBe("not a folder\n");
  });
});

describe("npm run seed first", () => {
  it("creates the folder and the database, and refuses a path with a file in the way in one line", { timeout: 90_000 }, async () => {
    const db = path.join(dir, "new", "agentdesk.db");
    const ok = await runEntry("scripts/seed.ts", { DATABASE_PATH: db });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("ada@agentdesk.local");
    expect(fs.statSync(db).isFile()).toBe(true);

    fs.writeFileSync(path.join(dir, "file"), "x");
    const bad = await runEntry("scripts/seed.ts", { DATABASE_PATH: path.join(dir, "file", "sub", "agentdesk.db") });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toEqual([`The demo could not be loaded: Cannot create the data folder ${path.join(dir, "file", "sub")}: ${path.join(dir, "file")} is a file, not a folder`]);
  });
});

describe("the CLI's admin commands", () => {
  it("name the path and the reason in one line, exit 1, when a file is in the way", { timeout: 90_000 }, async () => {
    fs.writeFileSync(path.join(dir, "file"), "x");
    const r = await runEntry("cli/main.ts", { DATABASE_PATH: path.join(dir, "file", "sub", "agentdesk.db") }, undefined, ["migrate"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`data_path: Cannot create the data folder ${path.join(dir, "file", "sub")}: ${path.join(dir, "file")} is a file, not a folder`]);
  });
});
