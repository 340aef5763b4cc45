import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestDb, people, agent } from "@/test/db";
import { exec, one } from "@/test/sql";
import * as s from "@/lib/services";
import { HIT_END, HIT_START } from "@/lib/services";
import { hasInboxSeqIndex, INBOX_WALK, walkFirst } from "./backend-pg";
import { parseSearch } from "./query";
import { snippetOf } from "./snippet";

// Search on PostgreSQL (backend-pg.ts): what the suites shared with SQLite do not reach. The same
// user syntax mapped to tsquery, accents and case, ranking by column weight, the inbox walk and its
// fallback to the GIN index, snippets. The shared suites (search-all.test.ts, messages/search.test.ts,
// search-http.test.ts) run here too.

let t: ReturnType<typeof makeTestDb>;
beforeEach(() => (t = makeTestDb()));
afterEach(() => t.cleanup());
const rex = () => t.ctx(people.reviewer);
const be = () => t.ctx(agent("backend-developer"));
const found = (q: string, inbox?: string) =>
  s
    .searchMessages(rex(), { q, inbox, limit: 100 })
    .items.map((h) => h.body)
    .sort();

/** `n` messages to `inbox` in one statement, body `body` with the number in place of `#`, oldest first. */
function bulk(inbox: string, n: number, body: string, from = 0) {
  exec(
    t.db,
    `INSERT INTO messages (id, thread_id, from_kind, from_name, to_inbox, type, subject, body, created_at)
     SELECT 'msg_b' || ? || '_' || i, 'msg_b' || ? || '_' || i, 'person', 'rex', ?, 'note', '', replace(?, '#', i::text), i FROM generate_series(?::int, ?::int) AS i`,
    inbox,
    inbox,
    inbox,
    body,
    from + 1,
    from + n,
  );
}

describe("search on PostgreSQL", () => {
  it("runs on the fts columns with the ad_simple configuration", () => {
    expect(one<{ n: number }>(t.db, "SELECT count(*) AS n FROM pg_ts_config WHERE cfgname = 'ad_simple'")!.n).toBe(1);
    expect(t.db.$engine.kind).toBe("postgres");
  });

  it("keeps the user syntax: words AND-ed, phrases in order, prefixes, accents and case folded, operators as words", () => {
    for (const body of ["the composite key of a ledger", "a key, composite", "Élan vital and naïve code", "foo_bar stays together", "foo and bar apart", "AND & OR | NOT ! gate"]) {
      s.sendMessage(rex(), { to: "hitl", body });
    }
    expect(found("composite key")).toEqual(["a key, composite", "the composite key of a ledger"]);
    expect(found('"composite key"')).toEqual(["the composite key of a ledger"]);
    expect(found('"key composite"')).toEqual(["a key, composite"]);
    expect(found('"composite ledger"')).toEqual([]);
    expect(found("compos* ledg*")).toEqual(["the composite key of a ledger"]);
    expect(found("COMPOSITE*")).toHaveLength(2);
    expect(found("elan NAIVE")).toEqual(["Élan vital and naïve code"]);
    expect(found("élan*")).toEqual(["Élan vital and naïve code"]);
    // One word of letters joined by _ is a phrase, as FTS5 reads it.
    expect(found("foo_bar")).toEqual(["foo_bar stays together"]);
    // tsquery's operators in user text are words or nothing, never operators.
    expect(found("! gate &")).toEqual(["AND & OR | NOT ! gate"]);
    expect(found("gate | ledger")).toEqual([]);
    expect(found("composite <-> key")).toEqual(["a key, composite", "the composite key of a ledger"]);
    expect(found("key:*")).toHaveLength(2);
    for (const q of ["'", "\\", "'; DROP TABLE messages; --", "a:*:*", "(((", "!!!", "é́́́́", "\u0000x"]) {
      expect(Array.isArray(s.searchMessages(rex(), { q }).items), q).toBe(true);
    }
    expect(s.searchMessages(rex(), { q: "compos* ledger" }).query).toBe('"compos"* "ledger"');
  });

  it("ranks by relevance: a denser match first, a task's title above its description", () => {
    s.sendMessage(rex(), { to: "hitl", body: "okapi among many other words that dilute the one match in this message body" });
    const dense = s.sendMessage(rex(), { to: "hitl", body: "okapi okapi okapi" });
    s.sendMessage(rex(), { to: "hitl", body: "one okapi in a long list of words about nothing else at all really" });
    const r = s.searchMessages(rex(), { q: "okapi" });
    expect(r.order).toBe("relevance");
    expect(r.items[0].id).toBe(dense.id);

    const inst = s.createInstruction(rex(), { title: "Zoo", body: "animals" });
    const inDescription = s.createTask(rex(), { instructionId: inst.id, title: "Feeding", description: "the gazelle gets hay", assignedAgent: "backend-developer" });
    const inTitle = s.createTask(rex(), { instructionId: inst.id, title: "Gazelle pen", description: "build a fence", assignedAgent: "backend-developer" });
    const all = s.searchAll(rex(), { q: "gazelle", kinds: ["task"] });
    expect(all.items.map((h) => h.id)).toEqual([inTitle.id, inDescription.id]);
    expect(all.items[0].score!).toBeLessThan(all.items[1].score!);
    expect(all.order.task).toBe("relevance");
  });

  it("walks newest first for frequent matches, asks the GIN index for rare ones, leaves it to the planner without statistics", () => {
    bulk("hitl", 3000, "plain message #");
    bulk("hitl", 20, "rare okapi #", 3000);
    const walk = (q: string) => walkFirst(rex(), "messages", parseSearch(q), 1001);
    expect(walk("plain")).toBeNull();
    exec(t.db, "ANALYZE messages");
    expect(walk("plain")).toBe(true);
    expect(walk("okapi")).toBe(false);
    expect(walk('"plain message"')).toBe(true);
    // Either way the same matches, newest first.
    expect(s.searchMessages(rex(), { q: "plain", limit: 3 }).items.map((h) => h.body)).toEqual(["plain message 3000", "plain message 2999", "plain message 2998"]);
    expect(s.searchMessages(rex(), { q: "okapi", limit: 100 }).items).toHaveLength(20);
  });

  it("an inbox search walks the inbox's newest messages, then asks the GIN index for older ones, and finds only that inbox's", () => {
    // Three okapis at the start of a long inbox, more than INBOX_WALK messages ago; okapi is frequent
    // elsewhere, so the search walks the inbox first.
    bulk("backend-developer", 3, "okapi elsewhere number #");
    bulk("backend-developer", INBOX_WALK + 100, "plain message #", 3);
    bulk("frontend-developer", 8000, "okapi elsewhere #");
    // The walk reads an inbox on (to_inbox, seq); without that index the planner chooses (the last check).
    exec(t.db, "CREATE INDEX IF NOT EXISTS messages_inbox_seq_idx ON messages (to_inbox, seq)");
    exec(t.db, "ANALYZE messages");
    expect(hasInboxSeqIndex(be())).toBe(true);
    expect(walkFirst(rex(), "messages", parseSearch("okapi"), 1001)).toBe(true);
    expect(
      s
        .searchMessages(be(), { q: "okapi" })
        .items.map((h) => h.body)
        .sort(),
    ).toEqual(["okapi elsewhere number 1", "okapi elsewhere number 2", "okapi elsewhere number 3"]);
    // A phrase of frequent words walks on through the older messages instead.
    expect(s.searchMessages(be(), { q: '"okapi elsewhere"' }).items).toHaveLength(3);
    expect(s.searchMessages(rex(), { q: "okapi", inbox: "frontend-developer" }).order).toBe("newest");
    const everywhere = s.searchAll(be(), { q: "okapi" });
    expect(everywhere.counts.message).toBe(3);
    expect(everywhere.items.every((h) => h.agent === "backend-developer")).toBe(true);
    // A frequent word: the newest first, from the walk.
    const r = s.searchMessages(be(), { q: "plain", limit: 5 });
    expect(r.order).toBe("newest");
    expect(r.items.map((h) => h.body)).toEqual([0, 1, 2, 3, 4].map((i) => `plain message ${INBOX_WALK + 103 - i}`));
    const all = s.searchAll(be(), { q: "plain" });
    expect(all.counts.message).toBe(1000);
    expect(all.more).toEqual(["message"]);
    // The same answers through the planner's plan, on a database without the index.
    const other = t.reopen();
    try {
      exec(other, "DROP INDEX IF EXISTS messages_inbox_seq_idx");
      const ctx = { db: other, actor: agent("backend-developer") };
      expect(hasInboxSeqIndex(ctx)).toBe(false);
      expect(s.searchMessages(ctx, { q: "okapi" }).items).toHaveLength(3);
      expect(s.searchMessages(ctx, { q: "plain", limit: 5 }).items.map((h) => h.body)).toEqual(r.items.map((h) => h.body));
    } finally {
      other.$engine.close();
    }
  });

  it("an inbox walk a few matches short reads on as far as the matches found say, then counts and pages as one", () => {
    // The inbox's 20,000 newest messages hold 990 okapis; the 200 messages before them are okapis.
    bulk("backend-developer", 200, "okapi older #");
    bulk("backend-developer", INBOX_WALK - 990, "plain message #", 200);
    bulk("backend-developer", 990, "okapi newer #", 200 + INBOX_WALK - 990);
    bulk("frontend-developer", 8000, "okapi elsewhere #");
    exec(t.db, "ANALYZE messages");
    expect(walkFirst(rex(), "messages", parseSearch("okapi"), 1001)).toBe(true);
    const r = s.searchMessages(be(), { q: "okapi", limit: 3 });
    expect(r.order).toBe("newest");
    expect(r.items.map((h) => h.body)).toEqual([0, 1, 2].map((i) => `okapi newer ${200 + INBOX_WALK - i}`));
    // 1,001 found: the 990 newer ones and the 11 newest older ones; 1,000 counted, more to come.
    const all = s.searchAll(be(), { q: "okapi", kinds: ["message"], limit: 1 });
    expect(all.counts.message).toBe(1000);
    expect(all.more).toEqual(["message"]);
    // Fewer than 1,001 in the inbox: every one of them, ranked.
    exec(t.db, "DELETE FROM messages WHERE body LIKE 'okapi older %' AND created_at > 5");
    const few = s.searchAll(be(), { q: "okapi", kinds: ["message"], limit: 1 });
    expect(few.counts.message).toBe(995);
    expect(few.order.message).toBe("relevance");
  });

  it("snippets mark the matches with HIT_START/HIT_END and show … where the text is cut", () => {
    const long = `${"filler ".repeat(40)}the narwhal surfaces ${"filler ".repeat(40)}`;
    s.sendMessage(rex(), { to: "hitl", subject: "Sightings", body: long });
    s.sendMessage(rex(), { to: "hitl", subject: "Narwhal", body: "short body" });
    const hits = s.searchMessages(rex(), { q: "narwhal" }).items;
    const cut = hits.find((h) => h.subject === "Sightings")!.snippet;
    expect(cut).toContain(`${HIT_START}narwhal${HIT_END}`);
    expect(cut.startsWith("…")).toBe(true);
    expect(cut.endsWith("…")).toBe(true);
    // The subject matched, not the body: the subject is the snippet, whole.
    expect(hits.find((h) => h.subject === "Narwhal")!.snippet).toBe(`${HIT_START}Narwhal${HIT_END}`);
  });
});

describe("snippetOf", () => {
  const m = (w: string) => `${HIT_START}${w}${HIT_END}`;
  const col = (text: string | null) => ({ text, folded: [] });
  const part = (...words: string[]) => ({ words, prefix: false });

  it("takes the column whose best window holds the most parts, the first on a tie, and adds … only where it cuts", () => {
    expect(snippetOf([col("Okapi"), col("one okapi")], [part("okapi")])).toBe(m("Okapi"));
    expect(snippetOf([col("Okapi"), col("an okapi and an okapi")], [part("okapi")])).toBe(`an ${m("okapi")} and an ${m("okapi")}`);
    expect(snippetOf([col("Zebra"), col("an okapi and a zebra")], [part("okapi"), part("zebra")])).toBe(`an ${m("okapi")} and a ${m("zebra")}`);
    const long = `${"filler ".repeat(30)}the okapi runs ${"filler ".repeat(30)}`.trim();
    const cut = snippetOf([col(long)], [part("okapi")]);
    expect(cut.startsWith("…")).toBe(true);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.split(" ")).toHaveLength(16);
    expect(cut).toContain(`the ${m("okapi")} runs`);
    expect(snippetOf([col("a b c d")], [part("zzz")])).toBe("a b c d");
    expect(snippetOf([col(null)], [part("a")])).toBe("");
  });

  it("marks a phrase once, a prefix by its word's start, punctuation kept as written", () => {
    expect(snippetOf([col("See docs/api.md, then rate-limit it.")], [part("api", "md"), part("rate", "limit")])).toBe(`See docs/${m("api.md")}, then ${m("rate-limit")} it.`);
    expect(snippetOf([col("Idempotency keys")], [{ words: ["idempot"], prefix: true }])).toBe(`${m("Idempotency")} keys`);
    // The words as the database folds them (folded) decide what matches; the text is shown as written.
    expect(snippetOf([{ text: "Søren's Straße", folded: ["soren", "s", "strasse"] }], [part("strasse")])).toBe(`Søren's ${m("Straße")}`);
  });
});
