import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cancelTask, createInstruction, createTask, deleteUser, endSession, markMessage, reassignTask, revokeToken, sendMessage } from "@/lib/services";
import { recordBridgeConflict } from "@/lib/services/protocol";
import { SESSION_COOKIE } from "@/lib/auth/secrets";
import { agent, system } from "@/test/db";
import { startTestServer, type TestServer } from "@/test/server";
import { SseStream } from "@/test/sse";

let srv: TestServer;
const open: SseStream[] = [];
beforeEach(async () => {
  srv = await startTestServer();
});
afterEach(async () => {
  for (const s of open.splice(0)) s.close();
  delete process.env.AGENTDESK_MAX_EVENT_STREAMS;
  await srv.close();
});

async function stream(auth: { token?: string; cookie?: string }, query = ""): Promise<SseStream> {
  const headers: Record<string, string> = {};
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (auth.cookie) headers.cookie = auth.cookie;
  const s = await SseStream.open(`${srv.baseUrl}/api/events${query}`, headers);
  open.push(s);
  return s;
}
async function ready(auth: { token?: string; cookie?: string }, query = ""): Promise<SseStream> {
  const s = await stream(auth, query);
  expect(s.response.status).toBe(200);
  await s.waitFor((e) => e.event === "ready");
  return s;
}

const sys = () => ({ db: srv.db, actor: system });
const A = "backend-developer";
const B = "frontend-developer";

function taskFor(name: string, title = `work for ${name}`) {
  const inst = createInstruction(sys(), { title: `for ${name}` });
  return createTask(sys(), { instructionId: inst.id, title, assignedAgent: name });
}

/** A message to `inbox` that the stream's agent sees: the marker that everything before it was delivered. */
function marker(inbox: string, body: string) {
  return sendMessage(sys(), { to: inbox, body });
}

describe("an open event stream ends when its credential stops being valid", () => {
  it("an agent token revoked in this process: the stream ends within a second, nothing after", async () => {
    const { token, id } = srv.agentToken(A);
    const s = await ready({ token });
    const first = taskFor(A);
    await s.waitFor((e) => e.data?.taskId === first.id);

    const t0 = Date.now();
    revokeToken(sys(), id);
    expect((await srv.request("/api/v1/me", { token })).status).toBe(401); // REST refuses at once
    expect(await s.endsWithin(1000)).toBe(true);
    expect(s.endedAt! - t0).toBeLessThan(1000);
    const after = taskFor(A, "after the revocation");
    await new Promise((r) => setTimeout(r, 700));
    expect(s.changes.some((e) => e.data.taskId === after.id)).toBe(false);
    // The agent is told why (a final `closed` event), and a new stream is refused.
    expect(s.events.at(-1)).toMatchObject({ event: "closed", data: { code: "unauthenticated" } });
    expect((await stream({ token })).response.status).toBe(401);
  });

  it("a token revoked by another process on the same file (the CLI): ends within a second", async () => {
    const { token, id } = srv.agentToken(A);
    const s = await ready({ token });
    const other = srv.reopen();
    try {
      const t0 = Date.now();
      revokeToken({ db: other, actor: system }, id);
      expect(await s.endsWithin(1000)).toBe(true);
      expect(s.endedAt! - t0).toBeLessThan(1000);
    } finally {
      other.$engine.close();
    }
  });

  it("a person's session ended (sign-out), and a deleted person's token stream: both end", async () => {
    const p = srv.person("reviewer");
    const bySession = await ready({ cookie: p.cookie });
    const byToken = await ready({ token: p.token });
    const other = srv.person("viewer");
    const bystander = await ready({ cookie: other.cookie });

    endSession(sys(), p.cookie.slice(SESSION_COOKIE.length + 1));
    expect(await bySession.endsWithin(1000)).toBe(true);
    expect(byToken.endedAt).toBeNull();

    deleteUser({ db: srv.db, actor: system }, p.actor.id);
    expect(await byToken.endsWithin(1000)).toBe(true);
    // Someone else's stream goes on.
    const later = taskFor(A, "seen by the bystander");
    await bystander.waitFor((e) => e.data?.taskId === later.id);
    expect(bystander.endedAt).toBeNull();
  });

  it("an expired session: ends within about a second of expiring", async () => {
    const p = srv.person("viewer");
    const { startSession } = await import("@/lib/services");
    // A session that expires 600 ms from now (sessions last 7 days: started 7 days minus 600 ms ago).
    const short = startSession({ db: srv.db, actor: system, now: () => Date.now() - 7 * 24 * 3600_000 + 600 }, p.actor.id);
    const s = await ready({ cookie: `${SESSION_COOKIE}=${short.sessionId}` });
    expect(await s.endsWithin(2500)).toBe(true);
  });
});

describe("how many event streams one credential may hold open", () => {
  it("caps streams per token and per person with 429 rate_limited; a closed one frees its place", async () => {
    process.env.AGENTDESK_MAX_EVENT_STREAMS = "3";
    const { token } = srv.agentToken(A);
    const streams = [await ready({ token }), await ready({ token }), await ready({ token })];
    const refused = await stream({ token });
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get("content-type")).toContain("application/problem+json");
    const doc = await refused.problem();
    expect(doc).toMatchObject({ code: "rate_limited", status: 429 });
    expect(doc.detail).toMatch(/3 open event streams/);
    expect(doc.detail).toMatch(/AGENTDESK_MAX_EVENT_STREAMS/);
    // Another token of the same agent has its own allowance.
    await ready({ token: srv.agentToken(A).token });

    streams[0].close();
    await streams[0].ended;
    // The server notices the closed connection; then the place is free again.
    let again: SseStream | null = null;
    for (let i = 0; i < 50 && !again; i++) {
      const s = await stream({ token });
      if (s.response.status === 200) again = s;
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(again?.response.status).toBe(200);

    // Per person: sessions and tokens of one person count together.
    const p = srv.person("viewer");
    const second = `${SESSION_COOKIE}=${(await import("@/lib/services")).startSession(sys(), p.actor.id).sessionId}`;
    await ready({ cookie: p.cookie });
    await ready({ cookie: second });
    await ready({ token: p.token });
    const fourth = await stream({ cookie: second });
    expect(fourth.response.status).toBe(429);
  });

  it("a burst of openings at once is held to the cap (none slips through between check and count)", async () => {
    process.env.AGENTDESK_MAX_EVENT_STREAMS = "5";
    const { token } = srv.agentToken(A);
    const burst = await Promise.all(Array.from({ length: 40 }, () => stream({ token })));
    const statuses = burst.map((s) => s.response.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(35);
  });
});

describe("what an agent's event stream carries: only what it may see", () => {
  it("a message to another agent's inbox that names this agent's task is not sent to it", async () => {
    const mine = taskFor(A);
    const theirs = taskFor(B);
    const a = await ready({ token: srv.agentToken(A).token });
    const b = await ready({ token: srv.agentToken(B).token });

    const toB = sendMessage(sys(), { to: B, body: "about A's task", taskId: mine.id });
    const end = marker(A, "marker 1");
    await a.waitFor((e) => e.data?.entityId === end.id);
    expect(a.changes.map((e) => e.data.entityId)).not.toContain(toB.id);
    // B, whose inbox it is, gets it.
    await b.waitFor((e) => e.data?.entityId === toB.id);

    // Marking it read (B's inbox, A's task) is not A's business either.
    markMessage({ db: srv.db, actor: agent(B) }, { messageId: toB.id, read: true });
    const end2 = marker(A, "marker 2");
    await a.waitFor((e) => e.data?.entityId === end2.id);
    expect(a.changes.filter((e) => e.data.entityId === toB.id)).toEqual([]);

    // A message to A's inbox about B's task is A's (its inbox), and one A sends is A's too.
    const toA = sendMessage(sys(), { to: A, body: "about B's task", taskId: theirs.id });
    const fromA = sendMessage({ db: srv.db, actor: agent(A) }, { to: B, body: "from A" });
    await a.waitFor((e) => e.data?.entityId === toA.id);
    await a.waitFor((e) => e.data?.entityId === fromA.id);
  });

  it("a conflict record about a message in another inbox, filed under this agent's task, is not sent to it", async () => {
    const mine = taskFor(A);
    const a = await ready({ token: srv.agentToken(A).token });
    const toB = sendMessage(sys(), { to: B, body: "private to B", taskId: mine.id });
    recordBridgeConflict(sys(), {
      entityKind: "message",
      entityId: toB.id,
      taskId: mine.id,
      path: `_communication/inbox/${B}/${toB.id}.yaml`,
      keptAs: null,
      winner: "database",
      fields: { body: { database: "private to B", file: "edited" } },
      rule: "database wins",
    });
    const end = marker(A, "marker");
    await a.waitFor((e) => e.data?.entityId === end.id);
    expect(a.changes.filter((e) => e.data.entityId === toB.id)).toEqual([]);
  });

  it("task events: its own tasks only; a task taken away stops, a task given to it starts", async () => {
    const mine = taskFor(A);
    const a = await ready({ token: srv.agentToken(A).token });
    const theirs = taskFor(B);
    cancelTask(sys(), { taskId: theirs.id });
    const own = taskFor(A, "another of mine");
    await a.waitFor((e) => e.data?.taskId === own.id);
    expect(a.changes.filter((e) => e.data.taskId === theirs.id)).toEqual([]);

    reassignTask(sys(), { taskId: mine.id, agent: B });
    cancelTask(sys(), { taskId: mine.id });
    const end = marker(A, "marker");
    await a.waitFor((e) => e.data?.entityId === end.id);
    expect(a.changes.filter((e) => e.data.taskId === mine.id && e.data.verb !== "task.created")).toEqual([]);

    reassignTask(sys(), { taskId: own.id, agent: B });
    const back = taskFor(B, "given to A later");
    reassignTask(sys(), { taskId: back.id, agent: A });
    await a.waitFor((e) => e.data?.taskId === back.id && e.data.verb === "task.reassigned");
  });

  it("a reconnect's catch-up (Last-Event-ID) applies the same rule", async () => {
    const mine = taskFor(A);
    const toB = sendMessage(sys(), { to: B, body: "about A's task", taskId: mine.id });
    const toA = sendMessage(sys(), { to: A, body: "for A" });
    const a = await ready({ token: srv.agentToken(A).token }, "?after=0");
    const ids = a.changes.map((e) => e.data.entityId);
    expect(ids).toContain(mine.id);
    expect(ids).toContain(toA.id);
    expect(ids).not.toContain(toB.id);
  });

  it("the catch-up ends with ready: complete when all it missed was replayed, not when there were more than it replays", async () => {
    const { cookie } = srv.person("viewer");
    const head = taskFor(A).id;
    const from = (await ready({ cookie }, "?after=0")).changes.at(-1)!.id;
    for (let i = 0; i < 3; i++) taskFor(A, `after ${i}`);
    const near = await ready({ cookie }, `?after=${from}`);
    expect(near.events.find((e) => e.event === "ready")!.data).toEqual({ complete: true });
    expect(near.changes.map((e) => e.data.entityId)).not.toContain(head);
    expect(near.changes.length).toBeGreaterThanOrEqual(3);
    // More than the 1000 a catch-up replays.
    for (let i = 0; i < 520; i++) taskFor(A, `many ${i}`);
    const far = await ready({ cookie }, `?after=${from}`);
    expect(far.changes.length).toBe(1000);
    expect(far.events.find((e) => e.event === "ready")!.data).toEqual({ complete: false });
  });
});
