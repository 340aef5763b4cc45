// The crash test's several-writers part (scripts/crash-test.ts): three processes write to one
// database at once, the API server (agents over HTTP), a CLI-style writer and a folder-bridge-style
// writer (service verbs on their own connections, test/crash/direct-writer.ts). None may ever be
// refused (SQLite: no "database is locked"; PostgreSQL: no serialisation failure left after the
// engine's retries), and every write each of them was told succeeded must be in the database.
import { spawn } from "node:child_process";
import { openLocation } from "@/test/db";
import { one } from "@/test/sql";
import { bundleEntry, prepareEntry, startApi } from "./child";
import { seedWorkload } from "./seed";
import { runAgent, verifyDatabase, type Ack, type CheckResult } from "./workload";

interface WriterResult {
  mode: string;
  written: { tasks: string[]; messages: { id: string; body: string }[] };
  errors: { code?: string; message: string }[];
}

function startWriter(writer: string[], location: string, mode: "cli" | "bridge", instructionId: string, durationMs: number) {
  const proc = spawn(process.execPath, [...writer, location, mode, instructionId, String(durationMs)], {
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

/**
 * Runs the three writers for `durationMs` on a database that is empty (an SQLite file path or a
 * postgres:// URL of a created, empty database): seeds it, writes, stops the server, checks.
 */
export async function runSeveralWriters(location: string, o: { durationMs?: number } = {}): Promise<{ checks: CheckResult[]; summary: string }> {
  const durationMs = o.durationMs ?? 3000;
  const checks: CheckResult[] = [];
  const check = (name: string, ok: boolean, detail?: string) => checks.push({ name: `several writers: ${name}`, ok, ...(ok || !detail ? {} : { detail }) });
  const seeded = seedWorkload(location, { tasksPerAgent: 60, tokensPerAgent: 1 });
  const [entry, writer] = await Promise.all([prepareEntry(), bundleEntry("direct-writer")]);
  const api = await startApi({ file: location, args: entry });
  try {
    const cli = startWriter(writer, location, "cli", seeded.instructionId, durationMs);
    const bridge = startWriter(writer, location, "bridge", seeded.instructionId, durationMs);
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
    const timer = setTimeout(() => (stop = true), durationMs);
    const [cliResult, bridgeResult] = await Promise.all([cli.result, bridge.result]);
    stop = true;
    clearTimeout(timer);
    await Promise.all(agents);

    const total = (r: WriterResult) => r.written.messages.length + r.written.tasks.length;
    const shortList = (xs: unknown[]) => JSON.stringify(xs.slice(0, 3));
    // Nobody was refused: not the HTTP agents, not the two direct writers.
    check("no HTTP request refused", refusals.length === 0, shortList(refusals));
    check("no CLI write refused", cliResult.errors.length === 0, `${cliResult.errors.length}: ${shortList(cliResult.errors)}`);
    check("no bridge write refused", bridgeResult.errors.length === 0, `${bridgeResult.errors.length}: ${shortList(bridgeResult.errors)}`);
    // And they really overlapped.
    check("more than 5 writes each", acks.length > 5 && total(cliResult) > 5 && total(bridgeResult) > 5, `server ${acks.length}, cli ${total(cliResult)}, bridge ${total(bridgeResult)}`);

    const tasksWritten = cliResult.written.tasks.length + bridgeResult.written.tasks.length;
    // PostgreSQL counts the events: the seed's, one per change the agents made, one per task the writers created.
    checks.push(...verifyDatabase(location, acks, { label: "several writers", seedEvents: seeded.events + tasksWritten }));
    const db = openLocation(location);
    try {
      for (const r of [cliResult, bridgeResult]) {
        const lostTasks = r.written.tasks.filter((id) => !one(db, "SELECT id FROM tasks WHERE id = ?", id));
        const lostMessages = r.written.messages.filter((m) => one<{ body: string }>(db, "SELECT body FROM messages WHERE id = ?", m.id)?.body !== m.body);
        check(`every ${r.mode} write present`, lostTasks.length + lostMessages.length === 0, `missing tasks ${shortList(lostTasks)}, messages ${shortList(lostMessages)}`);
      }
    } finally {
      db.$engine.close();
    }
    return { checks, summary: `several writers in ${durationMs} ms: server ${acks.length} HTTP writes, cli ${total(cliResult)}, bridge ${total(bridgeResult)}` };
  } finally {
    if (api.proc.exitCode === null) {
      api.proc.kill("SIGTERM");
      await api.exited;
    }
  }
}
