/*
 * Search snippets mark hits with two control characters (lib/services/messages/queries.ts), so
 * the server never builds HTML. They are repeated here because client code may not import values
 * from lib/services (it would pull the database layer into the browser bundle).
 */
export const HIT_START = "\u0002";
export const HIT_END = "\u0003";

export interface SnippetPart {
  text: string;
  hit: boolean;
}

/** "a \u0002b\u0003 c" → [{a }, {b, hit}, { c}]. Unbalanced marks are tolerated; stray ones dropped. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let hit = false;
  let buf = "";
  const flush = () => {
    if (buf) parts.push({ text: buf, hit });
    buf = "";
  };
  for (const ch of snippet) {
    if (ch === HIT_START) {
      flush();
      hit = true;
    } else if (ch === HIT_END) {
      flush();
      hit = false;
    } else {
      buf += ch;
    }
  }
  flush();
  return parts;
}

/** The first non-empty line of a message body, without markdown heading or list markers. */
export function firstLine(body: string): string {
  for (const raw of body.split("\n")) {
    const line = raw
      .replace(/^\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?|\d+\.\s+)/, "")
      .replace(/[*_`]/g, "")
      .trim();
    if (line) return line.length > 200 ? `${line.slice(0, 200)}…` : line;
  }
  return "";
}
