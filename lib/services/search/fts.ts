import "server-only";
import { sql } from "drizzle-orm";
import type { ServiceContext } from "../context";

/** The longest prefix FTS5 has an index for (every search table's `prefix='2 3'`). */
const INDEXED_PREFIX = 3;
/** A longer prefix matching more terms than this keeps FTS5's own (slower, but complete) prefix query. */
const MAX_EXPANSION = 200;

/** Roughly what the unicode61 tokenizer (remove_diacritics 2) does to a word: lower case, no accents. */
const normalise = (w: string) => w.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();

/** The search tables' vocabularies (fts5vocab, migrations 0007 and 0012), the only names interpolated into SQL here. */
export type VocabTable = "messages_fts_vocab" | "tasks_fts_vocab" | "outputs_fts_vocab" | "instructions_fts_vocab";

/**
 * Replaces each prefix longer than the indexed ones (`"idempot"*`) by the terms it stands for
 * (`("idempotency" OR "idempotent")`), read from the table's vocabulary, as searchMessages does for
 * messages. Returns null when a prefix matches no term at all (nothing can match).
 */
export function expandLongPrefixes(ctx: ServiceContext, vocab: VocabTable, fts: string): string | null {
  const parts = fts.match(/"[^"]*"\*?/g) ?? [];
  if (!parts.some((part) => /^"[^"]+"\*$/.test(part) && [...normalise(part.slice(1, -2))].length > INDEXED_PREFIX)) return fts;
  const out: string[] = [];
  for (const part of parts) {
    const m = /^"([^" ]+)"\*$/.exec(part);
    // The tokenizer's words of the part: `rate_lim` is the phrase "rate lim", its prefix on `lim`.
    // A phrase keeps FTS5's own prefix query (an expansion is a group of terms, never part of a phrase).
    const words = m
      ? normalise(m[1])
          .split(/[^\p{L}\p{N}]+/u)
          .filter(Boolean)
      : [];
    const p = words.length === 1 ? words[0] : "";
    if (!m || words.length !== 1 || [...p].length <= INDEXED_PREFIX) {
      out.push(part);
      continue;
    }
    const terms = ctx.db.all<{ term: string }>(sql`SELECT term FROM ${sql.raw(vocab)} WHERE term >= ${p} AND term < ${`${p}\u{10FFFF}`} LIMIT ${MAX_EXPANSION + 1}`).map((r) => r.term);
    if (terms.length === 0) return null;
    out.push(terms.length > MAX_EXPANSION ? part : `(${terms.map((term) => `"${term}"`).join(" OR ")})`);
  }
  // Explicit ANDs: FTS5 takes implicit ones between phrases only, not after a parenthesised group.
  return out.join(" AND ");
}

/** The one-token key the 0012 indexes store for an id or an agent name: 'k' and its UTF-8 bytes in hex. */
export const hexKey = (s: string): string => `k${Buffer.from(s, "utf8").toString("hex")}`;

/** An inbox name as a phrase over its tokens (`backend-developer` → `"backend developer"`), for messages_fts.to_inbox. */
export function inboxPhrase(inbox: string): string | null {
  const words = inbox.match(/[\p{L}\p{N}_]+/gu);
  return words?.length ? `"${words.join(" ")}"` : null;
}
