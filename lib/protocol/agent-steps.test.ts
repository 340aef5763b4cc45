// Imported tasks get their agent's steps, whichever comes first: the import or the definitions.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openDatabase, type SqliteDb as Db } from "@/db/client";
import { importTree } from "./import";
import { syncAgentDefinitions } from "./agent-definitions";
import { startMirror } from "./mirror";
import { copyExamples, EXAMPLES, runBridgeCli, tempDir, waitFor } from "./test-support";

const AGENTS = path.resolve(process.cwd(), "agents");
// The sample tree's backend-developer task; agents/backend-developer.md has ten steps.
const BACKEND_TASK = "SELECT id, status FROM tasks WHERE instruction_id = 'inst_20260103_004' AND ref = 'T1'";

let dir: string;
let file: string;
let db: Db;
beforeEach(() => {
  // A fresh database: the migrations and nothing else (no agents synced, as before a first server start).
  dir = tempDir("agentdesk-steps-");
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

const backendTask = (d: Db = db) => d.$client.prepare(BACKEND_TASK).get() as { id: string; status: string };
const stepTitles = (taskId: string, d: Db = db) => (d.$client.prepare("SELECT title FROM task_steps WHERE task_id = ? ORDER BY position").all(taskId) as { title: string }[]).map((r) => r.title);
const events = (verb: string) => db.$client.prepare("SELECT * FROM events WHERE verb = ?").all(verb) as { task_id: string; after: string }[];

const cli = (...argv: string[]) => runBridgeCli({ openDb: () => openDatabase(file), agentDirs: () => [AGENTS] }, argv);

describe("imported tasks get their agent's steps", () => {
  it("agentdesk import into a database no server ever opened loads the definitions first: ten steps", async () => {
    const r = await cli("import", EXAMPLES);
    expect(r.stdout).toMatch(/Agents from .*agents: 3 loaded \(3 added, 0 updated, 0 unchanged, 0 deactivated\)/);
    expect(r.stdout).toContain("32 new");
    const task = backendTask();
    expect(task.status).toBe("pending");
    expect(stepTitles(task.id)).toHaveLength(10);
    expect(stepTitles(task.id)[0]).toBe("Understand requirements");
    // The definitions are real agents, not the bridge's inactive placeholders.
    expect(db.$client.prepare("SELECT active, source_path FROM agents WHERE name = 'backend-developer'").get()).toEqual({ active: 1, source_path: "backend-developer.md" });

    const json = await cli("--json", "import", EXAMPLES);
    expect(JSON.parse(json.stdout)).toMatchObject({ unchanged: 32, agents: { loaded: 3, synced: { unchanged: 3, stepsGiven: 0 } } });
  });

  it("server start, then import (sync then import): ten steps", () => {
    syncAgentDefinitions(db, [AGENTS], { kind: "system", name: "startup" });
    importTree(db, EXAMPLES);
    expect(stepTitles(backendTask().id)).toHaveLength(10);
  });

  it("import without definitions, then a server start (import then sync): the pending task gets its ten steps then", async () => {
    await cli("import", "--no-agents", EXAMPLES);
    const task = backendTask();
    expect(stepTitles(task.id)).toEqual([]);
    expect(db.$client.prepare("SELECT active, steps FROM agents WHERE name = 'backend-developer'").get()).toEqual({ active: 0, steps: "[]" });

    const r = syncAgentDefinitions(db, [AGENTS], { kind: "system", name: "startup" });
    // backend- and frontend-developer were the bridge's placeholders (named by the files); security-specialist is new.
    expect(r.synced).toMatchObject({ added: 1, updated: 2, stepsGiven: 1 });
    expect(stepTitles(task.id)).toHaveLength(10);
    expect(events("task.steps_added")).toEqual([expect.objectContaining({ task_id: task.id })]);
    expect(JSON.parse(events("task.steps_added")[0]!.after)).toMatchObject({ steps: 10, agent: "backend-developer" });

    // A second sync changes nothing (the definitions are unchanged; the steps are not copied twice).
    expect(syncAgentDefinitions(db, [AGENTS]).synced).toMatchObject({ updated: 0, unchanged: 3, stepsGiven: 0 });
    expect(stepTitles(task.id)).toHaveLength(10);
  });

  it("a task already under way when the definition appears keeps what it has (no steps)", async () => {
    const tree = copyExamples();
    try {
      fs.mkdirSync(path.join(tree, "inst_20260103_004/tasks/in_progress"), { recursive: true });
      fs.renameSync(path.join(tree, "inst_20260103_004/tasks/pending/T1.yaml"), path.join(tree, "inst_20260103_004/tasks/in_progress/T1.yaml"));
      importTree(db, tree);
      const task = backendTask();
      expect(task.status).toBe("in_progress");
      expect(syncAgentDefinitions(db, [AGENTS]).synced).toMatchObject({ stepsGiven: 0 });
      expect(stepTitles(task.id)).toEqual([]);
      expect(events("task.steps_added")).toEqual([]);
    } finally {
      fs.rmSync(path.dirname(tree), { recursive: true, force: true });
    }
  });

  it("no definitions found (AGENTS_DIR wrong): the import goes on, a warning says why, no agent is deactivated", async () => {
    syncAgentDefinitions(db, [AGENTS]);
    const { stderr } = await runBridgeCli({ openDb: () => openDatabase(file), agentDirs: () => [path.join(dir, "nowhere")] }, ["import", EXAMPLES]);
    expect(stderr).toContain("agents folder does not exist");
    expect(stderr).toMatch(/warning: no agent definition found in .*nowhere/);
    expect(db.$client.prepare("SELECT count(*) AS n FROM agents WHERE active = 1 AND name IN ('backend-developer', 'frontend-developer', 'security-specialist')").get()).toEqual({ n: 3 });
    expect(stepTitles(backendTask().id)).toHaveLength(10);
  });

  it("agentdesk sync (the live mirror outside the server) loads the definitions first: ten steps", async () => {
    const tree = copyExamples();
    try {
      const running = cli("sync", tree, "--poll", "50");
      const task = await waitFor(() => db.$client.prepare(BACKEND_TASK).get() as { id: string } | undefined, 5000, "the task");
      expect(stepTitles(task.id)).toHaveLength(10);
      await waitFor(() => process.listenerCount("SIGINT") > 0, 2000, "the command to wait for Ctrl-C");
      process.emit("SIGINT");
      const r = await running;
      expect(r.stdout).toMatch(/Agents from .*agents: 3 loaded \(3 added/);
      expect(r.stdout).toContain("Stopped:");
    } finally {
      fs.rmSync(path.dirname(tree), { recursive: true, force: true });
    }
  });

  it("the live mirror: definitions synced after the mirror imported the tree give the pending task its steps", async () => {
    const tree = copyExamples();
    const mirror = await startMirror(db, tree, { stateFile: false, pollMs: 50 });
    try {
      const task = await waitFor(() => db.$client.prepare(BACKEND_TASK).get() as { id: string } | undefined, 5000, "the task");
      expect(stepTitles(task.id)).toEqual([]);
      syncAgentDefinitions(db, [AGENTS]);
      expect(stepTitles(task.id)).toHaveLength(10);
    } finally {
      await mirror.stop();
      fs.rmSync(path.dirname(tree), { recursive: true, force: true });
    }
  });
});
