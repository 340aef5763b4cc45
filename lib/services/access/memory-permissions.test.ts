import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseAgentDefinition } from "@/lib/agents/parse";
import * as s from "@/lib/services";
import { agent, makeTestDb, people, refusal, system } from "@/test/db";
import { countRows } from "@/test/server";
import { NARROW_AGENTS, syncWithAgents } from "@/test/memory-agents";
import { derivePermissions, describeSends } from "./memory-permissions";

const def = (file: string) => {
  const r = parseAgentDefinition(fs.readFileSync(file, "utf8"), file);
  expect(r.definition, file).toBeDefined();
  return r.definition!;
};
const SAMPLES = path.resolve(process.cwd(), "../shared/agents-sample");

describe("derivePermissions: the definitions' sections in plain rules", () => {
  it("the seed and agents/*.md: tasks of any instruction, outputs, any agent's inbox, no broadcasts", () => {
    for (const file of [
      path.resolve(process.cwd(), "../shared/seeds/backend-developer.md"),
      ...["backend-developer", "frontend-developer", "security-specialist"].map((n) => path.resolve(process.cwd(), `agents/${n}.md`)),
    ]) {
      const d = def(file);
      const p = derivePermissions(d.memory, d.name);
      expect(p, file).toMatchObject({ declared: true, sendTo: "any", outputs: "any", tasks: "any", broadcast: false, otherInboxReads: [] });
    }
  });

  it("the samples: a broadcast writer, an agent that sends only to the people, a reviewer that works on no tasks", () => {
    const lead = derivePermissions(def(path.join(SAMPLES, "tech-lead.md")).memory, "tech-lead");
    expect(lead.broadcast).toBe(true);
    expect(lead.tasks).toBe("any");
    const fe = derivePermissions(def(path.join(SAMPLES, "frontend-developer/SKILL.md")).memory, "frontend-developer");
    // Reads tasks, Writes outputs/partial and "Component implementations" (prose, not a path): no inbox.
    expect(fe).toMatchObject({ declared: true, sendTo: [], outputs: "any", tasks: "any", broadcast: false });
    expect(describeSends(fe)).toBe("it may send only to the people");
    const sec = derivePermissions(def(path.join(SAMPLES, "security-specialist/SKILL.md")).memory, "security-specialist");
    expect(sec).toMatchObject({ declared: true, sendTo: [], outputs: [], tasks: [] });
  });

  it("no section, an empty one, or one without Agent_Memory paths keeps the defaults", () => {
    const defaults = { declared: false, sendTo: "any", outputs: "any", tasks: "any", broadcast: true };
    expect(derivePermissions(undefined)).toMatchObject(defaults);
    expect(derivePermissions({ reads: [], writes: [] })).toMatchObject(defaults);
    expect(derivePermissions({ reads: [{ path: "Design files, Figma specs" }], writes: [{ path: "src/" }] })).toMatchObject(defaults);
  });

  it("literal names and instruction ids narrow; placeholders, `*` and shorter paths cover; `_` folders are not instructions", () => {
    const p = derivePermissions(
      {
        reads: [{ path: "Agent_Memory/inst_20260103_005/tasks/in_progress/" }, { path: "Agent_Memory/_communication/inbox/qa_lead/" }],
        writes: [
          { path: "Agent_Memory/_communication/inbox/Tech_Lead/" },
          { path: "Agent_Memory/_communication/inbox/hitl/" },
          { path: "Agent_Memory/inst_2026*/outputs/partial/{task_id}_result.yaml" },
        ],
      },
      "me",
    );
    expect(p).toMatchObject({ sendTo: ["tech-lead"], tasks: ["inst_20260103_005"], outputs: ["inst_2026*"], broadcast: false, otherInboxReads: ["qa-lead"] });
    expect(describeSends(p)).toBe("it may send to tech-lead and the people");
    expect(derivePermissions({ reads: [], writes: [{ path: "Agent_Memory/_communication/" }] })).toMatchObject({ sendTo: "any", broadcast: true, outputs: [], tasks: [] });
    expect(derivePermissions({ reads: [], writes: [{ path: "Agent_Memory/{instruction_id}/" }] })).toMatchObject({ sendTo: [], broadcast: false, outputs: "any", tasks: "any" });
    expect(derivePermissions({ reads: [], writes: [{ path: "Agent_Memory/**" }] })).toMatchObject({ sendTo: "any", broadcast: true, outputs: "any", tasks: "any" });
    expect(derivePermissions({ reads: [], writes: [{ path: "_communication/inbox/*/" }] })).toMatchObject({ sendTo: "any" });
    expect(derivePermissions({ reads: [], writes: [{ path: "Agent_Memory/{instruction_id}/outputs/final/" }] }).outputs).toEqual([]);
  });
});

describe("enforced in the verbs", () => {
  let t: ReturnType<typeof makeTestDb>;
  let inst: { id: string };
  beforeEach(() => {
    t = makeTestDb();
    syncWithAgents(t.db, { ...NARROW_AGENTS, "no-section": null });
    inst = s.createInstruction(t.ctx(people.admin), { title: "Work", body: "", tier: 1, priority: "normal" });
  });
  afterEach(() => t.cleanup());
  const task = (assignedAgent: string, instructionId = inst.id) => s.createTask(t.ctx(people.admin), { instructionId, title: `For ${assignedAgent}`, assignedAgent });

  it("sends: a literal inbox only, the people always; the refusal names the rule and writes nothing", () => {
    const me = t.ctx(agent("narrow-sender"));
    expect(s.sendMessage(me, { to: "frontend-developer", body: "hi" }).to).toBe("frontend-developer");
    expect(s.sendMessage(me, { to: "human", type: "escalation", body: "help" }).to).toBe("hitl");
    const before = countRows(t.db);
    const err = refusal(() => s.sendMessage(me, { to: "backend-developer", body: "hi" }));
    expect(err.code).toBe("forbidden");
    expect(err.status).toBe(403);
    expect(err.message).toBe(
      "Memory Ownership of narrow-sender (agents/narrow-sender.md, Writes) does not include Agent_Memory/_communication/inbox/backend-developer/: it may send to frontend-developer and the people",
    );
    expect(err.details).toEqual({ rule: "memory_ownership", agent: "narrow-sender", section: "writes", needed: "Agent_Memory/_communication/inbox/backend-developer/" });
    expect(countRows(t.db)).toEqual(before);
  });

  it("replies are sends to the replied-to sender", () => {
    const m = s.sendMessage(t.ctx(agent("backend-developer")), { to: "quiet-worker", type: "consultation", body: "which?" });
    const before = countRows(t.db);
    const err = refusal(() => s.replyToMessage(t.ctx(agent("quiet-worker")), { messageId: m.id, body: "this one" }));
    expect(err.message).toMatch(/quiet-worker .* does not include Agent_Memory\/_communication\/inbox\/backend-developer\/: it may send only to the people$/);
    expect(countRows(t.db)).toEqual(before);
    // Nor marked answered.
    expect(s.getMessage(t.ctx(people.admin), m.id).answeredAt).toBeNull();
    const p = s.sendMessage(t.ctx(people.admin), { to: "quiet-worker", body: "status?" });
    expect(s.replyToMessage(t.ctx(agent("quiet-worker")), { messageId: p.id, body: "fine" }).to).toBe("hitl");
  });

  it("tasks and outputs: refused without the patterns; every task verb; nothing written", () => {
    // Claimed while the definition had no section, then narrowed: the change takes effect at once.
    syncWithAgents(t.db, { ...NARROW_AGENTS, "reviewer-only": null });
    const mine = task("reviewer-only");
    const ro = t.ctx(agent("reviewer-only"));
    const claimed = s.claimTask(ro, { taskId: mine.id })!;
    s.updateStep(ro, { taskId: mine.id, position: 1, status: "in_progress" });
    const spare = task("reviewer-only");
    syncWithAgents(t.db, NARROW_AGENTS);

    const before = countRows(t.db);
    const calls: [string, () => unknown][] = [
      ["claim next", () => s.claimTask(ro)],
      ["claim by id", () => s.claimTask(ro, { taskId: spare.id })],
      ["heartbeat", () => s.heartbeatTask(ro, { taskId: mine.id, leaseToken: claimed.lease!.token })],
      ["step", () => s.updateStep(ro, { taskId: mine.id, position: 1, status: "done" })],
      ["activity", () => s.recordStepActivity(ro, { taskId: mine.id, position: 1, tool: "Edit", summary: "a.ts" })],
      ["output", () => s.submitOutput(ro, { taskId: mine.id, format: "text", content: "report" })],
      ["block", () => s.blockTask(ro, { taskId: mine.id, reason: "stuck" })],
      ["complete", () => s.completeTask(ro, { taskId: mine.id })],
    ];
    for (const [what, call] of calls) {
      const err = refusal(call);
      expect(err.code, what).toBe("forbidden");
      expect(err.details, what).toMatchObject({ rule: "memory_ownership", section: "reads_or_writes", needed: expect.stringMatching(/^Agent_Memory\/(inst_[^/]+|\{instruction_id\})\/tasks\/$/) });
      expect(err.message, what).toMatch(/^Memory Ownership of reviewer-only \(agents\/reviewer-only\.md, Reads or Writes\) does not include .*: it does not work on tasks$/);
    }
    expect(countRows(t.db)).toEqual(before);
    // Another agent's task is still "not found", not a permission matter.
    expect(refusal(() => s.updateStep(ro, { taskId: task("backend-developer").id, position: 1, status: "done" })).code).toBe("not_found");
  });

  it("outputs: refused for an agent whose Writes have no outputs/, even on a task it works on", () => {
    const qw = t.ctx(agent("quiet-worker"));
    const job = task("quiet-worker");
    s.claimTask(qw, { taskId: job.id });
    expect(s.submitOutput(qw, { taskId: job.id, format: "text", content: "v1" }).version).toBe(1);
    // It works on tasks (so it can be assigned one), and hands in no outputs.
    syncWithAgents(t.db, { ...NARROW_AGENTS, "reviewer-only": { reads: ["Agent_Memory/{instruction_id}/tasks/"], writes: ["Agent_Memory/{instruction_id}/reviews/"] } });
    const other = task("reviewer-only");
    const ro = t.ctx(agent("reviewer-only"));
    s.claimTask(ro, { taskId: other.id });
    s.updateStep(ro, { taskId: other.id, position: 1, status: "in_progress" });
    const before = countRows(t.db);
    const err = refusal(() => s.submitOutput(ro, { taskId: other.id, format: "text", content: "report" }));
    expect(err.message).toBe(`Memory Ownership of reviewer-only (agents/reviewer-only.md, Writes) does not include Agent_Memory/${inst.id}/outputs/partial/: it does not hand in outputs`);
    expect(err.details).toMatchObject({ section: "writes", needed: `Agent_Memory/${inst.id}/outputs/partial/` });
    expect(countRows(t.db)).toEqual(before);
  });

  it("a literal instruction id: claims, steps and outputs in that instruction only", () => {
    const other = s.createInstruction(t.ctx(people.admin), { title: "Other", body: "", tier: 1, priority: "normal" });
    // Assigned while its definition declared nothing; then the definition pins it to one instruction.
    syncWithAgents(t.db, { ...NARROW_AGENTS, pinned: null });
    // Older and more urgent: the plain "next task" would take it first.
    const elsewhere = s.createTask(t.ctx(people.admin), { instructionId: other.id, title: "Elsewhere", assignedAgent: "pinned", priority: "critical" });
    syncWithAgents(t.db, {
      ...NARROW_AGENTS,
      pinned: { reads: [`Agent_Memory/${inst.id}/tasks/`], writes: [`Agent_Memory/${inst.id}/outputs/partial/`] },
    });
    const pin = t.ctx(agent("pinned"));
    // From now on nobody assigns it work there (the assignment is refused on the agent field).
    expect(refusal(() => s.createTask(t.ctx(people.admin), { instructionId: other.id, title: "More elsewhere", assignedAgent: "pinned" })).code).toBe("validation_failed");
    const here = task("pinned");
    expect(s.claimTask(pin)!.id).toBe(here.id);
    expect(s.claimTask(pin)).toBeNull();
    const err = refusal(() => s.claimTask(pin, { taskId: elsewhere.id }));
    expect(err.message).toBe(`Memory Ownership of pinned (agents/pinned.md, Reads or Writes) does not include Agent_Memory/${other.id}/tasks/: it works on tasks only in ${inst.id}`);
    expect(s.getTask(t.ctx(people.admin), elsewhere.id).status).toBe("pending");
    s.updateStep(pin, { taskId: here.id, position: 1, status: "done" });
    expect(s.submitOutput(pin, { taskId: here.id, format: "text", content: "ok" }).version).toBe(1);
  });

  it("a definition without the section behaves as before (any inbox, tasks, outputs)", () => {
    const ns = t.ctx(agent("no-section"));
    const job = task("no-section");
    expect(s.claimTask(ns)!.id).toBe(job.id);
    s.updateStep(ns, { taskId: job.id, position: 1, status: "done" });
    s.submitOutput(ns, { taskId: job.id, format: "text", content: "v1" });
    expect(s.sendMessage(ns, { to: "security-specialist", body: "hi" }).to).toBe("security-specialist");
    const a = s.getAgent(t.ctx(people.admin), "no-section");
    expect(a.permissions).toMatchObject({ declared: false, sendTo: "any", outputs: "any", tasks: "any" });
    // People and the system are not agents: the patterns do not apply to them.
    expect(s.sendMessage(t.ctx(system), { to: "reviewer-only", body: "note" }).to).toBe("reviewer-only");
  });

  it("the agent DTO carries the permissions; the summary leaves them out", () => {
    const a = s.getAgent(t.ctx(people.admin), "reviewer-only");
    expect(a.permissions).toEqual({ declared: true, sendTo: [], broadcast: false, outputs: [], tasks: [], otherInboxReads: ["backend-developer"] });
    expect(s.agentSummary(a)).not.toHaveProperty("permissions");
  });

  it("a definition narrowed by another process takes effect here at once (data_version)", () => {
    const other = t.reopen();
    try {
      const ns = t.ctx(agent("no-section"));
      expect(s.sendMessage(ns, { to: "backend-developer", body: "1" }).to).toBe("backend-developer"); // cached: defaults
      syncWithAgents(other, { ...NARROW_AGENTS, "no-section": { writes: ["Agent_Memory/_communication/inbox/frontend-developer/"] } });
      const start = performance.now();
      while (performance.now() - start < 2) {
        /* the check reads data_version at most once a millisecond */
      }
      expect(refusal(() => s.sendMessage(ns, { to: "backend-developer", body: "2" })).code).toBe("forbidden");
    } finally {
      other.$engine.close();
    }
  });
});
