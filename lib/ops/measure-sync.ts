// npx tsx lib/ops/measure-sync.ts [--dir DIR] [--seconds S] [--rounds R]
//
// One-row commits per second in WAL mode with synchronous=NORMAL and with synchronous=FULL, on the
// disk where the database lives (default: the folder of DATABASE_PATH, else ./data). Rounds alternate
// between the two settings and the median is reported, so a busy machine skews both alike.
// The figures behind the choice in docs/operations.md.
import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultDatabasePath } from "@/db/client";

type Mode = "NORMAL" | "FULL";

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const dir = path.resolve(opt("--dir") ?? path.dirname(defaultDatabasePath()));
const seconds = Number(opt("--seconds") ?? 1.5);
const rounds = Number(opt("--rounds") ?? 3);

function measure(mode: Mode): { perSecond: number; usPerCommit: number } {
  const file = path.join(dir, `.measure-sync-${process.pid}-${mode}.db`);
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${mode}`);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, body TEXT NOT NULL)");
    const insert = db.prepare("INSERT INTO t (at, body) VALUES (?, ?)");
    const body = "x".repeat(200);
    for (let i = 0; i < 50; i++) insert.run(Date.now(), body); // warm up
    let n = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    // Each run() outside a transaction is one commit.
    while (performance.now() < until) {
      for (let i = 0; i < 20; i++) insert.run(Date.now(), body);
      n += 20;
    }
    const ms = performance.now() - started;
    return { perSecond: Math.round((n / ms) * 1000), usPerCommit: Math.round((ms * 1000) / n) };
  } finally {
    db.close();
    for (const s of ["", "-wal", "-shm"]) fs.rmSync(file + s, { force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

fs.mkdirSync(dir, { recursive: true });
const results: Record<Mode, number[]> = { NORMAL: [], FULL: [] };
for (let r = 0; r < rounds; r++) {
  for (const mode of ["NORMAL", "FULL"] as const) results[mode].push(measure(mode).perSecond);
}
const normal = median(results.NORMAL);
const full = median(results.FULL);
const line = (mode: Mode, v: number) => `${mode.padEnd(6)} ${String(v).padStart(7)} commits/s  ${String(Math.round(1e6 / v)).padStart(6)} us/commit   rounds: ${results[mode].join(", ")}`;
process.stdout.write(
  `synchronous in WAL mode, one-row commits, ${dir} (${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, SQLite ${
    (new Database(":memory:").prepare("SELECT sqlite_version() AS v").get() as { v: string }).v
  })\n${line("NORMAL", normal)}\n${line("FULL", full)}\nFULL costs ${(normal / full).toFixed(1)}x per commit\n`,
);
