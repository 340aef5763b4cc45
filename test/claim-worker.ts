// A separate process with its own connection, claiming until nothing is left (the contention test).
import { openDatabase } from "@/db/client";
import { claimTask } from "@/lib/services";

const [file, agentName] = process.argv.slice(2);
const db = openDatabase(file, { migrate: false });
const ctx = { db, actor: { kind: "agent" as const, name: agentName } };
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  const claimed: string[] = [];
  for (;;) {
    const t = claimTask(ctx);
    if (!t) break;
    claimed.push(t.id);
  }
  process.stdout.write(JSON.stringify(claimed));
  db.$client.close();
});
