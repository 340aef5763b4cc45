import { describe, expect, test } from "vitest";
import { createInstruction, createTask } from "@/lib/services";
import { createApiApp } from "@/lib/http/app";
import { countRows, json, type TestServer } from "@/test/server";
import { withTestServer } from "@/test/suite";
import { exec, one } from "@/test/sql";

let s: TestServer;
let token: string;
withTestServer((server) => {
  s = server;
  token = s.agentToken("backend-developer").token;
});

const message = (body: string) => ({ to: "hitl", type: "status_update", subject: "Progress", body });

describe("Idempotency-Key on POST", () => {
  test("the same POST with the same key twice changes the database once and returns the same body", async () => {
    const before = countRows(s.db);
    const first = await s.request("/api/v1/messages", { token, body: message("half way"), headers: { "Idempotency-Key": "k-1" } });
    const second = await s.request("/api/v1/messages", { token, body: message("half way"), headers: { "Idempotency-Key": "k-1" } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("content-type")).toMatch(/^application\/json/);
    const a = await json(first);
    expect(await json(second)).toEqual(a);
    const after = countRows(s.db);
    expect(after.messages).toBe(before.messages + 1);
    expect(after.events).toBe(before.events + 1);
    expect(after.idempotency_keys).toBe(before.idempotency_keys + 1);
  });

  test("the same key with a different request is refused with 422 idempotency_mismatch, changing nothing", async () => {
    await s.request("/api/v1/messages", { token, body: message("one"), headers: { "Idempotency-Key": "k-2" } });
    const before = countRows(s.db);
    const other = await s.request("/api/v1/messages", { token, body: message("two"), headers: { "Idempotency-Key": "k-2" } });
    expect(other.status).toBe(422);
    expect(other.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(other)).code).toBe("idempotency_mismatch");
    const otherPath = await s.request("/api/v1/tasks/claim", { token, method: "POST", headers: { "Idempotency-Key": "k-2" } });
    expect((await json(otherPath)).code).toBe("idempotency_mismatch");
    expect(countRows(s.db)).toEqual(before);
  });

  test("keys belong to one actor: another agent's identical key is a new request", async () => {
    const fe = s.agentToken("frontend-developer").token;
    const before = countRows(s.db);
    await s.request("/api/v1/messages", { token, body: message("same"), headers: { "Idempotency-Key": "shared" } });
    await s.request("/api/v1/messages", { token: fe, body: message("same"), headers: { "Idempotency-Key": "shared" } });
    expect(countRows(s.db).messages).toBe(before.messages + 2);
  });

  test("concurrent retries with one key run the request once", async () => {
    const before = countRows(s.db);
    const answers = await Promise.all(Array.from({ length: 8 }, () => s.request("/api/v1/messages", { token, body: message("burst"), headers: { "Idempotency-Key": "k-burst" } })));
    const bodies = await Promise.all(answers.map((r) => json(r)));
    expect(answers.every((r) => r.status === 201)).toBe(true);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(countRows(s.db).messages).toBe(before.messages + 1);
  });

  test("a replayed claim returns the task again instead of claiming a second one; a 204 replays as 204", async () => {
    const admin = s.person("admin");
    const inst = createInstruction(s.ctx(admin.actor), { title: "Claims", body: "", tier: 1, priority: "normal" });
    createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "A", assignedAgent: "security-specialist" });
    createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "B", assignedAgent: "security-specialist" });
    const sec = s.agentToken("security-specialist").token;
    const a = await s.request("/api/v1/tasks/claim", { token: sec, method: "POST", headers: { "Idempotency-Key": "claim-1" } });
    const b = await s.request("/api/v1/tasks/claim", { token: sec, method: "POST", headers: { "Idempotency-Key": "claim-1" } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect((await json(b)).id).toBe((await json(a)).id);
    const pending = await json(await s.request("/api/v1/tasks?status=pending", { token: sec }));
    expect(pending.items).toHaveLength(1);

    await s.request("/api/v1/tasks/claim", { token: sec, method: "POST" });
    const none = await s.request("/api/v1/tasks/claim", { token: sec, method: "POST", headers: { "Idempotency-Key": "claim-2" } });
    const noneAgain = await s.request("/api/v1/tasks/claim", { token: sec, method: "POST", headers: { "Idempotency-Key": "claim-2" } });
    expect([none.status, noneAgain.status]).toEqual([204, 204]);
    expect(noneAgain.headers.get("idempotent-replayed")).toBe("true");
  });

  test("a refusal before anything ran (invalid input) is not stored: the fixed request may reuse the key", async () => {
    const bad = await s.request("/api/v1/messages", { token, body: { to: "hitl", body: "" }, headers: { "Idempotency-Key": "k-fix" } });
    expect(bad.status).toBe(422);
    const fixed = await s.request("/api/v1/messages", { token, body: message("fixed"), headers: { "Idempotency-Key": "k-fix" } });
    expect(fixed.status).toBe(201);
  });

  test("an outcome such as 409 is stored and replayed", async () => {
    const admin = s.person("admin");
    const inst = createInstruction(s.ctx(admin.actor), { title: "Conflicts", body: "", tier: 1, priority: "normal" });
    const task = createTask(s.ctx(admin.actor), { instructionId: inst.id, title: "Unclaimed", assignedAgent: "backend-developer" });
    const req = () => s.request(`/api/v1/tasks/${task.id}/complete`, { token, method: "POST", headers: { "Idempotency-Key": "k-409" } });
    const first = await req();
    const second = await req();
    expect(first.status).toBe(409);
    expect(second.status).toBe(409);
    expect(second.headers.get("content-type")).toBe("application/problem+json");
    expect((await json(second)).detail).toBe((await json(first)).detail);
  });

  test("an invalid key is refused", async () => {
    const res = await s.request("/api/v1/messages", { token, body: message("x"), headers: { "Idempotency-Key": "with space" } });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe("validation_failed");
  });

  describe("across replicas (another server process on the same database)", () => {
    // The other replica: a second connection and a second API app, as another process has.
    const other = () => {
      const db = s.reopen();
      const { app, hub } = createApiApp(db);
      const request = (key: string, body: unknown) =>
        app.request("/api/v1/messages", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify(body) });
      return { db, request, close: () => (hub.closeAll(), db.$engine.close()) };
    };
    const reservation = (key: string) => one<{ status: number; created_at: number }>(s.db, "SELECT status, created_at FROM idempotency_keys WHERE key = ?", key);

    test("a burst with one key spread over two replicas runs the request once; every answer is the same", async () => {
      const b = other();
      try {
        const before = countRows(s.db);
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            i % 2 ? b.request("k-two", message("spread")) : s.request("/api/v1/messages", { token, body: message("spread"), headers: { "Idempotency-Key": "k-two" } }),
          ),
        );
        const codes = answers.map((r) => r.status);
        const bodies = await Promise.all(answers.filter((r) => r.status === 201).map((r) => json(r)));
        // Each either got the answer, or (still running on the other replica after 2 s) 409 in progress.
        expect(codes.every((c) => c === 201 || c === 409)).toBe(true);
        expect(new Set(bodies.map((x) => x.id)).size).toBe(1);
        expect(countRows(s.db).messages).toBe(before.messages + 1);
        expect(reservation("k-two")?.status).toBe(201);
      } finally {
        b.close();
      }
    });

    test("a key another replica is still running: the request waits, then answers 409 idempotency_in_progress, running nothing", async () => {
      const first = await s.request("/api/v1/messages", { token, body: message("held"), headers: { "Idempotency-Key": "k-held" } });
      expect(first.status).toBe(201);
      // Another replica took the key and is running its request: a reservation (status 0) from just now.
      exec(s.db, "UPDATE idempotency_keys SET status = 0, body = '', created_at = ? WHERE key = ?", Date.now(), "k-held");
      const before = countRows(s.db);
      const t0 = performance.now();
      const res = await s.request("/api/v1/messages", { token, body: message("held"), headers: { "Idempotency-Key": "k-held" } });
      expect(res.status).toBe(409);
      expect(res.headers.get("retry-after")).toBe("1");
      expect((await json(res)).code).toBe("idempotency_in_progress");
      expect(performance.now() - t0).toBeGreaterThanOrEqual(1900);
      expect(countRows(s.db)).toEqual(before);
    });

    test("the answer the other replica stores while the request waits is replayed", async () => {
      const first = await s.request("/api/v1/messages", { token, body: message("later"), headers: { "Idempotency-Key": "k-later" } });
      const stored = await first.text();
      exec(s.db, "UPDATE idempotency_keys SET status = 0, body = '', created_at = ? WHERE key = ?", Date.now(), "k-later");
      const b = other();
      try {
        setTimeout(() => exec(b.db, "UPDATE idempotency_keys SET status = 201, body = ? WHERE key = ?", stored, "k-later"), 300);
        const res = await s.request("/api/v1/messages", { token, body: message("later"), headers: { "Idempotency-Key": "k-later" } });
        expect(res.status).toBe(201);
        expect(res.headers.get("idempotent-replayed")).toBe("true");
        expect(await res.text()).toBe(stored);
      } finally {
        b.close();
      }
    });

    test("a reservation left by a replica that died (over a minute old) is taken over: the request runs and its answer is kept", async () => {
      await s.request("/api/v1/messages", { token, body: message("orphan"), headers: { "Idempotency-Key": "k-orphan" } });
      exec(s.db, "UPDATE idempotency_keys SET status = 0, body = '', created_at = ? WHERE key = ?", Date.now() - 61_000, "k-orphan");
      const before = countRows(s.db);
      const res = await s.request("/api/v1/messages", { token, body: message("orphan"), headers: { "Idempotency-Key": "k-orphan" } });
      expect(res.status).toBe(201);
      expect(res.headers.get("idempotent-replayed")).toBeNull();
      expect(countRows(s.db).messages).toBe(before.messages + 1);
      expect(reservation("k-orphan")?.status).toBe(201);
    });

    test("a reservation whose request was refused before it ran is dropped: the key is free again", async () => {
      const bad = await s.request("/api/v1/messages", { token, body: { to: "hitl", body: "" }, headers: { "Idempotency-Key": "k-free" } });
      expect(bad.status).toBe(422);
      expect(reservation("k-free")).toBeUndefined();
    });
  });
});
