import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { makeTestDb } from "@/test/db";
import { openDatabase } from "@/db/client";
import { EXAMPLES, listFiles, runBridgeCli, tempDir } from "./test-support";

let t: ReturnType<typeof makeTestDb>;
let out: string;
beforeEach(() => {
  t = makeTestDb();
  out = tempDir();
  process.exitCode = undefined;
});
afterEach(() => {
  t.cleanup();
  fs.rmSync(out, { recursive: true, force: true });
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

// Each command closes its connection when done, as the CLI does: open a new one on the same file.
const run = (...argv: string[]) => runBridgeCli({ openDb: () => openDatabase(t.file) }, argv);

it("agentdesk import / export: summaries, the skipped file on stderr, a non-zero exit when something was skipped", async () => {
  const imp = await run("import", EXAMPLES);
  expect(imp.stdout).toContain("32 new, 0 updated, 0 unchanged, 1 skipped");
  expect(imp.stderr).toContain("skipped _communication/inbox/frontend-developer/delegation_T3.yaml: invalid YAML");
  expect(imp.code).toBe(1);
  process.exitCode = undefined;

  const again = await run("--json", "import", EXAMPLES);
  expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, unchanged: 32, skipped: 1, events: 0 });

  process.exitCode = undefined;
  const exp = await run("export", path.join(out, "Agent_Memory"));
  expect(exp.code).toBeUndefined();
  expect(exp.stdout).toMatch(/^Exported to .*Agent_Memory: \d+ written, 0 unchanged/);
  expect(listFiles(path.join(out, "Agent_Memory"))).toContain("inst_20260103_005/instruction.yaml");
});
