// A separate process with its own connection, claiming until nothing is left (the contention test).
import { claimTask } from "@/lib/services";
import { openLocation } from "./db";

// The database: an SQLite file, or a PostgreSQL URL (the test's `location`).
const [location, agentName] = process.argv.slice(2);
const db = openLocation(location);
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
  db.$engine.close();
});
