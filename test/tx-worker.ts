// A separate process with its own connection, for the tests of writes racing each other
// (lib/services/steps/write-races.test.ts):
// - `hold <location> <takeover> <taskId> <holdMs>`: on "go" (stdin), runs a takeover of the task in
//   a transaction it keeps open for holdMs after printing "holding" (the verbs inside it run as
//   savepoints of that transaction), then commits and prints "committed". Takeovers: `sweep-reclaim`
//   (the lease sweeper, a day later, takes the task back; its agent claims it again: a new lease
//   token), `sweep` (taken back only), `reassign` (a person gives it to frontend-developer).
// - `send <location> <from> <to> <taskId> <n>`: on "go", sends n messages, then prints
//   {"sent":…,"failed":[codes…],"retries":…} (retries: the PostgreSQL engine's runs again).
import fs from "node:fs";
import * as s from "@/lib/services";
import { openLocation, people, agent, system } from "./db";

const [mode, location, ...rest] = process.argv.slice(2);
const db = openLocation(location);
const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const say = (line: string) => fs.writeSync(1, `${line}\n`);

function hold(takeover: string, taskId: string, holdMs: number) {
  const later = () => Date.now() + 24 * 3_600_000;
  db.$engine.transaction(() => {
    if (takeover === "reassign") s.reassignTask({ db, actor: people.admin }, { taskId, agent: "frontend-developer" });
    else {
      s.sweepLeases({ db, actor: system, now: later }, { onExpiry: "requeue" });
      if (takeover === "sweep-reclaim") {
        const owner = s.getTask({ db, actor: system }, taskId).assignedAgent;
        s.claimTask({ db, actor: agent(owner), now: later }, { taskId });
      }
    }
    say("holding");
    pause(holdMs);
  });
  say("committed");
}

function send(from: string, to: string, taskId: string, n: number) {
  const ctx = { db, actor: agent(from) };
  let sent = 0;
  const failed: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      s.sendMessage(ctx, { to, type: "status_update", body: `update ${i} from ${process.pid}`, taskId });
      sent++;
    } catch (err) {
      failed.push((err as { code?: string }).code ?? String(err));
    }
  }
  const session = (db as unknown as { session: { retries?: number } }).session;
  say(JSON.stringify({ sent, failed, retries: session.retries ?? 0 }));
}

say("ready");
process.stdin.once("data", () => {
  if (mode === "hold") hold(rest[0], rest[1], Number(rest[2]));
  else if (mode === "send") send(rest[0], rest[1], rest[2], Number(rest[3]));
  else throw new Error(`unknown mode ${mode}`);
  db.$engine.close();
});
