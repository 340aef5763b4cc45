import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { makeTestDb, people, agent } from "@/test/db";
import { messages } from "@/db/schema";
import * as s from "@/lib/services";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));
const fe = () => t.ctx(agent("frontend-developer"));

describe("messages", () => {
  it("sends, replies in thread to the sender's inbox, and tracks read/answered/archived", () => {
    const q = s.sendMessage(be(), { to: "frontend-developer", type: "consultation", subject: "Order shape", body: "Names inline?" });
    expect(s.listInbox(fe(), { inbox: "frontend-developer" }).unreadCount).toBe(1);
    const a = s.replyToMessage(fe(), { messageId: q.id, body: "Yes please" });
    expect(a).toMatchObject({ to: "backend-developer", type: "consultation_response", threadId: q.threadId, inReplyTo: q.id, subject: "Re: Order shape" });
    expect(s.getMessage(be(), q.id).answeredAt).not.toBeNull();
    expect(s.getThread(be(), q.threadId).messages.map((m) => m.id)).toEqual([q.id, a.id]);
    s.markMessage(fe(), { messageId: q.id, read: true });
    expect(s.listInbox(fe(), { inbox: "frontend-developer" }).unreadCount).toBe(0);
    s.markMessage(fe(), { messageId: q.id, read: false });
    expect(s.listInbox(fe(), { inbox: "frontend-developer", unread: true }).items).toHaveLength(1);
    s.markMessage(fe(), { messageId: q.id, archived: true });
    expect(s.listInbox(fe(), { inbox: "frontend-developer" }).items).toHaveLength(0);
    expect(s.listInbox(fe(), { inbox: "frontend-developer", archived: true }).items).toHaveLength(1);
  });

  it("a message to hitl reaches the people, and a person's reply goes back to the agent", () => {
    const m = s.sendMessage(be(), { to: "human", type: "escalation", body: "Gross or net?" });
    expect(m.to).toBe("hitl");
    expect(s.listInboxes(rex())[0]).toEqual({ inbox: "hitl", unread: 1 });
    const r = s.replyToMessage(rex(), { messageId: m.id, body: "Net of refunds" });
    expect(r).toMatchObject({ to: "backend-developer", from: { kind: "person", name: "rex@example.com" } });
    // The agent following up on its own escalation writes to the people again, in the same thread.
    const follow = s.replyToMessage(be(), { messageId: m.id, body: "Also: which currency?" });
    expect(follow).toMatchObject({ to: "hitl", threadId: m.threadId });
  });

  it("an agent reads only its own inbox and cannot mark others' messages", () => {
    const m = s.sendMessage(be(), { to: "frontend-developer", body: "hello" });
    expect(() => s.listInbox(be(), { inbox: "frontend-developer" })).toThrowError(expect.objectContaining({ code: "forbidden" }));
    expect(() => s.markMessage(be(), { messageId: m.id, read: true })).toThrowError(expect.objectContaining({ code: "forbidden" }));
    expect(() => s.getMessage(t.ctx(agent("security-specialist")), m.id)).toThrowError(expect.objectContaining({ code: "not_found" }));
    expect(() => s.sendMessage(t.ctx(people.viewer), { to: "hitl", body: "x" })).toThrowError(expect.objectContaining({ code: "forbidden" }));
    expect(() => s.sendMessage(be(), { to: "../etc", body: "x" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  });

  it("pages an inbox by cursor, newest first, without repeats", () => {
    let now = 1_700_000_000_000;
    const clock = () => (now += 1000);
    const ids = Array.from({ length: 7 }, (_, i) => s.sendMessage(t.ctx(agent("backend-developer"), clock), { to: "hitl", body: `m${i}` }).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ReturnType<typeof s.listInbox> = s.listInbox(rex(), { inbox: "hitl", limit: 3, cursor });
      seen.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    expect(() => s.listInbox(rex(), { inbox: "hitl", cursor: "garbage" })).toThrowError(expect.objectContaining({ code: "validation_failed" }));
  });
});

describe("full-text search", () => {
  it("finds a message by a word of its body, and stays right after an edit and a delete", () => {
    const m = s.sendMessage(be(), { to: "hitl", subject: "Schema", body: "The idempotency table needs a composite key" });
    s.sendMessage(be(), { to: "hitl", subject: "Other", body: "Nothing to see" });
    expect(s.searchMessages(rex(), { q: "composite" }).items.map((h) => h.id)).toEqual([m.id]);
    expect(s.searchMessages(rex(), { q: "composite" }).items[0].snippet).toContain(`${s.HIT_START}composite${s.HIT_END}`);
    expect(s.searchMessages(rex(), { q: "idempot*" }).items).toHaveLength(1);
    expect(s.searchMessages(rex(), { q: '"composite key"' }).items).toHaveLength(1);
    expect(s.searchMessages(rex(), { q: '"key composite"' }).items).toHaveLength(0);

    // Edits and deletes happen outside the verbs (imports, retention); the triggers keep the index in step.
    t.db.update(messages).set({ body: "The idempotency table needs a surrogate key" }).where(eq(messages.id, m.id)).run();
    expect(s.searchMessages(rex(), { q: "composite" }).items).toHaveLength(0);
    expect(s.searchMessages(rex(), { q: "surrogate" }).items.map((h) => h.id)).toEqual([m.id]);
    t.db.delete(messages).where(eq(messages.id, m.id)).run();
    expect(s.searchMessages(rex(), { q: "surrogate" }).items).toHaveLength(0);
    // FTS5's own check raises SQLITE_CORRUPT_VTAB when the index and the table disagree (PostgreSQL's fts column is part of the row).
    if (t.db.$engine.kind === "sqlite") expect(() => t.db.$client.exec(`INSERT INTO messages_fts(messages_fts) VALUES('integrity-check')`)).not.toThrow();
  });

  it("treats operators and quotes in user text as words, and an agent searches only its own inbox", () => {
    s.sendMessage(be(), { to: "frontend-developer", body: "NEAR the AND gate: col:umn" });
    s.sendMessage(fe(), { to: "backend-developer", body: "gate keeper" });
    expect(s.toFtsQuery('NEAR AND "x y" col:umn pre*')).toBe('"NEAR" "AND" "x y" "col" "umn" "pre"*');
    expect(s.searchMessages(rex(), { q: "AND gate" }).items).toHaveLength(1);
    expect(s.searchMessages(rex(), { q: 'NEAR( "' }).items).toHaveLength(1);
    expect(s.searchMessages(rex(), { q: "gate" }).items).toHaveLength(2);
    expect(s.searchMessages(be(), { q: "gate" }).items.map((h) => h.body)).toEqual(["gate keeper"]);
    expect(s.searchMessages(rex(), { q: "*** ::" }).items).toEqual([]);
  });
});
