// The crash test's checks (workload.ts verifyDatabase) on an SQLite file: they pass on what the verbs
// wrote and report a lost write, a change without its event and an event without its change.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeVerification } from "./verify-cases";

describeVerification("sqlite", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "agentdesk-verify-"));
  return { engine: "sqlite", location: path.join(dir, "verify.db"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});
