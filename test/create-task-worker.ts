// A separate process with its own connection, creating tasks in one instruction (the concurrent
// createTask test): prints the refs it got and the errors it met.
import { createTask } from "@/lib/services";
import { openLocation, people } from "./db";

const [location, instructionId, count] = process.argv.slice(2);
const db = openLocation(location);
const ctx = { db, actor: people.reviewer };
process.stdout.write("ready\n");
process.stdin.once("data", () => {
  const refs: string[] = [];
  const errors: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    try {
      refs.push(createTask(ctx, { instructionId, title: `from ${process.pid}: ${i}`, assignedAgent: "backend-developer" }).ref);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  process.stdout.write(JSON.stringify({ refs, errors }));
  db.$engine.close();
});
