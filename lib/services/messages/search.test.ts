import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import * as s from "@/lib/services";
import { RANK_WINDOW } from "./queries";
import { exec } from "@/test/sql";

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));

describe("search: bounded ranking, inbox scope, long prefixes", () => {
  it("ranks by relevance up to RANK_WINDOW matches, and shows the newest first beyond", () => {
    const insert = (db: Parameters<typeof exec>[0], ...values: unknown[]) =>
      exec(
        db,
        `INSERT INTO messages (id, thread_id, from_kind, from_name, to_inbox, type, subject, body, created_at) VALUES (?, ?, 'agent', 'frontend-developer', 'hitl', 'status_update', ?, ?, ?)`,
        ...values,
      );
    t.db.$engine.transaction((tx) => {
      for (let i = 0; i < RANK_WINDOW; i++) insert(tx, `msg_w${i}`, `msg_w${i}`, "weekly", i === 7 ? "zebra zebra zebra zebra" : "zebra and a long body of other words to dilute it", i);
    });
    const ranked = s.searchMessages(rex(), { q: "zebra" });
    expect(ranked.order).toBe("relevance");
    expect(ranked.items[0].id).toBe("msg_w7");
    insert(t.db, "msg_w_last", "msg_w_last", "weekly", "zebra at last", RANK_WINDOW + 1);
    const newest = s.searchMessages(rex(), { q: "zebra" });
    expect(newest.order).toBe("newest");
    expect(newest.items[0].id).toBe("msg_w_last");
    expect(newest.items).toHaveLength(20);
  });

  it("an agent finds only its own inbox; the inbox name is never a search word", () => {
    const a = s.sendMessage(rex(), { to: "backend-developer", subject: "Partition plan", body: "the partition key" });
    s.sendMessage(rex(), { to: "frontend-developer", subject: "Partition plan", body: "the partition key" });
    expect(s.searchMessages(be(), { q: "partition" }).items.map((h) => h.id)).toEqual([a.id]);
    expect(s.searchMessages(rex(), { q: "partition", inbox: "backend-developer" }).items.map((h) => h.id)).toEqual([a.id]);
    expect(s.searchMessages(rex(), { q: "partition" }).items).toHaveLength(2);
    // "backend" and "developer" are in the inbox column only.
    expect(s.searchMessages(rex(), { q: "backend" }).items).toHaveLength(0);
    expect(s.searchMessages(be(), { q: "developer" }).items).toHaveLength(0);
    expect(s.searchMessages(rex(), { q: "partition", inbox: "nobody-here" }).items).toHaveLength(0);
  });

  it("a long prefix finds what FTS5's own prefix query finds, snippets included", () => {
    const m1 = s.sendMessage(rex(), { to: "hitl", subject: "Retries", body: "make the handler idempotent" });
    const m2 = s.sendMessage(rex(), { to: "hitl", subject: "Keys", body: "an Idempotency-Key header" });
    s.sendMessage(rex(), { to: "hitl", subject: "Other", body: "identity provider" });
    const hits = s.searchMessages(rex(), { q: "idempot*" });
    expect(hits.items.map((h) => h.id).sort()).toEqual([m1.id, m2.id].sort());
    expect(hits.items.find((h) => h.id === m2.id)!.snippet).toContain(`${s.HIT_START}Idempotency${s.HIT_END}`);
    expect(s.searchMessages(rex(), { q: "IDEMPOT*" }).items).toHaveLength(2);
    expect(s.searchMessages(rex(), { q: "idempox*" }).items).toHaveLength(0);
    expect(s.searchMessages(rex(), { q: "idempot* header" }).items.map((h) => h.id)).toEqual([m2.id]);
  });

  it("a prefix after an underscore is a prefix on the phrase's last word, as docs/api.md says, on both engines", () => {
    const spaced = s.sendMessage(rex(), { to: "hitl", subject: "Quota", body: "the rate limit was hit" });
    const joined = s.sendMessage(rex(), { to: "hitl", subject: "Error", body: "a rate_limit error" });
    const glued = s.sendMessage(rex(), { to: "hitl", subject: "Other", body: "ratelimited again, limit the rate" });
    const snake = s.sendMessage(rex(), { to: "hitl", subject: "Names", body: "foo_bar baz" });
    const apart = s.sendMessage(rex(), { to: "hitl", subject: "Names", body: "foo bar" });
    s.sendMessage(rex(), { to: "hitl", subject: "Names", body: "bar foo" });
    const found = (q: string) =>
      s
        .searchMessages(rex(), { q, limit: 100 })
        .items.map((h) => h.id)
        .sort();
    // `rate_lim*` is the phrase "rate lim*": a prefix of 3 letters, then a longer one (expanded on SQLite when alone).
    for (const q of ["rate_lim*", "rate_limi*", "RATE_LIMIT*", "rate_limit", '"rate limit"']) expect(found(q), q).toEqual([spaced.id, joined.id].sort());
    expect(found("rate_limx*")).toEqual([]);
    expect(found("limi*")).toEqual([spaced.id, joined.id, glued.id].sort());
    // `foo_bar` is the phrase "foo bar" (words in that order), as `foo-bar` is two words.
    expect(found("foo_bar")).toEqual([snake.id, apart.id].sort());
    expect(s.searchAll(rex(), { q: "rate_limi*" }).counts.message).toBe(2);
  });

  it("splits words at every character that is not a letter or a digit and folds case in every script, on both engines", () => {
    const path = s.sendMessage(rex(), { to: "hitl", subject: "Docs", body: "See docs/api.md and user@example.com, version v1.2.3 or foo-bar." });
    const cyrillic = s.sendMessage(rex(), { to: "hitl", subject: "ПРИВЕТ", body: "Мир, Élan и ΑΘΗΝΑ" });
    const found = (q: string) => s.searchMessages(rex(), { q, limit: 100 }).items.map((h) => h.id);
    // A path, an e-mail address, a version or a hyphenated word are words apart.
    for (const q of ["api", "md", "docs api", '"docs api md"', "example", "com", "v1", "3", "bar", '"foo bar"', "ap*"]) expect(found(q), q).toEqual([path.id]);
    expect(found("docs")).toEqual([path.id]);
    // Upper and lower case of any script, accents removed.
    for (const q of ["привет", "ПРИВЕТ", "мир", "МИР", "мир*", "αθηνα", "Αθηνα", "elan", "ÉLAN"]) expect(found(q), q).toEqual([cyrillic.id]);
    // The snippet marks the word found inside the path.
    expect(s.searchMessages(rex(), { q: "api" }).items[0].snippet).toContain(`${s.HIT_START}api${s.HIT_END}`);
    expect(s.searchMessages(rex(), { q: "мир" }).items[0].snippet).toContain(`${s.HIT_START}Мир${s.HIT_END}`);
  });

  it("a phrase is its words in a row within one column, never across the subject and the body", () => {
    const a = s.sendMessage(rex(), { to: "hitl", subject: "Rate", body: "limit the rate limit windows" });
    const b = s.sendMessage(rex(), { to: "hitl", subject: "Quota", body: "rate limit, then limit windows" });
    const found = (q: string) =>
      s
        .searchMessages(rex(), { q, limit: 100 })
        .items.map((h) => h.id)
        .sort();
    expect(found('"rate limit"')).toEqual([a.id, b.id].sort());
    // b holds both pairs of "rate limit windows" ("rate limit", "limit windows"), not the phrase.
    expect(found('"rate limit windows"')).toEqual([a.id]);
    expect(found('"windows limit"')).toEqual([]);
    // "Rate" ends a's subject and "limit" starts its body: no phrase across them.
    expect(found('"rate limit" quota')).toEqual([b.id]);
    const c = s.sendMessage(rex(), { to: "hitl", subject: "Lower the rate", body: "limit nothing" });
    expect(found('"rate limit"')).toEqual([a.id, b.id].sort());
    expect(found('"lower the rate"')).toEqual([c.id]);
    expect(found('"the rate limit"')).toEqual([a.id]);
  });
});
