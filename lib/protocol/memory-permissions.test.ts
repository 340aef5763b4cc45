import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb } from "@/test/db";
import { NARROW_AGENTS, syncWithAgents } from "@/test/memory-agents";
import { importTree } from "./import";
import { startMirror, type Mirror } from "./mirror";
import { eventCount, tempDir, waitFor, writeFile } from "./test-support";

// Memory Ownership at the folder bridge (docs/permissions.md): a file an agent wrote where its
// definition does not let it write is not imported; it is reported with its path and the rule, and the
// rest of the tree is imported as usual.

let t: ReturnType<typeof makeTestDb>;
let root: string;
let mirror: Mirror | null = null;
beforeEach(() => {
  t = makeTestDb();
  syncWithAgents(t.db, NARROW_AGENTS);
  root = tempDir();
});
afterEach(async () => {
  await mirror?.stop();
  mirror = null;
  t.cleanup();
  fs.rmSync(root, { recursive: true, force: true });
});

const one = (sql: string) => t.db.$client.prepare(sql).get();
const INST = "inst_20260103_001";

function tree() {
  writeFile(root, `${INST}/instruction.yaml`, `id: ${INST}\ncreated_at: 2026-01-03T09:00:00Z\nraw_input: Build the login page\n`);
  writeFile(root, `${INST}/tasks/in_progress/T1.yaml`, "id: T1\ndescription: Review the login page\nassigned_agent: reviewer-only\n");
  writeFile(root, `${INST}/outputs/partial/T1_result.yaml`, "task_id: T1\nexecuted_by: reviewer-only\nstatus: completed\nsummary: looks fine\n");
  writeFile(root, `${INST}/tasks/in_progress/T2.yaml`, "id: T2\ndescription: Build the login page\nassigned_agent: narrow-sender\n");
  writeFile(root, `${INST}/outputs/partial/T2_result.yaml`, "task_id: T2\nexecuted_by: narrow-sender\nstatus: completed\nsummary: built\n");
  const msg = (from: string, type: string, ts: string) => `type: ${type}\nfrom: ${from}\ntimestamp: 2026-01-03T${ts}Z\nquestion: A question\n`;
  writeFile(root, "_communication/inbox/backend-developer/consultation_20260103_100000.yaml", msg("narrow-sender", "consultation", "10:00:00"));
  writeFile(root, "_communication/inbox/frontend-developer/consultation_20260103_100100.yaml", msg("narrow-sender", "consultation", "10:01:00"));
  writeFile(root, "_communication/inbox/hitl/escalation_20260103_100200.yaml", msg("reviewer-only", "escalation", "10:02:00"));
  writeFile(root, "_communication/inbox/narrow-sender/consultation_20260103_100300.yaml", msg("backend-developer", "consultation", "10:03:00"));
  writeFile(root, "_communication/broadcast/announcement_20260103_100400.yaml", msg("narrow-sender", "broadcast", "10:04:00"));
  writeFile(root, "_communication/broadcast/announcement_20260103_100500.yaml", msg("trigger", "broadcast", "10:05:00"));
}

describe("the folder bridge", () => {
  it("import: files written where the definition does not allow are reported with the rule, the rest imported", () => {
    tree();
    const r = importTree(t.db, root);
    expect(r.errors).toEqual([
      {
        path: `${INST}/outputs/partial/T1_result.yaml`,
        reason: `forbidden: Memory Ownership of reviewer-only (agents/reviewer-only.md, Writes) does not include Agent_Memory/${INST}/outputs/partial/: it does not hand in outputs`,
      },
      {
        path: "_communication/inbox/backend-developer/consultation_20260103_100000.yaml",
        reason:
          "forbidden: Memory Ownership of narrow-sender (agents/narrow-sender.md, Writes) does not include Agent_Memory/_communication/inbox/backend-developer/: it may send to frontend-developer and the people",
      },
      {
        path: "_communication/broadcast/announcement_20260103_100400.yaml",
        reason: "forbidden: Memory Ownership of narrow-sender (agents/narrow-sender.md, Writes) does not include Agent_Memory/_communication/broadcast/: it does not post broadcasts",
      },
    ]);
    expect(r.byKind.output).toMatchObject({ imported: 1, skipped: 1 });
    expect(r.byKind.message).toMatchObject({ imported: 4, skipped: 2 });
    expect(r.byKind.task).toMatchObject({ imported: 2, skipped: 0 });
    // Nothing of the refused files is in the database.
    expect(one("SELECT count(*) AS n FROM outputs o JOIN tasks t ON t.id = o.task_id WHERE t.ref = 'T1'")).toEqual({ n: 0 });
    expect(one("SELECT count(*) AS n FROM messages WHERE to_inbox = 'backend-developer'")).toEqual({ n: 0 });
    expect(one("SELECT count(*) AS n FROM messages WHERE to_inbox = 'broadcast'")).toEqual({ n: 1 });
    expect(one("SELECT count(*) AS n FROM messages WHERE to_inbox = 'hitl' AND from_name = 'reviewer-only'")).toEqual({ n: 1 });

    // Again: the refused files are refused again, the rest unchanged, nothing written.
    const events = eventCount(t.db);
    const again = importTree(t.db, root);
    expect(again.errors.map((e) => e.path)).toEqual(r.errors.map((e) => e.path));
    expect(again).toMatchObject({ imported: 0, updated: 0 });
    expect(eventCount(t.db)).toBe(events);
  });

  it("a definition without the section imports them all, as before", () => {
    syncWithAgents(t.db, { "narrow-sender": null, "reviewer-only": null, "quiet-worker": null });
    tree();
    const r = importTree(t.db, root);
    expect(r.errors).toEqual([]);
    expect(r.byKind.output).toMatchObject({ imported: 2, skipped: 0 });
    expect(r.byKind.message).toMatchObject({ imported: 6, skipped: 0 });
  });

  it("the live mirror reports a message dropped into an inbox its sender may not write, and imports the next one", async () => {
    mirror = await startMirror(t.db, root, { pollMs: 100 });
    writeFile(root, "_communication/inbox/backend-developer/consultation_20260103_110000.yaml", "type: consultation\nfrom: narrow-sender\nquestion: Which table?\n");
    const report = await waitFor(() => mirror!.reports.find((x) => x.path === "_communication/inbox/backend-developer/consultation_20260103_110000.yaml"), 5000, "the report");
    expect(report).toMatchObject({ level: "error", message: expect.stringMatching(/^forbidden: Memory Ownership of narrow-sender .* it may send to frontend-developer and the people$/) });
    writeFile(root, "_communication/inbox/frontend-developer/consultation_20260103_110100.yaml", "type: consultation\nfrom: narrow-sender\nquestion: Which page?\n");
    await waitFor(() => one("SELECT 1 AS ok FROM messages WHERE to_inbox = 'frontend-developer' AND from_name = 'narrow-sender'"), 5000, "the allowed message");
    expect(one("SELECT count(*) AS n FROM messages WHERE to_inbox = 'backend-developer'")).toEqual({ n: 0 });
    expect(path.isAbsolute(root)).toBe(true);
  });
});
