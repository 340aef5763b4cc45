import { describe as group, expect, test } from "vitest";
import * as s from "@/lib/services";
import { toLiveEvent } from "@/lib/http/live";
import { PEOPLE_INBOX, type LiveEvent } from "@/lib/domain/vocabulary";
import { withTestServer } from "@/test/suite";
import { json, type TestPerson, type TestServer } from "@/test/server";
import { system } from "@/test/db";
import { createRun, finishRun, startRun } from "@/lib/services/runs";
import { coveredByRecent, describe, mayNotify, pickPerTask, type Lookups, type Recent } from "./rules";

// What becomes a browser notification, read from real events of a real server, with the details
// read over real HTTP with a person's session (what the dashboard does).

let srv: TestServer;
let rex: TestPerson;
withTestServer((server) => {
  srv = server;
  rex = srv.person("reviewer");
});

const get = async (path: string) => {
  const res = await srv.request(path, { cookie: rex.cookie });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return json(res);
};
const lookups: Lookups = {
  message: (id) => get(`/api/v1/messages/${id}`),
  task: (id) => get(`/api/v1/tasks/${id}`),
  runs: (id) => get(`/api/v1/tasks/${id}/runs`),
};

/** The live events the stream would send after `afterId`. */
const eventsAfter = (afterId: number): LiveEvent[] => s.listEvents({ db: srv.db, actor: system }, { afterId, limit: 100 }).map(toLiveEvent);
const last = () => s.lastEventId({ db: srv.db });
const me = () => ({ email: rex.actor.email });
const sys = () => ({ db: srv.db, actor: system });
const be = () => ({ db: srv.db, actor: { kind: "agent" as const, name: "backend-developer" } });

function startedTask(title: string) {
  const inst = s.createInstruction(sys(), { title });
  const task = s.createTask(sys(), { instructionId: inst.id, title, assignedAgent: "backend-developer" });
  s.claimTask(be(), { taskId: task.id });
  return task;
}

group("browser notification rules", () => {
  test("an escalation or a question to the people: the thread; a status update or a message to an agent: nothing", async () => {
    const task = startedTask("Orders table");
    const from = last();
    s.sendMessage(be(), { to: PEOPLE_INBOX, type: "escalation", subject: "Which owner?", body: "The orders table has no owner column.", taskId: task.id });
    s.sendMessage(be(), { to: PEOPLE_INBOX, type: "consultation", body: "Is UTC fine for dates?" });
    s.sendMessage(be(), { to: PEOPLE_INBOX, type: "status_update", body: "Halfway." });
    s.sendMessage(be(), { to: "frontend-developer", type: "consultation", body: "Payload shape?" });
    const events = eventsAfter(from).filter((e) => e.verb === "message.sent");
    expect(events).toHaveLength(4);
    expect(events.map((e) => mayNotify(e, me()))).toEqual([true, true, true, false]);
    const specs = await Promise.all(events.slice(0, 3).map((e) => describe(e, lookups)));
    const thread = (await lookups.message(events[0].entityId)).threadId;
    expect(specs[0]).toMatchObject({
      kind: "message",
      title: "backend-developer escalated: Which owner?",
      body: "The orders table has no owner column.",
      href: `/inbox/${PEOPLE_INBOX}/${thread}`,
      taskId: task.id,
    });
    expect(specs[1]).toMatchObject({ kind: "message", title: "backend-developer asks", body: "Is UTC fine for dates?" });
    expect(specs[2]).toBeNull();
  });

  test("the person's own action is never notified", () => {
    const from = last();
    s.sendMessage({ db: srv.db, actor: rex.actor }, { to: PEOPLE_INBOX, type: "consultation", body: "A note to my colleagues" });
    const [e] = eventsAfter(from);
    expect(e.actor).toEqual({ kind: "person", id: rex.actor.email });
    expect(mayNotify(e, me())).toBe(false);
    expect(mayNotify(e, { email: "someone-else@example.com" })).toBe(true);
  });

  test("a task handed in for review leads to its output's review; a block to the task, left out right after an escalation about it", async () => {
    const task = startedTask("CSV export");
    for (const step of task.steps) s.updateStep(be(), { taskId: task.id, position: step.position, status: "done" });
    const output = s.submitOutput(be(), { taskId: task.id, format: "text", content: "done" });
    const from = last();
    s.completeTask(be(), { taskId: task.id });
    const handedIn = eventsAfter(from).find((e) => e.verb === "task.submitted_for_review")!;
    expect(mayNotify(handedIn, me())).toBe(true);
    expect(await describe(handedIn, lookups)).toMatchObject({ kind: "review", href: `/outputs/${output.id}`, title: `Output waiting for review: ${task.ref} CSV export` });

    const stuck = startedTask("Stuck");
    const before = last();
    s.blockTask(be(), { taskId: stuck.id, reason: "No database credentials" });
    const blocked = eventsAfter(before).find((e) => e.verb === "task.blocked")!;
    const spec = (await describe(blocked, lookups))!;
    expect(spec).toMatchObject({ kind: "blocked", href: `/tasks/${stuck.id}`, body: "No database credentials", tag: `agentdesk:task:${stuck.id}` });
    const recent: Recent = new Map();
    expect(coveredByRecent(spec, recent, 1000)).toBe(false);
    recent.set(stuck.id, { at: 1000, kind: "message" });
    expect(coveredByRecent(spec, recent, 2000)).toBe(true);
    expect(coveredByRecent(spec, recent, 1000 + 61_000)).toBe(false);
    // A question after a block about the same task is shown (it leads further); a block after a question is not.
    const question = { ...spec, kind: "message" as const };
    recent.set(stuck.id, { at: 1000, kind: "blocked" });
    expect(coveredByRecent(question, recent, 2000)).toBe(false);
    expect(coveredByRecent(spec, recent, 2000)).toBe(true);
  });

  test("a failed run (the task blocked, the people told, the run's end: one burst) becomes one notification, the escalation to the thread", async () => {
    const task = startedTask("Nightly import");
    const run = createRun({ db: srv.db, actor: rex.actor }, { taskId: task.id, preset: "command", command: ["agent"] });
    startRun(sys(), { runId: run.id, command: ["agent"] });
    const from = last();
    finishRun(sys(), { runId: run.id, outcome: "exited", exitCode: 2 });
    const events = eventsAfter(from).filter((e) => mayNotify(e, me()));
    expect(events.map((e) => e.verb).sort()).toEqual(["message.sent", "run.finished", "task.blocked"]);
    const specs = (await Promise.all(events.map((e) => describe(e, lookups)))).filter((x) => x !== null);
    expect(specs.map((x) => x.kind).sort()).toEqual(["blocked", "message", "run"]);
    expect(specs.find((x) => x.kind === "run")).toMatchObject({ title: `Run failed: ${task.ref} Nightly import`, href: `/tasks/${task.id}` });
    const shown = pickPerTask(specs);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ kind: "message", taskId: task.id, href: expect.stringMatching(/^\/inbox\/hitl\//) });
    // ... and the run alone (no escalation) would have been shown.
    expect(pickPerTask(specs.filter((x) => x.kind !== "message")).map((x) => x.kind)).toEqual(["run"]);
  });

  test("events that are not the people's business are not candidates", () => {
    const from = last();
    startedTask("Quiet");
    expect(eventsAfter(from).filter((e) => mayNotify(e, me()))).toEqual([]);
  });
});
