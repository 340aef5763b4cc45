import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agent, makeTestDb, people } from "@/test/db";
import * as s from "@/lib/services";
import type { SqliteDb as Db } from "@/db/client";
import { importTree } from "./import";
import { exportTree } from "./export";
import { parseYaml } from "./yaml";
import { EXAMPLES, eventCount, listFiles, tempDir, writeFile } from "./test-support";

let t: ReturnType<typeof makeTestDb>;
const cleanups: (() => void)[] = [];
beforeEach(() => (t = makeTestDb()));
afterEach(() => {
  t.cleanup();
  while (cleanups.length) cleanups.pop()!();
});
const fresh = () => {
  const x = makeTestDb();
  cleanups.push(x.cleanup);
  return x;
};
const dir = () => {
  const d = tempDir();
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};

type Row = Record<string, unknown>;
const all = (db: Db, sql: string, ...args: unknown[]) => db.$client.prepare(sql).all(...args) as Row[];
const get = (db: Db, sql: string, ...args: unknown[]) => db.$client.prepare(sql).get(...args) as Row | undefined;

/** The modelled fields of everything, keyed by protocol identity (ids and refs, not database ids). */
function snapshot(db: Db) {
  const instructions = all(db, "SELECT id, title, body, tier, priority, phase, created_by, created_at FROM instructions ORDER BY id");
  const tasks = all(
    db,
    `SELECT t.instruction_id, t.ref, t.title, t.description, t.type, t.assigned_agent, t.status, t.priority, t.authority, t.deadline,
            t.acceptance_criteria, t.files_to_modify, t.files_to_create, t.blocked_reason, t.blocker_type, t.created_at, t.completed_at,
            (SELECT group_concat(d.ref) FROM task_dependencies td JOIN tasks d ON d.id = td.depends_on_task_id WHERE td.task_id = t.id) AS deps
       FROM tasks t ORDER BY t.instruction_id, t.ref`,
  );
  const messages = all(
    db,
    `SELECT m.id, m.from_kind, m.from_name, m.to_inbox, m.type, m.priority, m.subject, m.body, m.instruction_id, t.ref AS task_ref, m.created_at,
            m.thread_id, m.in_reply_to
       FROM messages m LEFT JOIN tasks t ON t.id = m.task_id ORDER BY m.created_at, m.to_inbox, m.subject`,
  );
  const outputs = all(
    db,
    "SELECT t.instruction_id, t.ref, o.version, o.format, o.language, o.content, o.files, o.submitted_by FROM outputs o JOIN tasks t ON t.id = o.task_id ORDER BY t.instruction_id, t.ref, o.version",
  );
  return { instructions, tasks, messages, outputs };
}

describe("importing the protocol's examples", () => {
  it("imports every example, reports exactly the invalid one, and keeps where each came from", () => {
    const r = importTree(t.db, EXAMPLES);
    expect(r.errors).toEqual([{ path: "_communication/inbox/frontend-developer/delegation_T3.yaml", reason: expect.stringMatching(/^invalid YAML: Unexpected scalar/) }]);
    expect(r).toMatchObject({ imported: 32, updated: 0, unchanged: 0, skipped: 1 });
    expect(r.byKind).toEqual({
      instruction: { imported: 6, updated: 0, unchanged: 0, skipped: 0 },
      document: { imported: 8, updated: 0, unchanged: 0, skipped: 0 },
      task: { imported: 2, updated: 0, unchanged: 0, skipped: 0 },
      output: { imported: 1, updated: 0, unchanged: 0, skipped: 0 },
      message: { imported: 15, updated: 0, unchanged: 0, skipped: 1 },
    });

    // Instructions: one per folder; title and body from raw_input; tier from status (else plan); phase from current_phase or phase.
    const inst = s.getInstruction(t.ctx(people.admin), "inst_20260103_005");
    expect(inst).toMatchObject({
      title: "Fix the login timeout bug in auth.py",
      body: "Fix the login timeout bug in auth.py",
      priority: "normal",
      phase: "routing",
      createdBy: "trigger",
      createdAt: "2026-01-03T10:00:00.000Z",
      sourcePath: "inst_20260103_005/instruction.yaml",
    });
    expect(get(t.db, "SELECT phase, source_path FROM instructions WHERE id = 'inst_20240115_001'")).toEqual({ phase: "blocked", source_path: "inst_20240115_001/status.yaml" });
    expect(get(t.db, "SELECT tier, created_at FROM instructions WHERE id = 'inst_20260103_001'")).toEqual({ tier: 3, created_at: Date.parse("2026-01-03T15:00:00Z") });
    // Plans, decisions, reviews, corrections, episodic logs and final outputs live in the instruction's original, as written.
    const original = JSON.parse(get(t.db, "SELECT original FROM instructions WHERE id = 'inst_20260103_001'")!.original as string);
    expect(Object.keys(original.documents)).toEqual([
      "corrections/attempt_1.yaml",
      "decisions/2026-01-03T14:30:00Z_planner.yaml",
      "outputs/final/execution_summary.yaml",
      "reviews/20260103_180000_validation.yaml",
      "workflow/plan.yaml",
    ]);
    expect(original.documents["workflow/plan.yaml"]).toBe(fs.readFileSync(path.join(EXAMPLES, "inst_20260103_001/workflow/plan.yaml"), "utf8"));

    // Tasks: the folder is the status; specification fields; unknown agents become inactive rows.
    const t1 = get(t.db, "SELECT * FROM tasks WHERE instruction_id = 'inst_20260103_004' AND ref = 'T1'")!;
    expect(t1).toMatchObject({
      title: "Implement login endpoint with JWT authentication",
      type: "create",
      assigned_agent: "backend-developer",
      status: "pending",
      source_path: "inst_20260103_004/tasks/pending/T1.yaml",
    });
    expect(JSON.parse(t1.files_to_modify as string)).toEqual(["src/api/routes/auth.py", "src/middleware/jwt.py", "src/config/auth_config.py"]);
    expect(JSON.parse(t1.files_to_create as string)).toEqual(["tests/test_auth_endpoint.py"]);
    expect(JSON.parse(t1.acceptance_criteria as string)).toHaveLength(6);
    expect(JSON.parse(t1.original as string).specification.tools_needed).toEqual(["Write", "Edit", "Bash"]);
    expect((get(t.db, "SELECT count(*) n FROM task_steps WHERE task_id = ?", t1.id)!.n as number) > 0).toBe(true);
    expect(get(t.db, "SELECT assigned_agent, status FROM tasks WHERE instruction_id = 'inst_20260103_001'")).toEqual({ assigned_agent: "architect", status: "pending" });
    expect(get(t.db, "SELECT active FROM agents WHERE name = 'architect'")).toEqual({ active: 0 });
    // A result without a task file: the task is made from the result (completed, by qa_lead → qa-lead).
    expect(get(t.db, "SELECT ref, status, assigned_agent, source_path FROM tasks WHERE instruction_id = 'inst_20260102_001'")).toEqual({
      ref: "T3",
      status: "completed",
      assigned_agent: "qa-lead",
      source_path: null,
    });
    expect(r.warnings).toEqual([{ path: "inst_20260102_001/outputs/partial/T3_result.yaml", reason: "no task file for T3: the task was created from the result" }]);

    // Outputs: a YAML version whose content is the file's text.
    const out = get(t.db, "SELECT * FROM outputs")!;
    expect(out).toMatchObject({
      version: 1,
      format: "yaml",
      status: "pending_review",
      submitted_by: "qa-lead",
      source_path: "inst_20260102_001/outputs/partial/T3_result.yaml",
      created_at: Date.parse("2026-01-02T11:30:00Z"),
    });
    expect(out.content).toBe(fs.readFileSync(path.join(EXAMPLES, "inst_20260102_001/outputs/partial/T3_result.yaml"), "utf8"));
    expect(JSON.parse(out.files as string).map((f: { path: string }) => f.path)).toEqual(["tests/unit/auth/login.test.js", "tests/integration/auth/api.test.js", "tests/e2e/login-flow.spec.js"]);

    // Messages: inbox by folder, types kept, medium → normal, urgency read as priority, one thread each.
    const msgs = all(t.db, "SELECT to_inbox, type, priority, from_kind, from_name, thread_id, id, source_path, instruction_id FROM messages ORDER BY source_path");
    expect(msgs).toHaveLength(15);
    expect(new Set(msgs.map((m) => m.thread_id)).size).toBe(15);
    expect(msgs.every((m) => m.thread_id === m.id && (m.source_path as string).startsWith("_communication/"))).toBe(true);
    const by = (p: string) => msgs.find((m) => (m.source_path as string).endsWith(p))!;
    expect(by("broadcast/new_instruction_20260103_100000.yaml")).toMatchObject({ to_inbox: "broadcast", type: "broadcast", from_name: "trigger" });
    expect(by("backend-developer/consultation_20260103_140000.yaml")).toMatchObject({ to_inbox: "backend-developer", type: "consultation", priority: "normal", from_name: "qa-lead" });
    expect(by("hitl/blocked_inst_20260103_001.yaml")).toMatchObject({ to_inbox: "hitl", type: "escalation", priority: "high", instruction_id: "inst_20260103_001" });
    expect(by("architect/review_20260103_144500.yaml")).toMatchObject({ type: "review_request", instruction_id: null });
    expect(new Set(msgs.map((m) => m.type))).toEqual(
      new Set([
        "broadcast",
        "review_request",
        "consultation",
        "delegation",
        "review_response",
        "escalation",
        "phase_start",
        "consultation_response",
        "review",
        "validation_result",
        "execution_phase_start",
      ]),
    );
    const consultation = s.getMessage(t.ctx(people.admin), by("consultation_20260103_140000.yaml").id as string);
    expect(consultation.subject).toBe("Creating integration tests for POST /api/orders endpoint. Need clarification on expected behavior:");
    expect(consultation.body).toMatch(/^\*\*Question\*\*\n\nCreating integration tests/);
    expect(consultation.body).toContain("**Expected response time:** 1h");
    // Missing timestamp: the file's modification time.
    expect(consultation.createdAt).toBe(new Date(Math.floor(fs.statSync(path.join(EXAMPLES, "_communication/inbox/backend-developer/consultation_20260103_140000.yaml")).mtimeMs)).toISOString());
    expect(JSON.parse(get(t.db, "SELECT original FROM messages WHERE id = ?", consultation.id)!.original as string).expected_response_time).toBe("1h");
    // The people answer the hitl inbox; a reply goes back to the validator's inbox.
    const hitl = by("hitl/blocked_inst_20260103_001.yaml");
    const answer = s.replyToMessage(t.ctx(people.reviewer), { messageId: hitl.id as string, body: "Create the module." });
    expect(answer).toMatchObject({ to: "validator", threadId: hitl.id });
  });

  it("is idempotent: a second run changes nothing and appends no event", () => {
    importTree(t.db, EXAMPLES);
    const before = eventCount(t.db);
    const snap = snapshot(t.db);
    const again = importTree(t.db, EXAMPLES);
    expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: 32, skipped: 1 });
    expect(again.eventIds).toEqual([]);
    expect(eventCount(t.db)).toBe(before);
    expect(snapshot(t.db)).toEqual(snap);
  });

  it("round trip: import → export → import into a fresh database gives the same counts and modelled fields", () => {
    const first = importTree(t.db, EXAMPLES);
    // Things born in AgentDesk go out too: an instruction, a task, a thread.
    const inst = s.createInstruction(t.ctx(people.admin), { title: "Harden login", body: "Lock accounts after **5** failures", tier: 2, priority: "high" });
    const task = s.createTask(t.ctx(people.admin), {
      instructionId: inst.id,
      title: "Add lockout",
      assignedAgent: "backend-developer",
      acceptanceCriteria: ["Locks after 5"],
      filesToModify: ["src/auth.py"],
      priority: "high",
      authority: "autonomous",
    });
    s.createTask(t.ctx(people.admin), { instructionId: inst.id, title: "Test lockout", assignedAgent: "frontend-developer", dependsOn: [task.ref] });
    const q = s.sendMessage(t.ctx(agent("backend-developer")), { to: "hitl", type: "consultation", subject: "Lockout window", body: "15 or 30 minutes?", taskId: task.id });
    s.replyToMessage(t.ctx(people.reviewer), { messageId: q.id, body: "15 minutes." });

    const out = dir();
    const e = exportTree(t.db, out);
    expect(e.errors).toEqual([]);
    const files = listFiles(out);
    expect(files).toEqual(
      expect.arrayContaining([
        "_communication/broadcast/new_instruction_20260103_100000.yaml",
        "_communication/inbox/backend-developer/consultation_20260103_140000.yaml",
        "inst_20260103_001/tasks/pending/T1.yaml",
        "inst_20260103_001/workflow/plan.yaml",
        "inst_20260103_001/decisions/2026-01-03T14:30:00Z_planner.yaml",
        "inst_20260102_001/outputs/partial/T3_result.yaml",
        "inst_20260102_001/tasks/completed/T3.yaml",
        `${inst.id}/instruction.yaml`,
        `${inst.id}/status.yaml`,
        `${inst.id}/tasks/pending/T1.yaml`,
        `${inst.id}/tasks/pending/T2.yaml`,
      ]),
    );
    expect(files.filter((f) => f.startsWith("_communication/inbox/hitl/"))).toHaveLength(2);
    expect(files.filter((f) => f.startsWith("_communication/inbox/backend-developer/consultation_response_"))).toHaveLength(1);
    // Unmodelled fields survive, and the plan is given back byte for byte.
    const plan = fs.readFileSync(path.join(out, "inst_20260103_001/workflow/plan.yaml"), "utf8");
    expect(plan).toBe(fs.readFileSync(path.join(EXAMPLES, "inst_20260103_001/workflow/plan.yaml"), "utf8"));
    const t1 = parseYaml(fs.readFileSync(path.join(out, "inst_20260103_001/tasks/pending/T1.yaml"), "utf8"));
    expect(t1.ok && (t1.value as Record<string, unknown>)).toMatchObject({
      id: "T1",
      complexity: "moderate",
      notes: expect.stringContaining("prerequisite task"),
      specification: { tools_needed: ["Read", "Write"] },
    });
    const consultation = parseYaml(fs.readFileSync(path.join(out, "_communication/inbox/backend-developer/consultation_20260103_140000.yaml"), "utf8"));
    expect(consultation.ok && (consultation.value as Record<string, unknown>)).toMatchObject({ priority: "medium", expected_response_time: "1h", context: expect.any(String) });

    const second = fresh();
    const again = importTree(second.db, out);
    expect(again.errors).toEqual([]);
    // + the new instruction, the file now written for the task made from a result, the 2 new tasks, the 2 new messages
    expect(again.imported).toBe(first.imported + 1 + 1 + 2 + 2);
    const a = snapshot(t.db);
    const b = snapshot(second.db);
    expect(b.instructions).toEqual(a.instructions);
    expect(b.tasks).toEqual(a.tasks);
    expect(b.outputs).toEqual(a.outputs);
    // Messages keep their ids (message_id is written out), so threads and replies survive.
    expect(b.messages).toEqual(a.messages);

    // And exporting the copy gives the same tree.
    const out2 = dir();
    exportTree(second.db, out2);
    expect(listFiles(out2)).toEqual(files);
  });

  it("exports into the tree it imported without rewriting what is already right, and moves task files with their state", () => {
    const copy = path.join(dir(), "Agent_Memory");
    fs.cpSync(EXAMPLES, copy, { recursive: true });
    importTree(t.db, copy);
    const first = exportTree(t.db, copy);
    expect(first.errors).toEqual([]);
    const second = exportTree(t.db, copy);
    expect(second.written).toBe(0);
    const task = get(t.db, "SELECT id FROM tasks WHERE instruction_id = 'inst_20260103_004'")!.id as string;
    const be = t.ctx(agent("backend-developer"));
    s.claimTask(be, { taskId: task });
    const third = exportTree(t.db, copy);
    expect(third.removed).toBe(1);
    expect(fs.existsSync(path.join(copy, "inst_20260103_004/tasks/pending/T1.yaml"))).toBe(false);
    expect(fs.existsSync(path.join(copy, "inst_20260103_004/tasks/in_progress/T1.yaml"))).toBe(true);
    // Importing it back: the task is where the database says, nothing to change.
    const back = importTree(t.db, copy);
    // The moved task's sourcePath follows its file; the task made from a result now has a file of its own.
    expect(back.byKind.task).toMatchObject({ updated: 2, unchanged: 1 });
    expect(back.byKind.message).toMatchObject({ unchanged: 15 });
    expect(importTree(t.db, copy).eventIds).toEqual([]);
  });
});

describe("normalising loose files", () => {
  it("reads tech_lead as tech-lead, medium as normal, threads replies, and links dependencies by ref", () => {
    const root = dir();
    writeFile(root, "inst_20260105_001/instruction.yaml", "id: inst_20260105_001\ncreated_at: 2026-01-05T08:00:00Z\nintent: add_feature\npriority: high\n");
    writeFile(root, "inst_20260105_001/status.yaml", "instruction_id: inst_20260105_001\nphase: executing\ntier: 2\n");
    writeFile(root, "inst_20260105_001/tasks/completed/T1.yaml", "id: T1\ndescription: Schema\nassigned_agent: backend_developer\n");
    writeFile(
      root,
      "inst_20260105_001/tasks/blocked/task_002.yaml",
      "task_id: task_002\ndescription: |\n  API on top of the schema\n  with pagination\ndependencies: [T1, T9]\nassigned_agent: null\nblocked_reason: Needs the pagination decision\nblocker_type: unclear_requirement\n",
    );
    writeFile(
      root,
      "_communication/inbox/tech-lead/consultation_20260105_090000.yaml",
      "type: consultation\nfrom: backend_developer\nto: tech_lead\ninstruction_id: inst_20260105_001\ntask_id: task_002\npriority: medium\ntimestamp: 2026-01-05T09:00:00Z\nquestion: Cursor or offset?\n",
    );
    writeFile(
      root,
      "_communication/inbox/backend-developer/consultation_response_20260105_093000.yaml",
      "type: consultation_response\nfrom: tech_lead\nto: backend-developer\nin_reply_to: consultation_20260105_090000.yaml\ntimestamp: 2026-01-05T09:30:00Z\nresponse: Cursor.\n",
    );
    writeFile(
      root,
      "_communication/inbox/backend-developer/followup_20260105_094000.yaml",
      "type: status_update\nfrom: tech-lead\nthread_id: thread-pagination\ntimestamp: 2026-01-05T09:40:00Z\nmessage: Also document it.\n",
    );
    const r = importTree(t.db, root);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ path: "inst_20260105_001/tasks/blocked/task_002.yaml", reason: "dependency T9 is not a task of inst_20260105_001: kept in the file, not linked" }]);
    expect(get(t.db, "SELECT title, priority, phase, tier FROM instructions")).toEqual({ title: "Add feature", priority: "high", phase: "executing", tier: 2 });
    const t2 = get(t.db, "SELECT * FROM tasks WHERE ref = 'task_002'")!;
    expect(t2).toMatchObject({
      title: "API on top of the schema",
      status: "blocked",
      assigned_agent: "unassigned",
      blocked_reason: "Needs the pagination decision",
      blocker_type: "unclear_requirement",
    });
    expect(all(t.db, "SELECT d.ref FROM task_dependencies td JOIN tasks d ON d.id = td.depends_on_task_id WHERE td.task_id = ?", t2.id)).toEqual([{ ref: "T1" }]);
    expect(get(t.db, "SELECT status, assigned_agent, completed_at IS NOT NULL AS done FROM tasks WHERE ref = 'T1'")).toEqual({ status: "completed", assigned_agent: "backend-developer", done: 1 });
    const msgs = all(t.db, "SELECT id, thread_id, in_reply_to, from_name, to_inbox, priority, task_id FROM messages ORDER BY created_at");
    expect(msgs[0]).toMatchObject({ from_name: "backend-developer", to_inbox: "tech-lead", priority: "normal", task_id: t2.id });
    expect(msgs[1]).toMatchObject({ from_name: "tech-lead", thread_id: msgs[0].id, in_reply_to: msgs[0].id });
    expect(msgs[2]).toMatchObject({ thread_id: "thread-pagination", in_reply_to: null });
    expect(get(t.db, "SELECT answered_at FROM messages WHERE id = ?", msgs[0].id)!.answered_at).toBe(Date.parse("2026-01-05T09:30:00Z"));

    // Export writes the loose spellings back where the values did not change.
    const out = dir();
    exportTree(t.db, out);
    const back = parseYaml(fs.readFileSync(path.join(out, "_communication/inbox/tech-lead/consultation_20260105_090000.yaml"), "utf8"));
    expect(back.ok && back.value).toMatchObject({ from: "backend_developer", to: "tech_lead", priority: "medium", task_id: "task_002" });
    const task2 = parseYaml(fs.readFileSync(path.join(out, "inst_20260105_001/tasks/blocked/task_002.yaml"), "utf8"));
    expect(task2.ok && task2.value).toMatchObject({ task_id: "task_002", dependencies: ["T1", "T9"], assigned_agent: null });
  });

  it("a task file moved between state folders changes the task's status on the next import", () => {
    const root = dir();
    writeFile(root, "inst_20260105_002/tasks/pending/T1.yaml", "id: T1\ndescription: Do it\nassigned_agent: backend-developer\n");
    importTree(t.db, root);
    fs.mkdirSync(path.join(root, "inst_20260105_002/tasks/in_progress"));
    fs.renameSync(path.join(root, "inst_20260105_002/tasks/pending/T1.yaml"), path.join(root, "inst_20260105_002/tasks/in_progress/T1.yaml"));
    const r = importTree(t.db, root);
    expect(r.byKind.task).toMatchObject({ updated: 1 });
    expect(get(t.db, "SELECT status, source_path FROM tasks")).toEqual({ status: "in_progress", source_path: "inst_20260105_002/tasks/in_progress/T1.yaml" });
    expect(get(t.db, "SELECT verb, before, after FROM events WHERE verb = 'task.updated_from_file'")).toMatchObject({
      before: expect.stringContaining('"status":"pending"'),
      after: expect.stringContaining('"status":"in_progress"'),
    });
    // The same task in two folders: the newer file wins, the other is reported.
    writeFile(root, "inst_20260105_002/tasks/completed/T1.yaml", "id: T1\ndescription: Done it\nassigned_agent: backend-developer\n");
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(root, "inst_20260105_002/tasks/completed/T1.yaml"), later, later);
    const dup = importTree(t.db, root);
    expect(dup.errors).toEqual([
      { path: "inst_20260105_002/tasks/in_progress/T1.yaml", reason: "task T1 is also in inst_20260105_002/tasks/completed/T1.yaml (the newer file): this copy is ignored" },
    ]);
    expect(get(t.db, "SELECT status FROM tasks")).toEqual({ status: "completed" });
  });

  it("an instruction id reused by another folder is skipped (or merged when asked)", () => {
    importTree(t.db, EXAMPLES);
    const other = dir();
    writeFile(other, "inst_20260103_005/instruction.yaml", "id: inst_20260103_005\ncreated_at: 2026-02-01T10:00:00Z\nraw_input: Something else entirely\n");
    writeFile(other, "inst_20260103_005/tasks/pending/T1.yaml", "id: T1\ndescription: Unrelated\nassigned_agent: backend-developer\n");
    const r = importTree(t.db, other);
    expect(r.errors.map((e) => e.path)).toEqual(["inst_20260103_005/instruction.yaml", "inst_20260103_005/tasks/pending/T1.yaml"]);
    expect(r.errors[0].reason).toMatch(/^conflict: Instruction inst_20260103_005 already exists and was created at 2026-01-03T10:00:00.000Z/);
    expect(get(t.db, "SELECT title FROM instructions WHERE id = 'inst_20260103_005'")).toEqual({ title: "Fix the login timeout bug in auth.py" });
    const merged = importTree(t.db, other, { onCollision: "merge" });
    expect(merged.errors).toEqual([]);
    expect(get(t.db, "SELECT title FROM instructions WHERE id = 'inst_20260103_005'")).toEqual({ title: "Something else entirely" });
  });
});
