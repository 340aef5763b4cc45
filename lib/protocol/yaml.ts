import "server-only";
import { parseDocument, stringify } from "yaml";

/** A protocol file is a small document; bigger ones are refused before they are read. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Anchors and aliases are rare in hand-written files; a handful more is an alias bomb. */
export const MAX_ALIAS_COUNT = 100;
export const MAX_DEPTH = 64;
export const MAX_NODES = 200_000;

export type ParseResult = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * Parses one YAML document with limits: alias expansion capped (the "billion laughs" attack), nesting
 * depth and node count capped, `__proto__` keys refused. The value comes back as plain JSON (the
 * core schema keeps timestamps as strings), ready for a JSON column.
 */
export function parseYaml(text: string): ParseResult {
  if (text.length > MAX_FILE_BYTES) return { ok: false, reason: `document is larger than ${MAX_FILE_BYTES} bytes` };
  let value: unknown;
  try {
    const doc = parseDocument(text.replace(/^\uFEFF/, ""), { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length) return { ok: false, reason: `invalid YAML: ${firstLines(doc.errors[0].message)}` };
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { ok: false, reason: `invalid YAML: ${firstLines(err instanceof Error ? err.message : String(err))}` };
  }
  const problem = checkShape(value);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, value: JSON.parse(JSON.stringify(value ?? null)) };
}

function firstLines(msg: string): string {
  return msg
    .split("\n")
    .filter((l) => l.trim())
    .slice(0, 3)
    .join(" | ")
    .replace(/\s+/g, " ")
    .trim();
}

function checkShape(root: unknown): string | null {
  let nodes = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (++nodes > MAX_NODES) return `document has more than ${MAX_NODES} values`;
    if (depth > MAX_DEPTH) return `document is nested deeper than ${MAX_DEPTH} levels`;
    if (Array.isArray(v)) for (const x of v) stack.push([x, depth + 1]);
    else if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        if (k === "__proto__") return "document uses the key __proto__";
        stack.push([(v as Record<string, unknown>)[k], depth + 1]);
      }
    }
  }
  return null;
}

/** Writes a document the way agents write them: block style, no line folding, no anchors. */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}
