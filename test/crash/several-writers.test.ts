// Three processes write to one SQLite file at once: the API server (agents over HTTP), a CLI-style
// writer and a folder-bridge-style writer (service verbs on their own connections). None may ever
// see "database is locked", and every write each of them was told succeeded must be in the file.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleEntry, prepareEntry, startApi, type ApiChild } from "./child";
import { seedWorkload, type Seeded } from "./seed";
import { runAgent, verifyDatabase, type Ack } from "./workload";

const DURATION_MS = 3000;

interface WriterResult {
  mode: string;
  written: { tasks: string[]; messages: { id: string; body: string }[] };
  errors: { code?: string; message: string }[];
}

function startWriter(writer: string[], file: string, mode: "cli" | "bridge", instructionId: string) {
  const proc = spawn(process.execPath, [...writer, file, mode, instructionId, String(DURATION_MS)], {
    cwd: process.cwd(),
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"waiting":true')) resolve();
    });
    proc.once("exit", (code) => reject(new Error(`writer ${mode} exited early with ${code}`)));
  });
  const result = new Promise<WriterResult>((resolve, reject) => {
    proc.once("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith('{"mode"'));
      if (code === 0 && line) resolve(JSON.parse(line) as WriterResult);
      else reject(new Error(`writer ${mode} exited with ${code}: ${out}`));
    });
  });
  return { ready, go: () => proc.stdin.end("go\n"), result };
}

describe("several writer processes on one database", () => {
  let dir: string;
  let file: string;
  let seeded: Seeded;
  let api: ApiChild;
  let writer: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-writers-"));
    file = path.join(dir, "writers.db");
    seeded = seedWorkload(file, { tasksPerAgent: 60, tokensPerAgent: 1 });
    const [entry, writerArgs] = await Promise.all([prepareEntry(), bundleEntry("direct-writer")]);
    writer = writerArgs;
    api = await startApi({ file, args: entry });
  });

  afterAll(async () => {
    if (api && api.proc.exitCode === null) {
      api.proc.kill("SIGTERM");
      await api.exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("server, CLI and folder bridge write together: no SQLITE_BUSY, every write present", async () => {
    const cli = startWriter(writer, file, "cli", seeded.instructionId);
    const bridge = startWriter(writer, file, "bridge", seeded.instructionId);
    await Promise.all([cli.ready, bridge.ready]);
    // A cold server answers its first requests slowly: warm it so the three really overlap.
    for (let i = 0; i < 10; i++) {
      for (const a of seeded.agents) await (await fetch(`${api.baseUrl}/api/v1/tasks?limit=1`, { headers: { authorization: `Bearer ${a.tokens[0]}` } })).text();
    }

    const acks: Ack[] = [];
    const refusals: { status: number; path: string; body: string }[] = [];
    let stop = false;
    const names = seeded.agents.map((a) => a.name);
    cli.go();
    bridge.go();
    const agents = seeded.agents.map((a) =>
      runAgent({
        baseUrl: () => api.baseUrl,
        token: a.tokens[0],
        agent: a.name,
        peers: names.filter((n) => n !== a.name),
        stepsByTask: seeded.stepsByTask,
        acks,
        refusals,
        stop: () => stop,
      }),
    );
    const timer = setTimeout(() => (stop = true), DURATION_MS);
    const [cliResult, bridgeResult] = await Promise.all([cli.result, bridge.result]);
    stop = true;
    clearTimeout(timer);
    await Promise.all(agents);

    const total = (r: WriterResult) => r.written.messages.length + r.written.tasks.length;
    console.info(`several writers in ${DURATION_MS} ms: server ${acks.length} HTTP writes, cli ${total(cliResult)}, bridge ${total(bridgeResult)}; 0 refused`);
    // Nobody was refused: not the HTTP agents, not the two direct writers.
    expect(refusals).toEqual([]);
    expect(cliResult.errors).toEqual([]);
    expect(bridgeResult.errors).toEqual([]);
    // And they really overlapped.
    expect(acks.length).toBeGreaterThan(5);
    expect(total(cliResult)).toBeGreaterThan(5);
    expect(total(bridgeResult)).toBeGreaterThan(5);

    const failed = verifyDatabase(file, acks).filter((c) => !c.ok);
    expect(failed).toEqual([]);
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(file, { readonly: true });
    try {
      const task = db.prepare("SELECT id FROM tasks WHERE id = ?");
      const message = db.prepare("SELECT body FROM messages WHERE id = ?");
      for (const r of [cliResult, bridgeResult]) {
        expect(r.written.tasks.filter((id) => !task.get(id))).toEqual([]);
        expect(r.written.messages.filter((m) => (message.get(m.id) as { body: string } | undefined)?.body !== m.body)).toEqual([]);
      }
    } finally {
      db.close();
    }
  }, 60_000);
});
