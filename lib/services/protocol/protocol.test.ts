import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { FOLDER_BRIDGE, importInstruction, importMessage, importOutput, importTask, recordBridgeConflict, type ImportTaskInput } from "@/lib/services/protocol";
import { one } from "@/test/sql";

// The folder bridge's import verbs on their own (lib/protocol drives them from files).

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());

const bridge = () => t.ctx(FOLDER_BRIDGE);
const INST = "inst_20260105_001";
const at = Date.parse("2026-01-05T09:00:00Z");
const events = (verb: string) => (one(t.db, "SELECT count(*) AS n FROM events WHERE verb = ?", verb) as { n: number }).n;
const lastEvent = () =>
  one(t.db, "SELECT verb, entity_kind AS kind, entity_id AS entity, after FROM events ORDER BY events.id DESC LIMIT 1") as {
    verb: string;
    kind: string;
    entity: string;
    after: string;
  };
const instruction = () => importInstruction(bridge(), { id: INST, title: "From files", createdBy: "hitl", createdAt: at, createdAtKnown: true, sourcePath: INST });
const task = (extra: Partial<ImportTaskInput> = {}) =>
  importTask(bridge(), {
    instructionId: INST,
    ref: "T1",
    title: "Filed",
    assignedAgent: "backend-developer",
    status: "pending",
    createdAt: at,
    createdBy: "hitl",
    sourcePath: `${INST}/tasks/pending/T1.yaml`,
    ...extra,
  });

describe("who imports", () => {
  it("only the bridge (a system actor) or an admin", () => {
    for (const actor of [people.reviewer, people.viewer, agent("backend-developer")]) {
      expect(() => importInstruction(t.ctx(actor), { id: INST, title: "x", createdBy: "hitl", createdAt: at, sourcePath: null })).toThrowError(expect.objectContaining({ code: "forbidden" }));
    }
    expect(importInstruction(t.ctx(people.admin), { id: INST, title: "x", createdBy: "hitl", createdAt: at, sourcePath: null }).outcome).toBe("created");
  });
});

describe("importInstruction", () => {
  it("creates, leaves an unchanged folder alone, records field and phase changes, refuses another folder's instruction", () => {
    expect(instruction().outcome).toBe("created");
    const n = events("instruction.created");
    expect(n).toBe(1);
    const again = instruction();
    expect(again).toMatchObject({ outcome: "unchanged", eventIds: [] });
    const changed = importInstruction(bridge(), { id: INST, title: "Renamed", phase: "executing", createdBy: "hitl", createdAt: at, createdAtKnown: true, sourcePath: INST });
    expect(changed.outcome).toBe("updated");
    expect(changed.changedFields.sort()).toEqual(["phase", "title"]);
    expect(changed.eventIds).toHaveLength(2);
    expect(s.getInstruction(t.ctx(people.reviewer), INST)).toMatchObject({ title: "Renamed", phase: "executing" });
    expect(() => importInstruction(bridge(), { id: INST, title: "Other", createdBy: "hitl", createdAt: at + 1000, createdAtKnown: true, sourcePath: "other" })).toThrowError(
      expect.objectContaining({ code: "conflict" }),
    );
  });
});

describe("importTask", () => {
  it("creates a task with its agent's steps, like createTask; an unknown instruction is not found", () => {
    expect(() => task()).toThrowError(expect.objectContaining({ code: "not_found" }));
    instruction();
    const r = task();
    expect(r.outcome).toBe("created");
    const detail = s.getTask(t.ctx(people.reviewer), r.task.id);
    expect(detail.steps).toHaveLength(10);
    expect(detail.steps[0].title).toBe("Understand requirements");
    // a finished task brings no steps to walk
    expect(s.getTask(t.ctx(people.reviewer), task({ ref: "T2", status: "completed" }).task.id).steps).toHaveLength(0);
  });

  it("follows the file to another folder through the task machine, recorded as coming from the folder", () => {
    instruction();
    const id = task().task.id;
    expect(task()).toMatchObject({ outcome: "unchanged", eventIds: [] });
    const moved = task({ status: "blocked", blockedReason: "Needs a key" });
    expect(moved.outcome).toBe("updated");
    expect(s.getTask(t.ctx(people.reviewer), id)).toMatchObject({ status: "blocked", blockedReason: "Needs a key" });
    const e = lastEvent();
    expect(e).toMatchObject({ verb: "task.updated_from_file", kind: "task", entity: id });
    expect(JSON.parse(e.after)).toMatchObject({ status: "blocked", blockedReason: "Needs a key" });
    // a move the agents' machine forbids (completed → pending) is the file's to make
    task({ status: "completed" });
    task({ status: "pending" });
    expect(s.getTask(t.ctx(people.reviewer), id).status).toBe("pending");
  });

  it("a new agent takes over untouched steps, as reassignTask does; walked steps stay", () => {
    instruction();
    const id = task().task.id;
    const r = task({ assignedAgent: "frontend-developer" });
    expect(JSON.parse(lastEvent().after)).toMatchObject({ assignedAgent: "frontend-developer", stepsReplaced: true, source: "folder" });
    expect(r.eventIds).toHaveLength(2);
    const front = s.getTask(t.ctx(people.reviewer), id).steps.map((st) => st.title);
    expect(front).not.toEqual(s.getTask(t.ctx(people.reviewer), task({ ref: "T9" }).task.id).steps.map((st) => st.title));

    task({ assignedAgent: "frontend-developer", status: "in_progress" });
    s.updateStep(t.ctx(agent("frontend-developer")), { taskId: id, position: 1, status: "done" });
    task({ assignedAgent: "backend-developer", status: "in_progress" });
    expect(JSON.parse(lastEvent().after)).toMatchObject({ stepsReplaced: false });
    expect(s.getTask(t.ctx(people.reviewer), id).steps.map((st) => st.title)).toEqual(front);
  });

  it("an unknown agent gets an inactive row; dependencies not yet imported are reported", () => {
    instruction();
    const added = events("agent.added");
    const r = task({ assignedAgent: "tech-lead", dependsOn: ["T0"] });
    expect(r.unresolvedDependencies).toEqual(["T0"]);
    expect(events("agent.added")).toBe(added + 1);
    expect(one(t.db, "SELECT active FROM agents WHERE name = ?", "tech-lead")).toEqual({ active: 0 });
  });
});

describe("importMessage", () => {
  const msg = (extra: Partial<Parameters<typeof importMessage>[1]> = {}) =>
    importMessage(bridge(), {
      sourcePath: "_communication/inbox/hitl/consultation_1.yaml",
      fromKind: "agent",
      fromName: "backend-developer",
      toInbox: "hitl",
      type: "consultation",
      subject: "Question",
      body: "Gross or net?",
      createdAt: at,
      original: { body: "Gross or net?" },
      ...extra,
    });

  it("stores the file's message through the one message insert (message.sent, from the folder); unchanged is a no-op", () => {
    const r = msg();
    expect(r.outcome).toBe("created");
    expect(r.message).toMatchObject({ type: "consultation", to: "hitl", from: { kind: "agent", name: "backend-developer" } });
    expect(JSON.parse(lastEvent().after)).toMatchObject({ from: "backend-developer", to: "hitl", type: "consultation", source: "folder", sourcePath: "_communication/inbox/hitl/consultation_1.yaml" });
    expect(msg()).toMatchObject({ outcome: "unchanged", eventIds: [] });
    expect(msg({ body: "Gross, or net of refunds?" }).outcome).toBe("updated");
    expect(lastEvent().verb).toBe("message.updated_from_file");
  });

  it("a reply names its parent by file name: same thread, parent answered", () => {
    const parent = msg().message;
    const reply = importMessage(bridge(), {
      sourcePath: "_communication/inbox/backend-developer/reply_1.yaml",
      fromKind: "person",
      fromName: "ada@example.com",
      toInbox: "backend-developer",
      type: "consultation_response",
      body: "Net",
      inReplyTo: "consultation_1.yaml",
      createdAt: at + 60_000,
      original: {},
    });
    expect(reply.message).toMatchObject({ threadId: parent.threadId, inReplyTo: parent.id });
    expect(s.getMessage(t.ctx(people.reviewer), parent.id).answeredAt).not.toBeNull();
  });
});

describe("importOutput", () => {
  const out = (content: string, extra: Partial<Parameters<typeof importOutput>[1]> = {}) =>
    importOutput(bridge(), {
      instructionId: INST,
      taskRef: "T1",
      sourcePath: `${INST}/outputs/partial/T1_result.yaml`,
      format: "yaml",
      content,
      submittedBy: "backend-developer",
      createdAt: at,
      placeholder: { title: "Result", assignedAgent: "backend-developer", status: "in_progress" },
      ...extra,
    });

  it("gives a result without a task file a placeholder task; new content is the next version and supersedes the last", () => {
    instruction();
    const first = out("a: 1");
    expect(first).toMatchObject({ outcome: "created", placeholder: true, output: { version: 1, status: "pending_review" } });
    expect(first.task).toMatchObject({ ref: "T1", status: "in_progress" });
    expect(out("a: 1")).toMatchObject({ outcome: "unchanged", eventIds: [] });
    const second = out("a: 2");
    expect(second).toMatchObject({ outcome: "updated", placeholder: false, output: { version: 2 } });
    expect(s.getOutput(t.ctx(people.reviewer), first.output.id).output.status).toBe("superseded");
  });
});

describe("recordBridgeConflict", () => {
  it("appends one bridge.conflict event saying what was kept where", () => {
    const r = recordBridgeConflict(bridge(), {
      entityKind: "task",
      entityId: "tsk_x",
      path: `${INST}/tasks/pending/T1.yaml`,
      keptAs: `${INST}/tasks/pending/T1.conflict-20260105T090000Z.yaml`,
      winner: "database",
      fields: { title: { database: "A", file: "B" } },
      rule: "the database wins a field both changed",
    });
    expect(r.eventIds).toHaveLength(1);
    expect(lastEvent()).toMatchObject({ verb: "bridge.conflict", kind: "task", entity: "tsk_x" });
    expect(JSON.parse(lastEvent().after)).toMatchObject({ winner: "database", fields: { title: { database: "A", file: "B" } } });
    expect(() => recordBridgeConflict(t.ctx(people.reviewer), { entityKind: "task", entityId: "x", path: "p", keptAs: null, winner: "file", rule: "r" })).toThrowError(
      expect.objectContaining({ code: "forbidden" }),
    );
  });
});
