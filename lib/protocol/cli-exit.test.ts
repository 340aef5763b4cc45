import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createInstruction, createUser } from "@/lib/services";
import { makeTestDb, system } from "@/test/db";
import { runCli } from "@/test/cli";
import { tempDir, writeFile } from "./test-support";

/**
 * The real CLI as a child process (node --import tsx cli/main.ts): the exit code a shell sees is
 * the one the command decided, not one overwritten on the way out.
 */
let t: ReturnType<typeof makeTestDb>;
let dir: string;
beforeAll(() => {
  t = makeTestDb();
  dir = tempDir();
});
afterAll(() => {
  t.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, { DATABASE_PATH: t.file });

const slow = { timeout: 90_000 };

describe("agentdesk exit codes", () => {
  test("import exits 1 when a file was skipped, export exits 1 when a file was not written; 0 when all went well", slow, async () => {
    const bad = path.join(dir, "bad", "Agent_Memory");
    writeFile(bad, "inst_20260101_001/instruction.yaml", "title: Fine\nraw_input: Fine\n");
    writeFile(bad, "_communication/inbox/backend-developer/broken.yaml", "from: [unclosed\n");
    const good = path.join(dir, "good", "Agent_Memory");
    writeFile(good, "inst_20260101_002/instruction.yaml", "title: Also fine\nraw_input: Also fine\n");

    const inst = createInstruction({ db: t.db, actor: system }, { title: "Exported" });
    const blocked = path.join(dir, "blocked");
    // A folder where the instruction's file must go: that file cannot be written.
    fs.mkdirSync(path.join(blocked, inst.id, "instruction.yaml"), { recursive: true });

    const [imported, importedOk] = [await cli(["import", bad]), await cli(["import", good])];
    expect(imported.stderr).toContain("skipped _communication/inbox/backend-developer/broken.yaml");
    expect(imported.stdout).toMatch(/1 new, 0 updated, 0 unchanged, 1 skipped/);
    expect(imported.code).toBe(1);
    expect(importedOk.code, importedOk.stderr).toBe(0);

    const [exported, exportedOk] = await Promise.all([cli(["export", blocked]), cli(["export", path.join(dir, "out")])]);
    expect(exported.stderr).toContain(`not written ${inst.id}/instruction.yaml`);
    expect(exported.code).toBe(1);
    expect(exportedOk.code, exportedOk.stderr).toBe(0);
  });

  test("user role: the last admin cannot be demoted (conflict, exit 1); another account can", slow, async () => {
    const hash = "scrypt$test$not-a-real-hash-000";
    createUser({ db: t.db, actor: system }, { email: "only.admin@example.com", role: "admin", passwordHash: hash });
    createUser({ db: t.db, actor: system }, { email: "rex@example.com", role: "reviewer", passwordHash: hash });
    const last = await cli(["user", "role", "--email", "only.admin@example.com", "--role", "viewer"]);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/^conflict: only\.admin@example\.com is the last admin/);
    const promoted = await cli(["user", "role", "--email", "rex@example.com", "--role", "admin"]);
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toBe("rex@example.com is now admin.\n");
    const demoted = await cli(["user", "role", "--email", "only.admin@example.com", "--role", "viewer"]);
    expect(demoted.code, demoted.stderr).toBe(0);
  });
});
