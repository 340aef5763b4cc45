import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, databaseUrl, dropTestDatabase } from "@/test/pg";

// Opening and closing engines while the garbage collector runs: an ended pg-native client freed
// before the event loop finished closing its socket watcher aborted Node (exit 134, 3 runs of 3,
// before db/engine/pg-end.ts). A child process, to run with --expose-gc and to survive an abort.
let name: string;
beforeAll(() => (name = createTestDatabase()));
afterAll(() => dropTestDatabase(name));

const script = `
const { openPostgres } = await import("./db/engine/pg.ts");
for (let i = 0; i < 50; i++) {
  openPostgres(process.env.URL).$engine.close();
  if (i % 10 === 9) globalThis.gc(); // synchronously: before the event loop turns
}
const db = openPostgres(process.env.URL);
db.$engine.onExternalCommit(() => {}); // the LISTEN connection too
await new Promise((r) => setTimeout(r, 300));
db.$engine.close();
globalThis.gc();
await new Promise((r) => setTimeout(r, 200));
process.stdout.write("closed 51\\n");
`;

it("opens and closes 51 engines (one with its LISTEN connection) under the garbage collector without aborting", () => {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, URL: databaseUrl(name) },
    encoding: "utf8",
    timeout: 60_000,
  });
  expect({ status: r.status, signal: r.signal, out: r.stdout.trim() }, r.stderr).toEqual({ status: 0, signal: null, out: "closed 51" });
});
