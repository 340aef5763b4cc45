// The later layouts of the Agent_Memory protocol (issue #22): hierarchical tasks, completion
// manifests, reports and hand-offs, broadcast channels, session folders and the cagents-memory root.
// Each example tree (lib/protocol/fixtures/) goes through `agentdesk import` into a fresh database,
// `agentdesk export` back out, and a second import.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type Db } from "@/db/client";
import * as s from "@/lib/services";
import { people } from "@/test/db";
import { parseYaml } from "./yaml";
import { eventCount, listFiles, runBridgeCli, tempDir, writeFile } from "./test-support";

const AGENTS = path.resolve(process.cwd(), "agents");
const FIXTURES = path.resolve(process.cwd(), "lib/protocol/fixtures");
const fixture = (name: string, root = "Agent_Memory") => path.join(FIXTURES, name, root);

let dir: string;
let file: string;
let db: Db;
beforeEach(() => {
  dir = tempDir("agentdesk-layouts-");
  file = path.join(dir, "fresh.db");
  db = openDatabase(file);
  process.exitCode = undefined;
});
afterEach(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

const cli = (...argv: string[]) => runBridgeCli({ openDb: () => openDatabase(file), agentDirs: () => [AGENTS] }, argv);
type Row = Record<string, unknown>;
const all = (sql: string, ...args: unknown[]) => db.$client.prepare(sql).all(...args) as Row[];
const get = (sql: string, ...args: unknown[]) => db.$client.prepare(sql).get(...args) as Row | undefined;
const admin = () => ({ db, actor: people.admin });
const yamlOf = (root: string, rel: string) => {
  const p = parseYaml(fs.readFileSync(path.join(root, rel), "utf8"));
  if (!p.ok) throw new Error(p.reason);
  return p.value as Record<string, unknown>;
};

/** `agentdesk --json import DIR`: the summary, which must report nothing skipped. */
async function importClean(root: string) {
  const r = await cli("--json", "import", root);
  const summary = JSON.parse(r.stdout);
  expect(summary.errors).toEqual([]);
  expect(r.code).toBeUndefined();
  return summary;
}

/** Export to a fresh folder, then check every source file came back at its path with its fields (round-trip keys aside). */
async function exportAndCompare(source: string, added: string[] = ["created_at", "timestamp", "message_id", "completed_at"]) {
  const out = path.join(dir, "out", path.basename(source));
  const r = await cli("--json", "export", out);
  expect(JSON.parse(r.stdout).errors).toEqual([]);
  const files = listFiles(source);
  const exported = listFiles(out);
  for (const rel of files) {
    expect(exported, rel).toContain(rel);
    if (!/\.ya?ml$/.test(rel)) {
      expect(fs.readFileSync(path.join(out, rel), "utf8"), rel).toBe(fs.readFileSync(path.join(source, rel), "utf8"));
      continue;
    }
    const back = yamlOf(out, rel);
    for (const k of added) if (!(k in yamlOf(source, rel))) delete back[k];
    expect(back, rel).toEqual(yamlOf(source, rel));
  }
  return { out, exported };
}

/** A second import of the exported tree: everything unchanged, no event appended. */
async function reimportUnchanged(root: string) {
  const before = eventCount(db);
  const again = await importClean(root);
  expect(again.imported).toBe(0);
  expect(again.updated).toBe(0);
  expect(eventCount(db)).toBe(before);
  return again;
}

const task = (ref: string) => get("SELECT * FROM tasks WHERE ref = ?", ref)!;
const steps = (taskId: unknown) => (get("SELECT count(*) AS n FROM task_steps WHERE task_id = ?", taskId) as { n: number }).n;
const refOf = (id: unknown) => (id ? (get("SELECT ref FROM tasks WHERE id = ?", id) as { ref: string }).ref : null);

describe("hierarchical tasks: tasks/strategic/ST{n}.yaml and tasks/tactical/{domain}/TT{n}.{m}.yaml", () => {
  const root = fixture("hierarchical");

  it("imports strategic and tactical tasks with their parent, state from the status field, fields from the later names, and the agents' steps", async () => {
    const sum = await importClean(root);
    expect(sum.byKind.task).toEqual({ imported: 6, updated: 0, unchanged: 0, skipped: 0 });

    const st1 = task("ST1");
    expect(st1).toMatchObject({ status: "in_progress", assigned_agent: "tech-lead", parent_task_id: null, title: "Password reset flow" });
    expect(JSON.parse(st1.acceptance_criteria as string)).toEqual(["A user can reset a forgotten password from the login page", "Reset links expire after 30 minutes and work once"]);
    expect(st1.description).toMatch(/^Users who forgot their password/);
    expect(st1.deadline).toBe(Date.parse("2026-02-10T17:00:00Z"));
    expect(task("ST2").status).toBe("pending");

    const tt11 = task("TT1.1");
    expect(tt11).toMatchObject({ status: "pending", assigned_agent: "backend-developer", source_path: "inst_20260201_001/tasks/tactical/backend/TT1.1.yaml" });
    expect(refOf(tt11.parent_task_id)).toBe("ST1");
    expect(JSON.parse(tt11.files_to_modify as string)).toEqual(["src/auth/routes.py"]);
    expect(JSON.parse(tt11.files_to_create as string)).toEqual(["src/auth/reset.py"]);
    expect(JSON.parse(tt11.acceptance_criteria as string)).toHaveLength(2);
    // agents/backend-developer.md has ten steps: the imported task is trackable.
    expect(steps(tt11.id)).toBe(10);

    expect(task("TT1.2")).toMatchObject({ status: "blocked", blocked_reason: "Waiting for the password policy from security", blocker_type: "unclear_requirement" });
    expect(task("TT1.3").status).toBe("completed");
    expect(task("TT2.1").status).toBe("pending");
    // TT2.1 would belong to ST2, but its file says parent_task: ST1.
    expect(refOf(task("TT2.1").parent_task_id)).toBe("ST1");
    for (const ref of ["TT1.2", "TT1.3"]) expect(refOf(task(ref).parent_task_id)).toBe("ST1");
    // dependencies{requires}: ST2 needs ST1, TT1.2 needs TT1.1.
    const deps = all("SELECT t.ref AS task, d.ref AS needs FROM task_dependencies x JOIN tasks t ON t.id = x.task_id JOIN tasks d ON d.id = x.depends_on_task_id ORDER BY 1");
    expect(deps).toEqual([
      { task: "ST2", needs: "ST1" },
      { task: "TT1.2", needs: "TT1.1" },
    ]);

    // The task DTO: parent and children with status and progress.
    const detail = s.getTask(admin(), st1.id as string);
    expect(detail.parentTask).toBeNull();
    expect(detail.children.map((c) => [c.ref, c.status])).toEqual([
      ["TT1.1", "pending"],
      ["TT1.2", "blocked"],
      ["TT1.3", "completed"],
      ["TT2.1", "pending"],
    ]);
    expect(detail.children[0].progress.total).toBe(10);
    expect(s.getTask(admin(), tt11.id as string).parentTask).toMatchObject({ ref: "ST1", status: "in_progress" });
  });

  it("exports each task back to its own file with the unknown fields, writes a changed state into status:, and a second import changes nothing", async () => {
    await importClean(root);
    const { out } = await exportAndCompare(root);
    await reimportUnchanged(out);

    // A state changed in AgentDesk goes into the file's status field; the file stays where it is.
    const ctx = { db, actor: { kind: "system", name: "test" } as const };
    s.cancelTask(ctx, { taskId: task("TT2.1").id as string, reason: "not needed" });
    const again = JSON.parse((await cli("--json", "export", out)).stdout);
    expect(again.errors).toEqual([]);
    const rel = "inst_20260201_001/tasks/tactical/frontend/TT2.1.yaml";
    expect(yamlOf(out, rel)).toMatchObject({ status: "cancelled", parent_task: "ST1" });
    expect(listFiles(out).filter((f) => f.includes("TT2.1"))).toEqual([rel]);
    // Reading the file back keeps the state (only the stored copy of the file is refreshed), then nothing changes.
    const back = await importClean(out);
    expect(back.updated).toBeLessThanOrEqual(1);
    expect(task("TT2.1").status).toBe("cancelled");
    await reimportUnchanged(out);
  });

  it("a task file that still cannot be imported is reported with its path and reason, and the rest is imported", async () => {
    const copy = path.join(dir, "copy", "Agent_Memory");
    fs.cpSync(root, copy, { recursive: true });
    writeFile(copy, "inst_20260201_001/tasks/tactical/backend/TT1.9.yaml", "id: [not, a, ref]\ntitle: broken\n");
    writeFile(copy, "inst_20260201_001/tasks/tactical/TT1.8.yaml", "id: TT1.8\n");
    const r = await cli("--json", "import", copy);
    const sum = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(sum.errors).toEqual([
      { path: "inst_20260201_001/tasks/tactical/TT1.8.yaml", reason: expect.stringContaining("unknown location") },
      { path: "inst_20260201_001/tasks/tactical/backend/TT1.9.yaml", reason: expect.stringContaining("is not usable") },
    ]);
    expect(sum.byKind.task).toMatchObject({ imported: 6, skipped: 2 });
  });
});

describe("completion manifests: {inst}/outputs/partial/{task_id}/manifest.yaml", () => {
  const root = fixture("manifests");

  it("keeps the manifest beside the task's output, shows it as a checklist against the acceptance criteria, exports it back byte for byte", async () => {
    const sum = await importClean(root);
    expect(sum.byKind).toMatchObject({ document: { imported: 1, skipped: 0 }, output: { imported: 1 }, task: { imported: 1 } });
    const t1 = task("T1");
    const out = get("SELECT id FROM outputs WHERE task_id = ?", t1.id)!;
    const detail = s.getOutput(admin(), out.id as string);
    expect(detail.acceptanceCriteria).toHaveLength(3);
    expect(detail.manifest).toMatchObject({
      path: "outputs/partial/T1/manifest.yaml",
      items: [
        { criterion: "At most 5 attempts per minute per IP", verdict: "met", evidence: "tests/test_ratelimit.py::test_five_per_minute passes" },
        { criterion: "The sixth attempt gets 429 with Retry-After", verdict: "not_met", evidence: "429 is returned but Retry-After is missing" },
        // Not in the manifest: not verified.
        { criterion: "Successful logins reset the counter", verdict: "not_verified", evidence: null },
      ],
      extra: [{ criterion: "Limiter survives a Redis restart", verdict: "met" }],
      outputsCreated: ["src/auth/ratelimit.py"],
      qualityChecks: [
        { name: "passed", items: ["ruff", "mypy"] },
        { name: "failed", items: ["integration suite (Redis not available in CI)"] },
      ],
      outstandingWork: ["Add the Retry-After header"],
      issuesEncountered: ["Redis client pinned to an old version"],
      problem: null,
    });

    const { out: exported } = await exportAndCompare(root);
    const rel = "inst_20260202_001/outputs/partial/T1/manifest.yaml";
    expect(fs.readFileSync(path.join(exported, rel), "utf8")).toBe(fs.readFileSync(path.join(root, rel), "utf8"));
    await reimportUnchanged(exported);
    await reimportUnchanged(root);
  });

  it("a changed manifest updates the checklist; an unreadable one is reported with its path and the rest is imported", async () => {
    const copy = path.join(dir, "copy", "Agent_Memory");
    fs.cpSync(root, copy, { recursive: true });
    await importClean(copy);
    const rel = "inst_20260202_001/outputs/partial/T1/manifest.yaml";
    writeFile(copy, rel, "completion_verification:\n  At most 5 attempts per minute per IP: {status: NOT_MET, evidence: flaky}\n  AC3: MET\n");
    const upd = await importClean(copy);
    expect(upd.byKind.document).toMatchObject({ updated: 1 });
    const out = get("SELECT id FROM outputs WHERE task_id = ?", task("T1").id)!;
    expect(s.getOutput(admin(), out.id as string).manifest!.items.map((i) => i.verdict)).toEqual(["not_met", "not_verified", "met"]);

    writeFile(copy, rel, "completion_verification: [unclosed\n");
    const bad = JSON.parse((await cli("--json", "import", copy)).stdout);
    expect(bad.errors).toEqual([{ path: rel, reason: expect.stringMatching(/^invalid YAML/) }]);
    expect(bad.byKind.task).toMatchObject({ unchanged: 1, skipped: 0 });
    // The stored manifest is kept as it was.
    expect(s.getOutput(admin(), out.id as string).manifest!.items[0].verdict).toBe("not_met");
  });
});
