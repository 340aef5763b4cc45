import { afterAll, describe, expect, test } from "vitest";
import { makeTestDb, people, agent, system } from "@/test/db";
import { blockTask, claimTask, completeTask, createInstruction, createTask, getTask, listEvents, replyToMessage, requestOutputChanges, sendMessage, submitOutput, updateStep } from "@/lib/services";
import { activeRunsOfTask, listAgentRunsActive } from "@/lib/services/runs";
import { pendingWakes, recordWake } from "@/lib/services/wakes";
import { getLogger } from "@/lib/log";
import { resolveRunner, runnerConfigFrom } from "./config";
import { WakeDispatcher } from "./wakes";

// What wakes an agent, decided from the events as the supervisor sees them, in a real database. No
// process is started here: the runs stay queued (lib/runners/supervisor.test.ts and
// test/agents/claude-loop.test.ts start real ones).

const t = makeTestDb();
afterAll(() => t.cleanup());
const admin = t.ctx(people.admin);
const rex = t.ctx(people.reviewer);
const be = t.ctx(agent("backend-developer"));
const fe = t.ctx(agent("frontend-developer"));
const sys = t.ctx(system);
const inst = createInstruction(admin, { title: "Wakes", body: "x", tier: 1 });

let clock = Date.now();
const limits = { delayMs: 1000, perTaskPerHour: 6, perPairPerHour: 2 };
const config = runnerConfigFrom({
  agents: {
    "backend-developer": { command: ["agent"], autoStart: true },
    "frontend-developer": { command: ["agent"], autoStart: true },
    "security-specialist": { command: ["agent"], autoStart: true, autoResume: false },
  },
});
let lastEvent = listEvents(sys, { limit: 1 }).at(-1)?.id ?? 0;
const d = new WakeDispatcher({ ctx: sys, log: getLogger(), resolve: (a) => resolveRunner(config, a, undefined), settings: () => limits, later: () => {} });

/** Hands the events since the last call to the dispatcher, as the supervisor does. */
function observe() {
  for (;;) {
    const batch = listEvents(sys, { afterId: lastEvent, limit: 500 });
    if (!batch.length) return;
    lastEvent = batch.at(-1)!.id;
    for (const e of batch) d.observe(e);
  }
}

function handedIn(title: string, who = "backend-developer") {
  const ctx = t.ctx(agent(who));
  const task = createTask(admin, { instructionId: inst.id, title, assignedAgent: who });
  const leaseToken = claimTask(ctx, { taskId: task.id })!.lease!.token;
  for (const s of getTask(ctx, task.id).steps) updateStep(ctx, { taskId: task.id, position: s.position, status: "done", leaseToken });
  const v1 = submitOutput(ctx, { taskId: task.id, format: "markdown", content: "# v1", leaseToken });
  completeTask(ctx, { taskId: task.id, leaseToken });
  return { task, v1 };
}

describe("wakes", () => {
  test("changes requested wake the agent on its task, once, after the coalescing window", () => {
    const { task, v1 } = handedIn("Sent back");
    requestOutputChanges(rex, { outputId: v1.id, comment: "Validate the quantity" });
    observe();
    observe(); // the same events again change nothing
    const w = pendingWakes(sys).filter((x) => x.taskId === task.id);
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ agentName: "backend-developer", kind: "changes_requested", causedBy: "rex@example.com" });
    expect(w[0].reason).toMatch(/changes requested by rex@example.com on v1 \(round 2 opened\)/);
    d.dispatch(w[0].createdAt + 10); // inside the window: nothing yet
    expect(activeRunsOfTask(sys, task.id)).toHaveLength(0);
    d.dispatch(w[0].createdAt + limits.delayMs + 1);
    const [run] = activeRunsOfTask(sys, task.id);
    expect(run).toMatchObject({ status: "queued", trigger: "wake", round: 2 });
    expect(run.wakeReason).toContain("rex@example.com");
    expect(pendingWakes(sys).filter((x) => x.taskId === task.id)).toHaveLength(0);
    const timeline = listEvents(admin, { taskId: task.id }).map((e) => e.verb);
    expect(timeline).toContain("task.woken");
  });

  test("an answer on the agent's escalation wakes the blocked task; an agent without autoResume is not woken", () => {
    const task = createTask(admin, { instructionId: inst.id, title: "Blocked on a question", assignedAgent: "backend-developer" });
    const leaseToken = claimTask(be, { taskId: task.id })!.lease!.token;
    const q = sendMessage(be, { to: "hitl", type: "escalation", subject: "Which currency?", body: "EUR or USD?", taskId: task.id, leaseToken });
    blockTask(be, { taskId: task.id, reason: "Waiting for the currency", leaseToken });
    replyToMessage(admin, { messageId: q.id, body: "EUR" });
    observe();
    const w = pendingWakes(sys).filter((x) => x.taskId === task.id);
    expect(w).toMatchObject([{ kind: "answer", agentName: "backend-developer" }]);
    d.dispatch(w[0].createdAt + limits.delayMs + 1);
    expect(activeRunsOfTask(sys, task.id)).toMatchObject([{ status: "queued", trigger: "wake" }]);
    // The run put the blocked task back to pending, for the agent to claim.
    expect(getTask(admin, task.id).status).toBe("pending");

    const sec = createTask(admin, { instructionId: inst.id, title: "Security, no autoResume", assignedAgent: "security-specialist" });
    const sc = t.ctx(agent("security-specialist"));
    const lt = claimTask(sc, { taskId: sec.id })!.lease!.token;
    const q2 = sendMessage(sc, { to: "hitl", type: "escalation", subject: "Scope?", body: "?", taskId: sec.id, leaseToken: lt });
    blockTask(sc, { taskId: sec.id, reason: "Scope", leaseToken: lt });
    replyToMessage(admin, { messageId: q2.id, body: "Everything" });
    observe();
    expect(pendingWakes(sys).filter((x) => x.taskId === sec.id)).toHaveLength(0);
  });

  test("a consultation wakes the other agent without a task; its answer wakes the asker on its task", () => {
    const task = createTask(admin, { instructionId: inst.id, title: "Needs the frontend's view", assignedAgent: "backend-developer" });
    const leaseToken = claimTask(be, { taskId: task.id })!.lease!.token;
    const ask = sendMessage(be, { to: "frontend-developer", type: "consultation", subject: "Pagination", body: "Cursor or offset?", taskId: task.id, stepPosition: 4, leaseToken });
    observe();
    const [w] = pendingWakes(sys).filter((x) => x.agentName === "frontend-developer");
    expect(w).toMatchObject({ taskId: null, kind: "message", fromAgent: "backend-developer", messageId: ask.id });
    d.dispatch(w.createdAt + limits.delayMs + 1);
    const [run] = listAgentRunsActive(sys, "frontend-developer");
    expect(run).toMatchObject({ taskId: null, trigger: "wake", status: "queued" });
    // A second consultation while that run is queued joins it rather than queueing another.
    const again = sendMessage(be, { to: "frontend-developer", type: "consultation", subject: "And sorting?", body: "Server side?", taskId: task.id, leaseToken });
    observe();
    d.dispatch(Date.now() + limits.delayMs + 1);
    expect(listAgentRunsActive(sys, "frontend-developer")).toHaveLength(1);
    expect(listAgentRunsActive(sys, "frontend-developer")[0].wakeReason).toContain("And sorting?");
    expect(again.id).toBeTruthy();

    replyToMessage(fe, { messageId: ask.id, body: "Cursor." });
    observe();
    expect(pendingWakes(sys).filter((x) => x.taskId === task.id)).toMatchObject([{ agentName: "backend-developer", kind: "answer", fromAgent: "frontend-developer" }]);
  });

  test("the loop guard holds wakes past the limit per pair, and tells the people once", () => {
    const at = clock;
    const n = () => recordWake(sys, { agent: "frontend-developer", taskId: null, kind: "message", reason: "ping", causedBy: "security-specialist", fromAgent: "security-specialist" }, limits);
    const rows = [n(), n(), n(), n()];
    expect(rows.map((r) => r!.status)).toEqual(["pending", "pending", "suppressed", "suppressed"]);
    const inbox = listEvents(sys, { afterId: 0, limit: 5000 }).filter((e) => e.verb === "message.sent" && (e.after as { to?: string }).to === "hitl" && e.at >= new Date(at - 1000).toISOString());
    const guardMessages = inbox.filter((e) => e.entityId && getGuard(e.entityId));
    expect(guardMessages).toHaveLength(1);
    clock = Date.now();
  });

  test("a completed dependency starts the task that waited for it", () => {
    const t1 = createTask(admin, { instructionId: inst.id, title: "T1 schema", assignedAgent: "backend-developer", authority: "autonomous" });
    const t2 = createTask(admin, { instructionId: inst.id, title: "T2 endpoint", assignedAgent: "frontend-developer", dependsOn: [t1.id] });
    observe();
    expect(pendingWakes(sys).filter((x) => x.taskId === t2.id)).toHaveLength(0);
    const leaseToken = claimTask(be, { taskId: t1.id })!.lease!.token;
    for (const s of getTask(be, t1.id).steps) updateStep(be, { taskId: t1.id, position: s.position, status: "done", leaseToken });
    completeTask(be, { taskId: t1.id, leaseToken });
    observe();
    const [w] = pendingWakes(sys).filter((x) => x.taskId === t2.id);
    expect(w).toMatchObject({ agentName: "frontend-developer", kind: "dependency" });
    expect(w.reason).toContain("completed");
  });
});

function getGuard(messageId: string): boolean {
  const m = t.db.$client.prepare("SELECT subject FROM messages WHERE id = ?").get(messageId) as { subject: string } | undefined;
  return !!m && m.subject.startsWith("Loop guard:");
}

describe("answers to AgentDesk's own messages", () => {
  test("a person answering the escalation of a run that ended early answers the task's agent, and wakes it", async () => {
    const { finishRun, startRun, createRun } = await import("@/lib/services/runs");
    const task = createTask(admin, { instructionId: inst.id, title: "Run died", assignedAgent: "backend-developer" });
    const run = createRun(admin, { taskId: task.id, preset: "command", command: ["agent"] });
    startRun(sys, { runId: run.id, command: ["agent"] });
    claimTask(be, { taskId: task.id });
    const { messageId } = finishRun(sys, { runId: run.id, outcome: "exited", exitCode: 1 });
    expect(getTask(admin, task.id).status).toBe("blocked");
    const reply = replyToMessage(admin, { messageId: messageId!, body: "The database was down; it is back. Go on." });
    expect(reply.to).toBe("backend-developer");
    observe();
    expect(pendingWakes(sys).filter((x) => x.taskId === task.id)).toMatchObject([{ kind: "answer", agentName: "backend-developer", causedBy: "ada@example.com" }]);
  });
});
