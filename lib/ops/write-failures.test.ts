// A write that fails for lack of space (SQLITE_FULL) or permission (SQLITE_READONLY) answers 503 with
// a problem document, changes nothing, and the next write succeeds once the cause is gone. The causes
// are injected on the server's own connection: max_page_count caps the file's size exactly like a
// full disk, query_only refuses writes like a read-only file (chmod does not stop root).
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger, setLogger } from "@/lib/log";
import { inProcessApi, type InProcessApi } from "@/test/crash/in-process";

let api: InProcessApi;
beforeAll(() => setLogger(createLogger({ level: "silent" })));
beforeEach(async () => {
  api = inProcessApi();
  // Authentication writes the token's last-used time on first use (then once a minute): get that
  // write out of the way, so the failures below come from the verbs themselves.
  expect((await api.request("/api/v1/tasks")).status).toBe(200);
  // The v1 error handler prints 5xx to stderr; these 503s are the point of the test.
  vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => {
  api.cleanup();
  vi.restoreAllMocks();
});

const bigMessage = (taskId: string) => ({ to: "frontend-developer", type: "consultation", subject: "Big", body: "word ".repeat(30_000), taskId });
const bigOutput = { format: "markdown", content: "# Report\n\n" + "line of output\n".repeat(40_000) };

async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const doc = (await res.json()) as Record<string, unknown>;
  expect(doc).toMatchObject({ status: 503, code: "unavailable", title: "Service unavailable" });
  expect(doc.detail).toMatch(/nothing was changed/);
  expect(doc.requestId).toBe(res.headers.get("x-request-id"));
}

function integrityOk() {
  expect(api.db.$client.pragma("integrity_check", { simple: true })).toBe("ok");
  api.db.$client.prepare(`INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)`).run();
}

describe("disk full", () => {
  it("answers 503, leaves the database as it was, and recovers when space returns", async () => {
    const sqlite = api.db.$client;
    const before = api.counts();
    const limit = sqlite.pragma("page_count", { simple: true }) as number;
    sqlite.pragma(`max_page_count = ${limit}`);
    // The injection is real: the file cannot grow by one more page.
    sqlite.exec("SAVEPOINT probe");
    try {
      expect(() => sqlite.exec("CREATE TABLE filler(x); INSERT INTO filler VALUES (randomblob(100000))")).toThrow(/full/);
    } finally {
      sqlite.exec("ROLLBACK TO probe; RELEASE probe");
    }

    await expectUnavailable(await api.request("/api/v1/messages", { body: bigMessage(api.taskId) }));
    await expectUnavailable(await api.request(`/api/v1/tasks/${api.taskId}/outputs`, { body: bigOutput }));
    expect(sqlite.inTransaction).toBe(false);
    expect(api.counts()).toEqual(before);
    integrityOk();

    sqlite.pragma("max_page_count = 1073741823");
    const sent = await api.request("/api/v1/messages", { body: bigMessage(api.taskId) });
    expect(sent.status).toBe(201);
    const out = await api.request(`/api/v1/tasks/${api.taskId}/outputs`, { body: bigOutput });
    expect(out.status).toBe(201);
    const after = api.counts();
    expect(after.messages).toBe(before.messages + 1);
    expect(after.messages_fts_docsize).toBe(before.messages_fts_docsize + 1);
    expect(after.outputs).toBe(before.outputs + 1);
    expect(after.events).toBe(before.events + 2);
    integrityOk();
  });
});

describe("database not writable", () => {
  it("answers 503 for every kind of write, changes nothing, and recovers when writes are allowed again", async () => {
    const sqlite = api.db.$client;
    const before = api.counts();
    sqlite.pragma("query_only = ON");

    await expectUnavailable(await api.request(`/api/v1/tasks/${api.taskId}/steps/1`, { body: { status: "done", note: "read-only" } }));
    await expectUnavailable(await api.request("/api/v1/messages", { body: { to: "hitl", body: "hello" } }));
    await expectUnavailable(await api.request(`/api/v1/tasks/${api.taskId}/outputs`, { body: { format: "markdown", content: "x" } }));
    // Reads still work.
    expect((await api.request(`/api/v1/tasks/${api.taskId}`)).status).toBe(200);
    expect(sqlite.inTransaction).toBe(false);
    expect(api.counts()).toEqual(before);

    sqlite.pragma("query_only = OFF");
    const step = await api.request(`/api/v1/tasks/${api.taskId}/steps/1`, { body: { status: "done", note: "writable again" } });
    expect(step.status).toBe(200);
    expect(api.counts()).toMatchObject({ stepsDone: before.stepsDone + 1, events: before.events + 1 });
    integrityOk();
  });
});
