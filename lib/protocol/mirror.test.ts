import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agent, makeTestDb, people } from "@/test/db";
import * as s from "@/lib/services";
import { startMirror, type Mirror, type MirrorOptions } from "./mirror";
import { parseYaml } from "./yaml";
import { copyExamples, eventCount, listFiles, sleep, waitFor, writeFile } from "./test-support";

let t: ReturnType<typeof makeTestDb>;
let root: string;
let mirror: Mirror | null = null;

/** The examples the live tests touch (the first test runs on all of them). */
const SMALL = [
  "inst_20260103_001/tasks/pending/T1.yaml",
  "inst_20260103_004/tasks/pending/T1.yaml",
  "inst_20260103_005/instruction.yaml",
  "inst_20260103_005/status.yaml",
  "_communication/inbox/backend-developer/consultation_20260103_140000.yaml",
  "_communication/inbox/backend-developer/review_response_20260103_120000.yaml",
  "_communication/inbox/qa-lead/consultation_response_20260103_143000.yaml",
];

async function start(opts: MirrorOptions = {}, full = false) {
  root = copyExamples();
  if (!full) for (const f of listFiles(root)) if (!SMALL.includes(f)) fs.rmSync(path.join(root, f));
  mirror = await startMirror(t.db, root, opts);
}

beforeEach(() => {
  t = makeTestDb();
});
afterEach(async () => {
  await mirror?.stop();
  mirror = null;
  t.cleanup();
  if (root) fs.rmSync(path.dirname(root), { recursive: true, force: true });
});

const one = <T>(sql: string, ...args: unknown[]) => t.db.$client.prepare(sql).get(...args) as T | undefined;
const task = (inst: string, ref: string) =>
  one<{ id: string; status: string; assigned_agent: string; source_path: string; description: string }>("SELECT * FROM tasks WHERE instruction_id = ? AND ref = ?", inst, ref);
const readDoc = (rel: string) => {
  const p = parseYaml(fs.readFileSync(path.join(root, rel), "utf8"));
  if (!p.ok) throw new Error(p.reason);
  return p.value as Record<string, unknown>;
};
const exists = (rel: string) => fs.existsSync(path.join(root, rel));

/** Waits until neither side produces anything new for `quietMs`. */
async function settle(quietMs = 500) {
  let last = `${eventCount(t.db)}:${mirror!.stats.written}`;
  let since = Date.now();
  const start = Date.now();
  while (Date.now() - since < quietMs) {
    await sleep(100);
    const now = `${eventCount(t.db)}:${mirror!.stats.written}`;
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    if (Date.now() - start > 8000) throw new Error("the mirror does not settle");
  }
}

describe("live mirror", () => {
  it("starts by importing the folder, and writes back nothing the folder already says", async () => {
    await start({}, true);
    expect(task("inst_20260103_004", "T1")?.status).toBe("pending");
    expect(one<{ n: number }>("SELECT count(*) n FROM messages")?.n).toBe(15);
    await settle();
    // The first sync only adds what the folder lacked (the task made for an orphan result, an instruction.yaml recording created_at).
    expect(exists("inst_20260102_001/tasks/completed/T3.yaml")).toBe(true);
    expect(fs.readFileSync(path.join(root, "inst_20260103_004/tasks/pending/T1.yaml"), "utf8")).toContain("# create | modify | analyze | validate | test");
    expect(mirror!.reports.filter((r) => r.level === "error").map((r) => r.path)).toEqual(["_communication/inbox/frontend-developer/delegation_T3.yaml"]);
  });

  it("files → database: a moved task, a dropped message, a written result, within two seconds", async () => {
    await start();
    await settle(300);
    fs.mkdirSync(path.join(root, "inst_20260103_004/tasks/in_progress"), { recursive: true });
    fs.renameSync(path.join(root, "inst_20260103_004/tasks/pending/T1.yaml"), path.join(root, "inst_20260103_004/tasks/in_progress/T1.yaml"));
    await waitFor(() => task("inst_20260103_004", "T1")?.status === "in_progress", 2000, "the task to be in progress");
    expect(task("inst_20260103_004", "T1")?.source_path).toBe("inst_20260103_004/tasks/in_progress/T1.yaml");

    writeFile(
      root,
      "_communication/inbox/backend-developer/consultation_20260104_090000.yaml",
      "type: consultation\nfrom: qa_lead\nto: backend-developer\ninstruction_id: inst_20260103_004\ntask_id: T1\npriority: medium\ntimestamp: 2026-01-04T09:00:00Z\nquestion: Which status code for a locked account?\n",
    );
    const m = await waitFor(
      () =>
        one<{ id: string; to_inbox: string; from_name: string; priority: string; task_id: string; body: string }>("SELECT * FROM messages WHERE source_path LIKE '%consultation_20260104_090000.yaml'"),
      2000,
      "the message to be in the inbox",
    );
    expect(m).toMatchObject({ to_inbox: "backend-developer", from_name: "qa-lead", priority: "normal", task_id: task("inst_20260103_004", "T1")!.id, body: "Which status code for a locked account?" });

    writeFile(
      root,
      "inst_20260103_004/outputs/partial/T1_result.yaml",
      "task_id: T1\nexecuted_by: backend_developer\nstatus: completed\nfiles_created:\n  - tests/test_auth_endpoint.py\nsummary: Login endpoint done\n",
    );
    const out = await waitFor(
      () => one<{ version: number; format: string; files: string; submitted_by: string }>("SELECT * FROM outputs WHERE task_id = ?", task("inst_20260103_004", "T1")!.id),
      2000,
      "the output",
    );
    expect(out).toMatchObject({ version: 1, format: "yaml", submitted_by: "backend-developer" });
    expect(JSON.parse(out.files)).toEqual([{ path: "tests/test_auth_endpoint.py", action: "created" }]);

    // No echo: nothing more happens once the files are in.
    await settle();
    const events = eventCount(t.db);
    const written = mirror!.stats.written;
    await sleep(700);
    expect(eventCount(t.db)).toBe(events);
    expect(mirror!.stats.written).toBe(written);
  });

  it("database → files: a reply, an assignment, a new task, a review, each where the protocol keeps it", async () => {
    await start();
    await settle(300);
    const consultation = one<{ id: string }>("SELECT id FROM messages WHERE type = 'consultation'")!;
    const reply = s.replyToMessage(t.ctx(agent("backend-developer")), { messageId: consultation.id, body: "201 Created, 400 for invalid input." });
    const replyRel = await waitFor(
      () => listFiles(root).find((f) => f.startsWith("_communication/inbox/qa-lead/consultation_response_") && f !== "_communication/inbox/qa-lead/consultation_response_20260103_143000.yaml"),
      2000,
      "the reply file",
    );
    expect(readDoc(replyRel)).toMatchObject({
      type: "consultation_response",
      from: "backend-developer",
      to: "qa-lead",
      message: "201 Created, 400 for invalid input.",
      message_id: reply.id,
      in_reply_to: consultation.id,
      thread_id: consultation.id,
    });

    // A task assigned in the dashboard: the file says so.
    const t1 = task("inst_20260103_001", "T1")!;
    s.reassignTask(t.ctx(people.admin), { taskId: t1.id, agent: "backend-developer" });
    await waitFor(() => readDoc("inst_20260103_001/tasks/pending/T1.yaml").assigned_agent === "backend-developer", 2000, "the assignment in the file");
    expect(readDoc("inst_20260103_001/tasks/pending/T1.yaml").notes).toContain("prerequisite task");

    // A task created in the dashboard: a new file in pending/, with the protocol's fields.
    const created = s.createTask(t.ctx(people.admin), {
      instructionId: "inst_20260103_005",
      title: "Reproduce the timeout",
      description: "Write a failing test first",
      assignedAgent: "backend-developer",
      acceptanceCriteria: ["A failing test"],
    });
    const createdDoc = await waitFor(() => exists(`inst_20260103_005/tasks/pending/${created.ref}.yaml`) && readDoc(`inst_20260103_005/tasks/pending/${created.ref}.yaml`), 2000, "the new task file");
    expect(createdDoc).toMatchObject({ id: created.ref, title: "Reproduce the timeout", assigned_agent: "backend-developer", specification: { acceptance_criteria: ["A failing test"] } });
    await waitFor(() => readDoc("inst_20260103_005/status.yaml").current_phase === "executing", 2000, "the phase in status.yaml");

    // The agent works through the API; the task file follows its state, the result lands in outputs/partial/.
    const be = t.ctx(agent("backend-developer"));
    const t4 = task("inst_20260103_004", "T1")!;
    s.claimTask(be, { taskId: t4.id });
    await waitFor(() => exists("inst_20260103_004/tasks/in_progress/T1.yaml") && !exists("inst_20260103_004/tasks/pending/T1.yaml"), 2000, "the claimed task to move");
    const steps = s.getTask(be, t4.id).steps;
    for (const st of steps) s.updateStep(be, { taskId: t4.id, position: st.position, status: "skipped", note: "done elsewhere" });
    const output = s.submitOutput(be, { taskId: t4.id, format: "markdown", content: "# Login endpoint\n\nDone." });
    s.completeTask(be, { taskId: t4.id });
    await waitFor(() => exists("inst_20260103_004/tasks/completed/T1.yaml") && !exists("inst_20260103_004/tasks/in_progress/T1.yaml"), 2000, "the task in review to sit in completed/");
    await waitFor(() => readDoc("inst_20260103_004/outputs/partial/T1_result.yaml").content === "# Login endpoint\n\nDone.", 2000, "the result file");

    // Changes requested in the review queue: a review file, the comment in the agent's inbox, the task
    // back in the queue (round 2: pending until its agent claims it again, so it sits in pending/).
    s.requestOutputChanges(t.ctx(people.reviewer), { outputId: output.id, comment: "Add the lockout case" });
    expect(s.getTask(be, t4.id)).toMatchObject({ status: "pending", round: 2 });
    await waitFor(() => exists("inst_20260103_004/tasks/pending/T1.yaml") && !exists("inst_20260103_004/tasks/completed/T1.yaml"), 2000, "the task back in pending/");
    expect(exists("inst_20260103_004/tasks/in_progress/T1.yaml")).toBe(false);
    const review = await waitFor(() => listFiles(root).find((f) => f.startsWith("inst_20260103_004/reviews/") && f.endsWith("_output_review_T1_v1.yaml")), 2000, "the review file");
    expect(readDoc(review)).toMatchObject({ type: "output_review", decision: "changes_requested", comment: "Add the lockout case", reviewer: "rex@example.com" });
    await waitFor(
      () => listFiles(root).some((f) => f.startsWith("_communication/inbox/backend-developer/review_response_") && f !== "_communication/inbox/backend-developer/review_response_20260103_120000.yaml"),
      2000,
      "the review response in the inbox",
    );
    // The agent claims round 2: the file follows the task to in_progress/.
    s.claimTask(be, { taskId: t4.id });
    await waitFor(() => exists("inst_20260103_004/tasks/in_progress/T1.yaml") && !exists("inst_20260103_004/tasks/pending/T1.yaml"), 2000, "the claimed round 2 to move");

    // And quiet afterwards: no echo of what the mirror wrote.
    await settle();
    const events = eventCount(t.db);
    await sleep(700);
    expect(eventCount(t.db)).toBe(events);
    expect(mirror!.stats.conflicts).toBe(0);
  });

  it("a conflict: the database keeps the state, the file keeps the content, the loser is kept beside it", async () => {
    await start();
    await settle(300);
    const t1 = task("inst_20260103_004", "T1")!;
    // Both at once: a person reassigns the task while the agent moves its file and edits it.
    s.reassignTask(t.ctx(people.admin), { taskId: t1.id, agent: "security-specialist" });
    const doc = fs.readFileSync(path.join(root, "inst_20260103_004/tasks/pending/T1.yaml"), "utf8");
    fs.mkdirSync(path.join(root, "inst_20260103_004/tasks/in_progress"), { recursive: true });
    fs.writeFileSync(path.join(root, "inst_20260103_004/tasks/in_progress/T1.yaml"), doc.replace("Implement login endpoint", "Implement the login endpoint"));
    fs.rmSync(path.join(root, "inst_20260103_004/tasks/pending/T1.yaml"));

    await waitFor(() => mirror!.stats.conflicts === 1, 3000, "the conflict");
    await settle(600);
    const after = task("inst_20260103_004", "T1")!;
    expect(after.status).toBe("pending");
    expect(after.assigned_agent).toBe("security-specialist");
    expect(after.description).toContain("Implement the login endpoint");
    const files = listFiles(root).filter((f) => f.startsWith("inst_20260103_004/tasks/"));
    expect(files.filter((f) => /T1\.ya?ml$/.test(f))).toEqual(["inst_20260103_004/tasks/pending/T1.yaml"]);
    expect(files.some((f) => /in_progress\/T1\.conflict-\d{8}T\d{6}Z\.yaml$/.test(f))).toBe(true);
    expect(readDoc("inst_20260103_004/tasks/pending/T1.yaml")).toMatchObject({ assigned_agent: "security-specialist", description: expect.stringContaining("Implement the login endpoint") });
    const ev = one<{ after: string }>("SELECT after FROM events WHERE verb = 'bridge.conflict'")!;
    expect(JSON.parse(ev.after)).toMatchObject({ winner: "database", fields: { status: { database: "pending", file: "in_progress" } } });
  });

  it("waits for a half-written file, and reports a broken one once with its path", async () => {
    await start({ parseRetries: 2 });
    await settle(300);
    const abs = path.join(root, "_communication/inbox/hitl/question_20260104_100000.yaml");
    const fd = fs.openSync(abs, "w");
    fs.writeSync(fd, "type: consultation\nfrom: backend-developer\nquestion: |\n  Gross or net\n  revenue?\nextra: [unclosed");
    await sleep(350);
    fs.writeSync(fd, "]\n");
    fs.closeSync(fd);
    await waitFor(() => one("SELECT 1 FROM messages WHERE to_inbox = 'hitl' AND type = 'consultation'"), 3000, "the finished message");
    expect(mirror!.reports.filter((r) => r.path?.includes("question_2026")).length).toBe(0);

    writeFile(root, "_communication/inbox/hitl/broken_20260104_100000.yaml", "type: escalation\nfrom: [\n");
    await waitFor(() => mirror!.reports.find((r) => r.level === "error" && r.path === "_communication/inbox/hitl/broken_20260104_100000.yaml"), 5000, "the report");
    await sleep(500);
    expect(mirror!.reports.filter((r) => r.path === "_communication/inbox/hitl/broken_20260104_100000.yaml")).toHaveLength(1);
  });

  it("resumes after a restart: changes made on either side while it was stopped are carried over", async () => {
    await start();
    await settle(300);
    await mirror!.stop();
    expect(JSON.parse(fs.readFileSync(path.join(root, ".agentdesk-mirror.json"), "utf8")).lastEventId).toBe(eventCount(t.db));
    // While stopped: a person reassigns one task, an agent edits another task's file.
    s.reassignTask(t.ctx(people.admin), { taskId: task("inst_20260103_001", "T1")!.id, agent: "backend-developer" });
    const rel = "inst_20260103_004/tasks/pending/T1.yaml";
    fs.writeFileSync(path.join(root, rel), fs.readFileSync(path.join(root, rel), "utf8").replace("Implement login endpoint", "Implement the login endpoint"));
    mirror = await startMirror(t.db, root);
    await waitFor(() => readDoc("inst_20260103_001/tasks/pending/T1.yaml").assigned_agent === "backend-developer", 2000, "the assignment in the file");
    expect(task("inst_20260103_004", "T1")!.description).toContain("Implement the login endpoint");
    expect(mirror.stats.conflicts).toBe(0);
  });
});
