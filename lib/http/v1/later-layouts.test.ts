import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importTree } from "@/lib/protocol";
import { countRows, json, startTestServer, type TestServer } from "@/test/server";
import { exec, one } from "@/test/sql";

// The later layouts of the folder protocol over HTTP (issue #22): a task's parent and children in its
// DTO, and who may post to a broadcast channel.
const FIXTURES = path.resolve(process.cwd(), "lib/protocol/fixtures");

let s: TestServer;
let admin: ReturnType<TestServer["person"]>;
let reviewer: ReturnType<TestServer["person"]>;
let viewer: ReturnType<TestServer["person"]>;
let be: string;
let fe: string;
const idOf = (ref: string) => (one(s.db, "SELECT id FROM tasks WHERE ref = ?", ref) as { id: string }).id;

beforeAll(async () => {
  s = await startTestServer();
  admin = s.person("admin");
  reviewer = s.person("reviewer");
  viewer = s.person("viewer");
  be = s.agentToken("backend-developer").token;
  fe = s.agentToken("frontend-developer").token;
  for (const f of ["hierarchical", "channels"]) expect(importTree(s.db, path.join(FIXTURES, f, "Agent_Memory")).errors).toEqual([]);
});
afterAll(() => s.close());

describe("GET /api/v1/tasks/{id}: parent and children", () => {
  it("a strategic task lists its tactical tasks with status and step progress; a tactical one names its parent", async () => {
    const res = await s.request(`/api/v1/tasks/${idOf("ST1")}`, { token: admin.token });
    expect(res.status).toBe(200);
    const st1 = await json(res);
    expect(st1).toMatchObject({ ref: "ST1", parentTaskId: null, parentTask: null });
    expect(st1.children.map((c: { ref: string; status: string }) => [c.ref, c.status])).toEqual([
      ["TT1.1", "pending"],
      ["TT1.2", "blocked"],
      ["TT1.3", "completed"],
      ["TT2.1", "pending"],
    ]);
    expect(st1.children[0]).toMatchObject({ assignedAgent: "backend-developer", progress: { total: 10, done: 0 } });

    const tt = await json(await s.request(`/api/v1/tasks/${idOf("TT2.1")}`, { token: viewer.token }));
    expect(tt).toMatchObject({ parentTaskId: idOf("ST1"), parentTask: { id: idOf("ST1"), ref: "ST1", status: "in_progress", assignedAgent: "tech-lead" }, children: [] });
  });

  it("an agent sees its own task but not the parent that is someone else's", async () => {
    const tt = await json(await s.request(`/api/v1/tasks/${idOf("TT1.1")}`, { token: be }));
    expect(tt).toMatchObject({ ref: "TT1.1", parentTask: null, children: [] });
    expect((await s.request(`/api/v1/tasks/${idOf("ST1")}`, { token: be })).status).toBe(404);
  });
});

describe("POST /api/v1/messages to a broadcast channel", () => {
  const post = (token: string, to: string) => s.request("/api/v1/messages", { method: "POST", token, body: { to, type: "broadcast", subject: "Heads up", body: "Deploy at noon." } });

  it("a reviewer posts; the channel's inbox has it; a viewer is refused and nothing is written", async () => {
    const ok = await post(reviewer.token, "broadcast:backend-team");
    expect(ok.status).toBe(201);
    expect(await json(ok)).toMatchObject({ to: "broadcast:backend-team", from: { kind: "person", name: reviewer.actor.email } });
    const res = await s.request(`/api/v1/inbox/${encodeURIComponent("broadcast:backend-team")}`, { token: admin.token });
    const inbox = await json(res);
    expect(res.status, JSON.stringify(inbox)).toBe(200);
    expect(inbox.items.map((m: { subject: string }) => m.subject)).toEqual(["Heads up", "Redis 7 on staging"]);

    const before = countRows(s.db);
    const no = await post(viewer.token, "broadcast:backend-team");
    expect(no.status).toBe(403);
    expect(no.headers.get("content-type")).toMatch(/problem\+json/);
    expect(countRows(s.db)).toEqual(before);
  });

  it("an agent posts to a channel it is a member of when its Memory Ownership posts broadcasts; otherwise 403 naming why; an unknown channel is a 422 on `to`", async () => {
    // api-developer (a member of backend-team, named by the channel's file) with no Memory Ownership section: the defaults post broadcasts.
    exec(s.db, "INSERT INTO agents (name, active, synced_at, created_at) VALUES ('api-developer', 1, 0, 0)");
    const api = s.agentToken("api-developer").token;
    expect((await post(api, "broadcast:backend-team")).status).toBe(201);
    expect((await post(api, "broadcast:all")).status).toBe(201);

    const before = countRows(s.db);
    // backend-developer is a member, but agents/backend-developer.md's Memory Ownership does not write _communication/broadcast/.
    const ownership = await post(be, "broadcast:backend-team");
    expect(ownership.status).toBe(403);
    expect(await json(ownership)).toMatchObject({ details: { rule: "memory_ownership" } });
    const notMember = await post(fe, "broadcast:backend-team");
    expect(notMember.status).toBe(403);
    expect((await json(notMember)).detail).toMatch(/not a member of the channel backend-team/);
    const unknown = await post(reviewer.token, "broadcast:nobody");
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).fields).toMatchObject({ to: [expect.stringContaining("Unknown channel nobody")] });
    expect(countRows(s.db)).toEqual(before);

    // The agent reads its channels, and the picker of a person lists them all.
    const mine = await json(await s.request("/api/v1/inboxes", { token: be }));
    expect(mine.items.map((i: { inbox: string }) => i.inbox)).toEqual(["backend-developer", "broadcast:all", "broadcast:backend-team"]);
    expect((await s.request(`/api/v1/inbox/${encodeURIComponent("broadcast:tech-leads")}`, { token: be })).status).toBe(403);

    // A member opens a channel's message and its thread as its inbox page lists them; a non-member finds neither.
    const page = await json(await s.request(`/api/v1/inbox/${encodeURIComponent("broadcast:backend-team")}`, { token: be }));
    const listed = page.items[0] as { id: string; threadId: string };
    expect(listed).toBeTruthy();
    expect((await s.request(`/api/v1/messages/${listed.id}`, { token: be })).status).toBe(200);
    expect((await s.request(`/api/v1/threads/${listed.threadId}`, { token: be })).status).toBe(200);
    expect((await s.request(`/api/v1/messages/${listed.id}`, { token: fe })).status).toBe(404);
    expect((await s.request(`/api/v1/threads/${listed.threadId}`, { token: fe })).status).toBe(404);
  });
});
