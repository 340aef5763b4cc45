import { HIT_END, HIT_START } from "./query";

// Snippets on PostgreSQL, built here rather than by ts_headline: ts_headline splits the text with
// PostgreSQL's own parser (a path or a host is one token there) and folds case with the database's
// C locale, so it would not mark words the search found. Here the text is split into the same words
// the search indexes (agentdesk_fts_words, db/migrations-pg/0004: runs of letters, decimal digits
// and combining accents), each folded by the database as the index folds it, and the fragment is
// chosen as FTS5's snippet() chooses it (backend-sqlite.ts): the window of `size` words holding the
// most distinct parts, a part's instance marked once, `…` where the text is cut.

/** A run of letters, decimal digits and combining accents: what agentdesk_fts_words keeps. */
const WORD = /[\p{L}\p{Nd}\u0300-\u036f]+/gu;

/** The word runs of `text` with their offsets. */
export function wordsOf(text: string): { start: number; end: number }[] {
  return [...text.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/** A folded part of the search: its words in order; `prefix` on the last word. */
export interface FoldedPart {
  words: string[];
  prefix: boolean;
}

interface Instance {
  part: number;
  first: number;
  last: number;
}

/** Where the parts occur in a column's folded words (a phrase: its words in a row; a prefix: the last word's start). */
function instances(folded: string[], parts: FoldedPart[]): Instance[] {
  const out: Instance[] = [];
  parts.forEach((p, part) => {
    const n = p.words.length;
    if (n === 0) return;
    for (let i = 0; i + n <= folded.length; i++) {
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        const w = folded[i + j];
        ok = p.prefix && j === n - 1 ? w.startsWith(p.words[j]) : w === p.words[j];
      }
      if (ok) out.push({ part, first: i, last: i + n - 1 });
    }
  });
  return out.sort((a, b) => a.first - b.first || a.last - b.last);
}

/** FTS5's window score: 1,000 for each part's first instance in the window, 1 for each further one; the window centred on its hits. */
function score(all: Instance[], from: number, size: number, count: number): { score: number; start: number } {
  const seen = new Set<number>();
  let s = 0;
  let lo = -1;
  let hi = -1;
  for (const x of all) {
    if (x.first < from || x.last >= from + size) continue;
    s += seen.has(x.part) ? 1 : 1000;
    seen.add(x.part);
    if (lo < 0) lo = x.first;
    hi = Math.max(hi, x.last);
  }
  if (lo < 0) return { score: s, start: from };
  const start = Math.max(0, Math.min(lo - Math.floor((size - (hi - lo + 1)) / 2), count - size));
  return { score: s, start };
}

export interface SnippetColumn {
  text: string | null;
  /** The column's words as the database folds them (agentdesk_fts_words + unaccent, split on spaces). */
  folded: string[];
}

/**
 * The snippet of a row: of its columns, the one whose best window of `size` words scores highest
 * (the first on a tie); its text from that window's first word to its last, each instance of a part
 * between HIT_START and HIT_END, `…` where the column's text goes on.
 */
export function snippetOf(columns: SnippetColumn[], parts: FoldedPart[], size = 16): string {
  let best: { col: number; score: number; start: number; hits: Instance[]; words: { start: number; end: number }[] } | null = null;
  for (const [col, c] of columns.entries()) {
    const text = c.text ?? "";
    const words = wordsOf(text);
    // The offsets come from this file's split; the folded forms from the database's. They agree
    // unless the two splits differ (a character class the two Unicode tables disagree on): then
    // the plain lower case stands in.
    const folded = c.folded.length === words.length ? c.folded : words.map((w) => text.slice(w.start, w.end).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase());
    const hits = instances(folded, parts);
    let top = { score: 0, start: 0 };
    for (const h of hits) {
      const s = score(hits, h.first, size, words.length);
      if (s.score > top.score) top = s;
    }
    if (words.length > 0 && (!best || top.score > best.score)) best = { col, ...top, hits, words };
  }
  if (!best) return "";
  const { col, start, hits, words } = best;
  const text = columns[col].text ?? "";
  const end = Math.min(start + size, words.length) - 1;
  let out = start > 0 ? "…" : "";
  let at = start > 0 ? words[start].start : 0;
  let open = -1;
  for (const h of hits) {
    if (h.first < start || h.last > end || h.first <= open) continue;
    out += text.slice(at, words[h.first].start) + HIT_START + text.slice(words[h.first].start, words[h.last].end) + HIT_END;
    at = words[h.last].end;
    open = h.last;
  }
  out += end < words.length - 1 ? `${text.slice(at, words[end].end)}…` : text.slice(at);
  return out;
}
