// Backup while the server is writing, then restore: every write acknowledged before the backup
// started is in the copy and, after the restore, in the database; restore refuses while the
// database is in use and refuses files that are not healthy AgentDesk databases.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerOpsCommands } from "@/cli/commands/ops";
import { CliError } from "@/cli/errors";
import { prepareEntry, startApi, type ApiChild } from "@/test/crash/child";
import { seedWorkload, type Seeded } from "@/test/crash/seed";
import { runAgent, verifyDatabase, type Ack } from "@/test/crash/workload";
import { backupDatabase } from "./backup";
import { restoreDatabase } from "./restore";
import { lockPath } from "./server-lock";

let dir: string;
let file: string;
let seeded: Seeded;
let entry: string[];
let api: ApiChild | null = null;

const count = (f: string, sql: string) => {
  const db = new Database(f, { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-backup-"));
  file = path.join(dir, "live.db");
  seeded = seedWorkload(file, { tasksPerAgent: 40, tokensPerAgent: 1 });
  entry = await prepareEntry();
});

afterAll(() => {
  if (api?.proc.exitCode === null) api.proc.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("backup and restore", () => {
  const backupFile = () => path.join(dir, "backups", "agentdesk-backup.db");
  let acked: Ack[] = [];

  it("backs up a consistent copy while the server is writing", async () => {
    api = await startApi({ file, args: entry });
    const acks: Ack[] = [];
    const refusals: { status: number; path: string; body: string }[] = [];
    let stop = false;
    const names = seeded.agents.map((a) => a.name);
    const load = seeded.agents.map((a) =>
      runAgent({ baseUrl: () => api!.baseUrl, token: a.tokens[0], agent: a.name, peers: names, stepsByTask: seeded.stepsByTask, acks, refusals, stop: () => stop }),
    );
    // Let it get going (a cold server on a busy machine is slow for its first requests).
    for (let waited = 0; acks.length < 30 && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    fs.mkdirSync(path.dirname(backupFile()));
    acked = acks.slice(); // everything answered before the backup began
    const writesBefore = acks.length;
    const result = await backupDatabase(file, backupFile());
    await new Promise((r) => setTimeout(r, 400));
    stop = true;
    await Promise.all(load);

    expect(refusals).toEqual([]);
    expect(acked.length).toBeGreaterThan(10);
    expect(acks.length).toBeGreaterThan(writesBefore); // the server kept writing during and after the copy
    expect(result).toMatchObject({ file: backupFile(), migrations: expect.any(Number) });
    expect(result.migrations).toBeGreaterThanOrEqual(3);
    // Atomic: only the finished file is there, no temporary left behind; a single self-contained file.
    expect(fs.readdirSync(path.dirname(backupFile()))).toEqual([path.basename(backupFile())]);
    const failed = verifyDatabase(backupFile(), acked).filter((c) => !c.ok);
    expect(failed).toEqual([]);
  }, 60_000);

  it("restore refuses while the server runs, and while any other process has the file open", async () => {
    await expect(restoreDatabase(backupFile(), file)).rejects.toMatchObject({ code: "in_use", message: expect.stringMatching(/server \(pid \d+/) });
    api!.proc.kill("SIGTERM");
    expect((await api!.exited).code).toBe(0);

    // No pid file now, but a CLI or the folder bridge may still hold the database.
    const holder = spawn(
      process.execPath,
      ["-e", `const D=require("better-sqlite3");const d=new D(${JSON.stringify(file)});d.prepare("SELECT 1").get();console.log("open");setTimeout(()=>{},30000)`],
      {
        cwd: process.cwd(),
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
    try {
      await expect(restoreDatabase(backupFile(), file)).rejects.toMatchObject({ code: "in_use", message: expect.stringMatching(/has .* open/) });
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    expect(fs.existsSync(lockPath(file))).toBe(false);
  });

  it("restore refuses a file that is not a healthy AgentDesk database, and leaves the database alone", async () => {
    const before = count(file, "SELECT count(*) AS n FROM events");
    const junk = path.join(dir, "junk.db");
    fs.writeFileSync(junk, "this is not a database at all ".repeat(200));
    await expect(restoreDatabase(junk, file)).rejects.toMatchObject({ code: "invalid_database" });
    const other = path.join(dir, "other.db");
    const db = new Database(other);
    db.exec("CREATE TABLE notes(x); INSERT INTO notes VALUES (1)");
    db.close();
    await expect(restoreDatabase(other, file)).rejects.toMatchObject({ code: "invalid_database", message: expect.stringMatching(/not an AgentDesk database/) });
    await expect(restoreDatabase(path.join(dir, "missing.db"), file)).rejects.toMatchObject({ code: "not_found" });
    expect(count(file, "SELECT count(*) AS n FROM events")).toBe(before);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("restores the backup: every write acknowledged before it, nothing written after it, and the server runs on it", async () => {
    const liveEvents = count(file, "SELECT count(*) AS n FROM events");
    const backupEvents = count(backupFile(), "SELECT count(*) AS n FROM events");
    expect(liveEvents).toBeGreaterThan(backupEvents);

    const r = await restoreDatabase(backupFile(), file);
    expect(r.previous).not.toBeNull();
    expect(count(r.previous!, "SELECT count(*) AS n FROM events")).toBe(liveEvents); // the replaced database is kept
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(fs.existsSync(`${file}-shm`)).toBe(false);
    expect(count(file, "SELECT count(*) AS n FROM events")).toBe(backupEvents);
    expect(verifyDatabase(file, acked).filter((c) => !c.ok)).toEqual([]);

    api = await startApi({ file, args: entry });
    expect((await fetch(`${api.baseUrl}/api/ready`)).status).toBe(200);
    const claim = await fetch(`${api.baseUrl}/api/v1/tasks/claim`, { method: "POST", headers: { authorization: `Bearer ${seeded.agents[0].tokens[0]}` } });
    expect([200, 204]).toContain(claim.status);
    api.proc.kill("SIGTERM");
    expect((await api.exited).code).toBe(0);
  }, 60_000);

  it("agentdesk backup / restore: the CLI commands print a summary, or refuse with `code: message` (exit 1)", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
    const program = () => {
      const p = new Command().exitOverride();
      registerOpsCommands(p);
      return p;
    };
    const copy = path.join(dir, "cli-copy.db");
    try {
      await program().parseAsync(["backup", copy, "--db", file], { from: "user" });
      expect(out.join("")).toMatch(/^Backup written to .*cli-copy\.db .*integrity ok/);
      const refused = program().parseAsync(["restore", path.join(dir, "nope.db"), "--db", file], { from: "user" });
      await expect(refused).rejects.toBeInstanceOf(CliError);
      await expect(refused).rejects.toMatchObject({ code: "not_found", exitCode: 1, message: expect.stringMatching(/^No backup file at /) });
      await program().parseAsync(["restore", copy, "--db", file], { from: "user" });
      expect(out.join("")).toMatch(/Restored .*live\.db from .*cli-copy\.db/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
