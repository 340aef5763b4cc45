import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people } from "@/test/db";
import * as s from "@/lib/services";
import { importTree } from "./import";
import { exportTree } from "./export";
import { joinInside, safeSegment, UnsafePathError, writeFileAtomic } from "./fs-safe";
import { parseYaml } from "./yaml";
import { listFiles, tempDir, writeFile } from "./test-support";

let t: ReturnType<typeof makeTestDb>;
let base: string; // holds the root and, beside it, what must never be touched
let root: string;
let outside: string;
beforeEach(() => {
  t = makeTestDb();
  base = tempDir();
  root = path.join(base, "Agent_Memory");
  outside = path.join(base, "outside");
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, "secret.yaml"), "id: T1\ndescription: the secret\nassigned_agent: backend-developer\n");
});
afterEach(() => {
  t.cleanup();
  fs.rmSync(base, { recursive: true, force: true });
});

const outsideFiles = () => listFiles(outside);
const reasonOf = (r: ReturnType<typeof importTree>, rel: string) => r.errors.find((e) => e.path === rel)?.reason;

describe("hostile names and files", () => {
  it("refuses path traversal as a task id, an agent name, a sender, and in names built from the database", () => {
    writeFile(root, "inst_20260105_001/tasks/pending/T1.yaml", "id: ../../etc/passwd\ndescription: x\nassigned_agent: backend-developer\n");
    writeFile(root, "inst_20260105_001/tasks/pending/T2.yaml", "id: T2\ndescription: x\nassigned_agent: ../../etc/passwd\n");
    writeFile(root, "_communication/inbox/backend-developer/note_20260105_100000.yaml", "type: status_update\nfrom: ../../etc/passwd\nmessage: hi\n");
    writeFile(root, "inst_20260105_001/outputs/partial/T9_result.yaml", "task_id: ../../../outside/secret\nsummary: x\n");
    const r = importTree(t.db, root);
    expect(reasonOf(r, "inst_20260105_001/tasks/pending/T1.yaml")).toBe("task id \"../../etc/passwd\" is not usable (letters, digits, '_', '.', '-')");
    expect(reasonOf(r, "inst_20260105_001/tasks/pending/T2.yaml")).toBe('assigned_agent "../../etc/passwd" is not a usable agent name');
    expect(reasonOf(r, "_communication/inbox/backend-developer/note_20260105_100000.yaml")).toBe('from "../../etc/passwd" is not a usable agent name');
    expect(reasonOf(r, "inst_20260105_001/outputs/partial/T9_result.yaml")).toMatch(/^task id "..\/..\/..\/outside\/secret" is not usable/);
    expect(t.db.$client.prepare("SELECT count(*) n FROM tasks").get()).toEqual({ n: 0 });

    // Hostile values that reached the database some other way are refused when they would become paths.
    s.createInstruction(t.ctx(people.admin), { title: "x" });
    const inst = (t.db.$client.prepare("SELECT id FROM instructions WHERE id LIKE 'inst_2%' AND source_path IS NULL").get() as { id: string }).id;
    const created = s.createTask(t.ctx(people.admin), { instructionId: inst, title: "ok", assignedAgent: "backend-developer" });
    t.db.$client.prepare("UPDATE tasks SET ref = '../../../outside/pwned', source_path = NULL WHERE id = ?").run(created.id);
    const msg = s.sendMessage(t.ctx(people.admin), { to: "backend-developer", body: "hi" });
    t.db.$client.prepare("UPDATE messages SET to_inbox = '../../../outside', source_path = '_communication/inbox/x/../../../../outside/pwned.yaml' WHERE id = ?").run(msg.id);
    t.db.$client.prepare("UPDATE instructions SET original = ? WHERE id = ?").run(JSON.stringify({ documents: { "../../outside/pwned.yaml": "x: 1\n", "/tmp/pwned.yaml": "x: 1\n" } }), inst);
    const e = exportTree(t.db, root);
    expect(e.errors.map((x) => x.reason)).toEqual(
      expect.arrayContaining(['document path ".." is not a name', 'task "../../../outside/pwned" has no usable file name', 'inbox "../../../outside" is not a folder name']),
    );
    expect(outsideFiles()).toEqual(["secret.yaml"]);
    expect(listFiles(root).some((f) => f.includes("pwned"))).toBe(false);
  });

  it("path helpers refuse .., absolute paths, separators and NUL", () => {
    for (const bad of ["..", ".", "", "a/b", "a\\b", "x\0y", "../etc"]) expect(() => safeSegment(bad, "name")).toThrow(UnsafePathError);
    expect(() => joinInside(root, ["..", "outside"])).toThrow(UnsafePathError);
    expect(() => writeFileAtomic(root, ["..", "outside", "x.yaml"], "x")).toThrow(UnsafePathError);
    expect(safeSegment("2026-01-03T14:30:00Z_planner.yaml", "name")).toBe("2026-01-03T14:30:00Z_planner.yaml");
    expect(outsideFiles()).toEqual(["secret.yaml"]);
  });

  it("refuses a YAML alias bomb, deep nesting and __proto__, and reports the rest of the tree as imported", () => {
    const bomb = [
      "a: &a [x, x, x, x, x, x, x, x, x, x]",
      ...["b", "c", "d", "e", "f", "g", "h"].map(
        (k, i) =>
          `${k}: &${k} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(", ")}]`,
      ),
    ].join("\n");
    writeFile(root, "_communication/inbox/backend-developer/bomb_20260105_100000.yaml", `type: status_update\nfrom: qa-lead\n${bomb}\n`);
    writeFile(root, "_communication/inbox/backend-developer/deep_20260105_100000.yaml", `type: status_update\nfrom: qa-lead\nx: ${"[".repeat(100)}${"]".repeat(100)}\n`);
    writeFile(root, "_communication/inbox/backend-developer/proto_20260105_100000.yaml", "type: status_update\nfrom: qa-lead\n__proto__: {admin: true}\n");
    writeFile(root, "_communication/inbox/backend-developer/fine_20260105_100000.yaml", "type: status_update\nfrom: qa-lead\nmessage: all good\n");
    const r = importTree(t.db, root);
    expect(reasonOf(r, "_communication/inbox/backend-developer/bomb_20260105_100000.yaml")).toMatch(/Excessive alias count indicates a resource exhaustion attack/);
    expect(reasonOf(r, "_communication/inbox/backend-developer/deep_20260105_100000.yaml")).toMatch(/nested deeper than 64 levels/);
    expect(reasonOf(r, "_communication/inbox/backend-developer/proto_20260105_100000.yaml")).toBe("document uses the key __proto__");
    expect(r.byKind.message).toMatchObject({ imported: 1, skipped: 3 });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(parseYaml("a: &x 1\nb: *x\n")).toEqual({ ok: true, value: { a: 1, b: 1 } });
  });

  it("refuses a 50 MB file before reading it", () => {
    const big = writeFile(root, "inst_20260105_001/tasks/pending/T1.yaml", "");
    fs.truncateSync(big, 50 * 1024 * 1024);
    writeFile(root, "inst_20260105_001/tasks/pending/T2.yaml", "id: T2\ndescription: small\nassigned_agent: backend-developer\n");
    const started = Date.now();
    const r = importTree(t.db, root);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(reasonOf(r, "inst_20260105_001/tasks/pending/T1.yaml")).toBe("refused: it is 52428800 bytes, over the limit of 1048576 bytes");
    expect(r.byKind.task).toMatchObject({ imported: 1, skipped: 1 });
  });

  it("refuses symlinks out of the root, reading and writing", () => {
    fs.mkdirSync(path.join(root, "inst_20260105_001/tasks/pending"), { recursive: true });
    fs.symlinkSync(path.join(outside, "secret.yaml"), path.join(root, "inst_20260105_001/tasks/pending/T1.yaml"));
    fs.symlinkSync(outside, path.join(root, "inst_20260105_002"));
    fs.mkdirSync(path.join(root, "_communication/inbox"), { recursive: true });
    fs.symlinkSync(outside, path.join(root, "_communication/inbox/backend-developer"));
    writeFile(root, "inst_20260105_001/tasks/pending/T2.yaml", "id: T2\ndescription: inside\nassigned_agent: backend-developer\n");
    const r = importTree(t.db, root);
    expect(reasonOf(r, "inst_20260105_001/tasks/pending/T1.yaml")).toBe("symlink points outside the root: refused");
    expect(reasonOf(r, "inst_20260105_002")).toBe("symlink points outside the root: refused");
    expect(reasonOf(r, "_communication/inbox/backend-developer")).toBe("symlink points outside the root: refused");
    expect((t.db.$client.prepare("SELECT description FROM tasks").all() as { description: string }[]).map((x) => x.description)).toEqual(["inside"]);

    // Writing: a message for backend-developer would land in the symlinked inbox; refused, nothing outside.
    s.sendMessage(t.ctx(people.admin), { to: "backend-developer", body: "hello" });
    const e = exportTree(t.db, root);
    expect(e.errors.some((x) => x.reason === "_communication/inbox/backend-developer is a symlink: the bridge does not write through symlinks")).toBe(true);
    expect(outsideFiles()).toEqual(["secret.yaml"]);
    expect(fs.readFileSync(path.join(outside, "secret.yaml"), "utf8")).toContain("the secret");
  });
});
