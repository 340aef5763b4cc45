// The later layouts of the Agent_Memory protocol (issue #22): hierarchical tasks, completion
// manifests, reports and hand-offs, broadcast channels, session folders and the cagents-memory root.
// Each example tree (lib/protocol/fixtures/) goes through `agentdesk import` into a fresh database,
// `agentdesk export` back out, and a second import.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import * as s from "@/lib/services";
import { people } from "@/test/db";
import { parseYaml } from "./yaml";
import { startMirror } from "./mirror";
import { eventCount, listFiles, runBridgeCli, tempDir, waitFor, writeFile } from "./test-support";

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
async function exportAndCompare(source: string, added: string[] = ["created_at", "timestamp", "message_id", "completed_at", "to"]) {
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

const message = (where: string, ...args: unknown[]) => get(`SELECT * FROM messages WHERE ${where}`, ...args)!;

describe("reports and hand-offs: _communication/reports/{daily,weekly}/{from}_to_{to}_{date}.yaml, _communication/handoffs/{from}_to_{to}_{ts}.yaml", () => {
  const root = fixture("reports");

  it("become messages of their own types in the recipient's inbox, from the sender of the file name, and go back where they came from", async () => {
    const sum = await importClean(root);
    expect(sum.byKind.message).toEqual({ imported: 4, updated: 0, unchanged: 0, skipped: 0 });
    expect(message("source_path LIKE '%reports/daily/%'")).toMatchObject({ type: "daily_report", from_kind: "agent", from_name: "backend-developer", to_inbox: "tech-lead" });
    const weekly = message("source_path LIKE '%reports/weekly/%'");
    expect(weekly).toMatchObject({ type: "weekly_report", from_name: "tech-lead", to_inbox: "hitl", subject: "Password reset is 70% done; the policy decision is the one open risk." });
    // Readable: the fields in file order, labelled; structures as YAML.
    expect(weekly.body).toMatch(/^\*\*Summary:\*\* Password reset/);
    expect(weekly.body).toContain("**Highlights**\n\n- Token endpoint shipped behind a flag");
    const handoff = message("type = 'handoff'");
    expect(handoff).toMatchObject({ from_name: "backend-developer", to_inbox: "frontend-developer", subject: "Reset endpoint ready for the pages" });
    expect(s.listInbox(admin(), { inbox: "frontend-developer" }).items.map((m) => m.type)).toEqual(["handoff"]);

    const { out } = await exportAndCompare(root);
    await reimportUnchanged(out);
    await reimportUnchanged(root);
  });

  it("a report whose file name says no recipient is reported with its path and reason, the rest is imported", async () => {
    const copy = path.join(dir, "copy", "Agent_Memory");
    fs.cpSync(root, copy, { recursive: true });
    writeFile(copy, "_communication/reports/daily/summary.yaml", "summary: x\n");
    writeFile(copy, "_communication/reports/monthly/a_to_b_20260201.yaml", "summary: x\n");
    writeFile(copy, "_communication/handoffs/a_to_..%2f..%2fetc_20260201.yaml", "summary: x\n");
    const sum = JSON.parse((await cli("--json", "import", copy)).stdout);
    expect(sum.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      "_communication/handoffs/a_to_..%2f..%2fetc_20260201.yaml",
      "_communication/reports/daily/summary.yaml",
      "_communication/reports/monthly/a_to_b_20260201.yaml",
    ]);
    expect(sum.errors.find((e: { path: string }) => e.path.includes("summary")).reason).toMatch(/named \{from\}_to_\{to\}_\{date\}\.yaml/);
    expect(sum.byKind.message).toMatchObject({ imported: 4, skipped: 3 });
  });
});

describe("broadcast channels: _communication/broadcast/{channel}/", () => {
  const root = fixture("channels");

  it("stores each channel's messages as broadcasts of that channel with its members; flat broadcasts stay in broadcast; exported back to the channel's folder", async () => {
    const sum = await importClean(root);
    expect(sum.byKind.message).toEqual({ imported: 4, updated: 0, unchanged: 0, skipped: 0 });
    expect(all("SELECT to_inbox, type FROM messages ORDER BY created_at")).toEqual([
      { to_inbox: "broadcast", type: "broadcast" },
      { to_inbox: "broadcast:all", type: "broadcast" },
      { to_inbox: "broadcast:backend-team", type: "broadcast" },
      { to_inbox: "broadcast:tech-leads", type: "status_update" },
    ]);
    expect(all("SELECT name, members FROM broadcast_channels ORDER BY name")).toEqual([
      { name: "all", members: "[]" },
      { name: "backend-team", members: '["api-developer","backend-developer"]' },
      { name: "tech-leads", members: '["backend-lead","frontend-lead"]' },
    ]);
    // The inbox picker lists the channels; a person reads one like an inbox.
    const inboxes = s.listInboxes(admin()).map((i) => i.inbox);
    expect(inboxes).toEqual(expect.arrayContaining(["broadcast", "broadcast:all", "broadcast:backend-team", "broadcast:tech-leads"]));
    expect(s.listInbox(admin(), { inbox: "broadcast:backend-team" }).items.map((m) => m.subject)).toEqual(["Redis 7 on staging"]);
    // A member reads its channels and `all`; others are not its to read.
    const be = { db, actor: { kind: "agent", name: "backend-developer" } as const };
    expect(s.listInboxes(be).map((i) => i.inbox)).toEqual(["backend-developer", "broadcast:all", "broadcast:backend-team"]);
    expect(s.listInbox(be, { inbox: "broadcast:backend-team" }).items).toHaveLength(1);
    expect(() => s.listInbox(be, { inbox: "broadcast:tech-leads" })).toThrow(/may not read/);

    const { out } = await exportAndCompare(root);
    await reimportUnchanged(out);
    await reimportUnchanged(root);
  });

  it("a message posted to a channel in AgentDesk is exported into the channel's folder; a channel name that is not a folder name is refused", async () => {
    await importClean(root);
    const m = s.sendMessage({ db, actor: people.reviewer }, { to: "broadcast:backend-team", type: "broadcast", subject: "Deploy at noon", body: "Deploying at noon." });
    expect(m.to).toBe("broadcast:backend-team");
    const out = path.join(dir, "out2", "Agent_Memory");
    expect(JSON.parse((await cli("--json", "export", out)).stdout).errors).toEqual([]);
    const written = listFiles(out).filter((f) => f.startsWith("_communication/broadcast/backend-team/"));
    expect(written).toHaveLength(2);
    const fresh = written.find((f) => !f.endsWith("announcement_20260204_090000.yaml"))!;
    expect(yamlOf(out, fresh)).toMatchObject({ type: "broadcast", from: "rex@example.com", subject: "Deploy at noon", message_id: m.id });
    expect(yamlOf(out, fresh)).not.toHaveProperty("to");
    // The first import of it only keeps the file's document with the message born here (no new message); then nothing changes.
    const first = await importClean(out);
    expect(first).toMatchObject({ imported: 0, updated: 1 });
    expect(JSON.parse(get("SELECT original FROM messages WHERE id = ?", m.id)!.original as string)).toMatchObject({ message_id: m.id });
    await reimportUnchanged(out);

    const copy = path.join(dir, "copy", "Agent_Memory");
    fs.cpSync(root, copy, { recursive: true });
    writeFile(copy, "_communication/broadcast/Bad Channel/x.yaml", "message: hi\n");
    const sum = JSON.parse((await cli("--json", "import", copy)).stdout);
    expect(sum.errors).toEqual([{ path: "_communication/broadcast/Bad Channel/x.yaml", reason: expect.stringContaining("is not a usable name") }]);
  });
});

describe("session folders: sessions/{kind}_{YYYYMMDD}_{HHMMSS}/, and the root named cagents-memory/", () => {
  const project = path.join(FIXTURES, "sessions", "project");
  const root = path.join(project, "cagents-memory");
  const id = "inst_feature_20260205_140000";

  it("a project folder holding cagents-memory/ is read from there; a session is one instruction with its tasks, results, messages and notes", async () => {
    const sum = await importClean(project);
    expect(sum.root).toBe(fs.realpathSync(root));
    expect(sum.byKind).toMatchObject({
      instruction: { imported: 1, skipped: 0 },
      document: { imported: 4, skipped: 0 },
      task: { imported: 2, skipped: 0 },
      output: { imported: 1, skipped: 0 },
      message: { imported: 1, skipped: 0 },
    });
    const inst = s.getInstruction(admin(), id);
    expect(inst).toMatchObject({ title: "Add dark mode to the settings page", phase: "executing", tier: 2, sourcePath: "sessions/feature_20260205_140000/instruction.yaml" });
    expect(inst.notes.map((n) => n.path)).toEqual(["task_plan.md", "findings.md", "progress.md"]);
    expect(inst.notes[0].text).toBe(fs.readFileSync(path.join(root, "sessions/feature_20260205_140000/task_plan.md"), "utf8"));
    expect(inst.tasks.map((t) => [t.ref, t.status])).toEqual([
      ["T1", "completed"],
      ["T2", "pending"],
    ]);
    // The pending task has its agent's steps (agents/frontend-developer.md).
    expect(steps(task("T2").id)).toBeGreaterThan(0);
    expect(message("1 = 1")).toMatchObject({ to_inbox: "tech-lead", instruction_id: id, task_id: task("T1").id });

    // Exported back into the session folder, under the same root name.
    const { out } = await exportAndCompare(root);
    expect(listFiles(out).every((f) => f.startsWith("sessions/feature_20260205_140000/"))).toBe(true);
    await reimportUnchanged(out);
    await reimportUnchanged(project);

    // A project folder with an (empty) cagents-memory/ in it is exported into that folder.
    const target = path.join(dir, "project2");
    fs.mkdirSync(path.join(target, "cagents-memory"), { recursive: true });
    expect(JSON.parse((await cli("--json", "export", target)).stdout)).toMatchObject({ root: fs.realpathSync(path.join(target, "cagents-memory")), errors: [] });
    expect(listFiles(target)).toContain("cagents-memory/sessions/feature_20260205_140000/findings.md");
  });

  it("a folder under sessions/ not named {kind}_{date}_{time} is reported with its path and reason; path tricks are refused as everywhere", async () => {
    const copy = path.join(dir, "copy", "cagents-memory");
    fs.cpSync(root, copy, { recursive: true });
    writeFile(copy, "sessions/notes/instruction.yaml", "raw_input: x\n");
    writeFile(copy, "sessions/Feature_20260205_140000/instruction.yaml", "raw_input: x\n");
    fs.symlinkSync("/etc", path.join(copy, "sessions", "feature_20260205_140000", "outputs", "partial", "T9"));
    fs.symlinkSync("/etc/hostname", path.join(copy, "sessions", "feature_20260205_140000", "leak.md"));
    const r = await cli("--json", "import", copy);
    const sum = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(sum.errors).toEqual(
      expect.arrayContaining([
        { path: "sessions/notes/instruction.yaml", reason: expect.stringContaining("is not named {kind}_{YYYYMMDD}_{HHMMSS}") },
        { path: "sessions/Feature_20260205_140000/instruction.yaml", reason: expect.stringContaining("is not named") },
        { path: "sessions/feature_20260205_140000/outputs/partial/T9", reason: "symlink points outside the root: refused" },
        { path: "sessions/feature_20260205_140000/leak.md", reason: "symlink points outside the root: refused" },
      ]),
    );
    expect(sum.errors).toHaveLength(4);
    expect(sum.byKind.task).toMatchObject({ imported: 2, skipped: 0 });
    expect(s.getInstruction(admin(), id).notes).toHaveLength(3);
  });
});

describe("paths the later layouts build on export", () => {
  it("a stored source path with '..' or an absolute path is not followed: the item is written where its inbox or state says", async () => {
    await importClean(fixture("hierarchical"));
    await importClean(fixture("channels"));
    db.$client.prepare("UPDATE tasks SET source_path = 'inst_20260201_001/tasks/tactical/../../../../escape/TT1.1.yaml' WHERE ref = 'TT1.1'").run();
    db.$client.prepare("UPDATE tasks SET source_path = '/etc/tasks/strategic/ST2.yaml' WHERE ref = 'ST2'").run();
    db.$client.prepare("UPDATE messages SET source_path = '_communication/broadcast/../../../escape/x.yaml' WHERE to_inbox = 'broadcast:backend-team'").run();
    const out = path.join(dir, "safe", "Agent_Memory");
    const r = JSON.parse((await cli("--json", "export", out)).stdout);
    expect(r.errors).toEqual([]);
    const files = listFiles(path.join(dir, "safe"));
    expect(files.filter((f) => f.includes("escape"))).toEqual([]);
    expect(files).toContain("Agent_Memory/inst_20260201_001/tasks/pending/TT1.1.yaml");
    expect(files).toContain("Agent_Memory/inst_20260201_001/tasks/pending/ST2.yaml");
    expect(files.filter((f) => f.startsWith("Agent_Memory/_communication/broadcast/backend-team/"))).toHaveLength(1);
  });
});

describe("the live mirror on the later layouts", () => {
  it("a tactical task cancelled in AgentDesk gets status: cancelled in its own file; a new report file dropped in arrives in the inbox", async () => {
    const copy = path.join(dir, "live", "Agent_Memory");
    fs.cpSync(fixture("hierarchical"), copy, { recursive: true });
    const mirror = await startMirror(db, copy, { pollMs: 50, rescanMs: 200, stableMs: 50, stateFile: false });
    try {
      const rel = "inst_20260201_001/tasks/tactical/frontend/TT2.1.yaml";
      await waitFor(() => task("TT2.1"), 3000, "the initial import");
      s.cancelTask({ db, actor: { kind: "system", name: "test" } }, { taskId: task("TT2.1").id as string, reason: "not needed" });
      await waitFor(() => yamlOf(copy, rel).status === "cancelled", 3000, "status: cancelled in the file");
      expect(listFiles(copy).filter((f) => f.includes("TT2.1"))).toEqual([rel]);
      expect(yamlOf(copy, rel)).toMatchObject({ parent_task: "ST1", tactical_acceptance_criteria: ["Light and dark screenshots"] });

      writeFile(copy, "_communication/reports/daily/frontend_developer_to_tech_lead_20260204.yaml", "summary: pages done\ntimestamp: '2026-02-04T18:00:00Z'\n");
      const m = await waitFor(() => get("SELECT type, from_name, to_inbox FROM messages WHERE type = 'daily_report'"), 3000, "the report");
      expect(m).toEqual({ type: "daily_report", from_name: "frontend-developer", to_inbox: "tech-lead" });
    } finally {
      await mirror.stop();
    }
  });
});
