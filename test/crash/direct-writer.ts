// A second or third writer process on the same database, calling the service verbs directly:
//   cli     what the CLI does: a person's writes (tasks, messages to agents) through its own connection
//   bridge  what the folder bridge does when it imports: messages written by agents, tasks created by the system
// Usage: node --import tsx test/crash/direct-writer.ts LOCATION MODE INSTRUCTION_ID DURATION_MS (several-writers.ts
// bundles it first); LOCATION is an SQLite file or a postgres:// URL.
// Starts on the first line read from stdin; prints one JSON line with what it wrote and every error.
import { asc } from "drizzle-orm";
import { agents as agentsTable } from "@/db/schema";
import { createTask, sendMessage } from "@/lib/services";
import type { Actor } from "@/lib/auth/actor";
import { openLocation } from "@/test/db";

const [location, mode, instructionId, durationArg] = process.argv.slice(2);
const duration = Number(durationArg) || 3000;
const db = openLocation(location);
const agents = db
  .select({ name: agentsTable.name })
  .from(agentsTable)
  .orderBy(asc(agentsTable.name))
  .all()
  .map((r) => r.name);
const person: Actor = { kind: "person", id: "usr_cli", email: "cli@example.com", name: "CLI", role: "admin" };
const bridge: Actor = { kind: "system", name: "folder-bridge" };

const written = { tasks: [] as string[], messages: [] as { id: string; body: string }[] };
const errors: { code?: string; message: string }[] = [];
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run() {
  const until = Date.now() + duration;
  let i = 0;
  while (Date.now() < until) {
    i++;
    try {
      if (mode === "cli") {
        if (i % 4 === 0) {
          const t = createTask({ db, actor: person }, { instructionId, title: `CLI task ${i}`, assignedAgent: pick(agents), authority: "autonomous" });
          written.tasks.push(t.id);
        } else {
          const body = `cliwrite${process.pid}x${i} from the command line`;
          const m = sendMessage({ db, actor: person }, { to: pick(agents), type: "consultation", subject: `CLI ${i}`, body });
          written.messages.push({ id: m.id, body });
        }
      } else {
        if (i % 5 === 0) {
          const t = createTask({ db, actor: bridge }, { instructionId, title: `Imported task ${i}`, assignedAgent: pick(agents), authority: "autonomous" });
          written.tasks.push(t.id);
        } else {
          const from = pick(agents);
          const body = `bridgewrite${process.pid}x${i} imported from _communication`;
          const m = sendMessage({ db, actor: { kind: "agent", name: from } }, { to: pick([...agents.filter((a) => a !== from), "hitl"]), type: "status_update", body });
          written.messages.push({ id: m.id, body });
        }
      }
    } catch (err) {
      errors.push({ code: (err as { code?: string }).code, message: String((err as Error).message) });
    }
    // A realistic pace for a person's CLI or a folder import burst: a write every couple of ms.
    await sleep(2);
  }
  db.$engine.close();
  process.stdout.write(JSON.stringify({ mode, written, errors }) + "\n");
}

process.stdin.once("data", () => void run());
process.stdout.write(JSON.stringify({ waiting: true }) + "\n");
