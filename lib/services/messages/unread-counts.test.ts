import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Handle } from "@/db/client";
import { makeTestDb, people, agent } from "@/test/db";
import { exec, rows } from "@/test/sql";
import * as s from "@/lib/services";

// The unread count per inbox is kept by triggers (migration 0008) instead of counted on each read:
// these check it against a count of the messages themselves after every kind of write.
let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const be = () => t.ctx(agent("backend-developer"));
const fe = () => t.ctx(agent("frontend-developer"));

/** Every inbox's count from the table, and counted from the messages, side by side. */
function both(db: Handle) {
  const kept = Object.fromEntries(rows<{ inbox: string; unread: number }>(db, "SELECT inbox, unread FROM inbox_unread WHERE unread <> 0").map((r) => [r.inbox, r.unread]));
  const counted = Object.fromEntries(
    rows<{ inbox: string; n: number }>(db, "SELECT to_inbox AS inbox, count(*) AS n FROM messages WHERE read_at IS NULL AND archived_at IS NULL GROUP BY to_inbox").map((r) => [r.inbox, r.n]),
  );
  return { kept, counted };
}

describe("unread counts kept per inbox", () => {
  it("follow sends, replies, read / unread, archive / unarchive through the verbs", () => {
    const c = t.db;
    const a = s.sendMessage(be(), { to: "frontend-developer", type: "consultation", subject: "Shape", body: "Inline?" });
    s.sendMessage(be(), { to: "frontend-developer", type: "status_update", body: "Half done" });
    s.sendMessage(fe(), { to: "human", type: "escalation", body: "Gross or net?" });
    expect(s.unreadCount(fe(), "frontend-developer")).toBe(2);
    expect(s.unreadCount(t.ctx(people.reviewer), "hitl")).toBe(1);

    s.markMessage(fe(), { messageId: a.id, read: true });
    expect(s.listInbox(fe(), { inbox: "frontend-developer" }).unreadCount).toBe(1);
    s.markMessage(fe(), { messageId: a.id, read: true }); // again: no change
    expect(s.unreadCount(fe(), "frontend-developer")).toBe(1);
    s.markMessage(fe(), { messageId: a.id, read: false });
    expect(s.unreadCount(fe(), "frontend-developer")).toBe(2);
    s.markMessage(fe(), { messageId: a.id, archived: true }); // archived unread: not counted
    expect(s.unreadCount(fe(), "frontend-developer")).toBe(1);
    s.markMessage(fe(), { messageId: a.id, archived: false });
    expect(s.unreadCount(fe(), "frontend-developer")).toBe(2);
    s.replyToMessage(fe(), { messageId: a.id, body: "Yes" });
    expect(s.unreadCount(be(), "backend-developer")).toBe(1);

    const { kept, counted } = both(c);
    expect(kept).toEqual(counted);
    expect(s.listInboxes(t.ctx(people.reviewer)).filter((i) => i.unread > 0)).toEqual(
      expect.arrayContaining([
        { inbox: "hitl", unread: 1 },
        { inbox: "frontend-developer", unread: 2 },
        { inbox: "backend-developer", unread: 1 },
      ]),
    );
    expect(s.listAgents(t.ctx(people.reviewer)).find((x) => x.name === "frontend-developer")?.unread).toBe(2);
  });

  it("follow raw SQL too (another process, a fix by hand): insert, read, archive, move, delete", () => {
    const c = t.db;
    for (let i = 0; i < 6; i++) s.sendMessage(be(), { to: i % 2 ? "frontend-developer" : "human", type: "status_update", body: `note ${i}` });
    const other = t.reopen();
    try {
      const ids = rows<{ id: string }>(other, "SELECT id FROM messages ORDER BY seq").map((r) => r.id);
      exec(other, "UPDATE messages SET read_at = ? WHERE id = ?", Date.now(), ids[0]);
      exec(other, "UPDATE messages SET archived_at = ? WHERE id = ?", Date.now(), ids[1]);
      exec(other, "UPDATE messages SET read_at = ?, archived_at = ? WHERE id = ?", Date.now(), Date.now(), ids[2]);
      // An unread message moved to another inbox, and a read one moved (changes nothing).
      exec(other, "UPDATE messages SET to_inbox = 'backend-developer' WHERE id = ?", ids[3]);
      exec(other, "UPDATE messages SET to_inbox = 'backend-developer' WHERE id = ?", ids[0]);
      exec(other, "DELETE FROM messages WHERE id IN (?, ?)", ids[4], ids[0]);
      // Several rows in one statement, and a row inserted already read.
      exec(other, "UPDATE messages SET read_at = NULL, archived_at = NULL");
      exec(
        other,
        "INSERT INTO messages (id, thread_id, from_kind, from_name, to_inbox, type, priority, subject, body, created_at, read_at) VALUES ('msg_raw_read', 'msg_raw_read', 'agent', 'x', 'hitl', 'status_update', 'normal', '', 'b', 1, 2)",
      );
    } finally {
      other.$engine.close();
    }
    const { kept, counted } = both(c);
    expect(Object.keys(counted).length).toBeGreaterThan(1);
    expect(kept).toEqual(counted);
    expect(s.unreadCount(t.ctx(people.reviewer), "backend-developer")).toBe(counted["backend-developer"]);
  });
});
