import { diffLines } from "diff";

/** One row of a line diff, as rendered: a gutter sign, the old and new line numbers, the text. */
export type DiffRow =
  { kind: "add"; oldNo: null; newNo: number; text: string } | { kind: "del"; oldNo: number; newNo: null; text: string } | { kind: "ctx"; oldNo: number; newNo: number; text: string };

/** A run of unchanged lines folded away, with what it hides (so it can be unfolded). */
export type DiffBlock = DiffRow | { kind: "fold"; id: number; rows: DiffRow[] };

export interface LineDiff {
  rows: DiffRow[];
  additions: number;
  deletions: number;
  identical: boolean;
}

/** JSON is compared pretty-printed, so a re-indented or minified version only shows real changes. */
export function normaliseForDiff(content: string, format: string): string {
  if (format !== "json") return content;
  try {
    return JSON.stringify(JSON.parse(content), null, 2) + "\n";
  } catch {
    return content;
  }
}

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  // A chunk ending with a newline would otherwise yield a phantom empty last line.
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Line diff of two texts (jsdiff's diffLines), flattened into numbered rows. */
export function computeLineDiff(before: string, after: string): LineDiff {
  const rows: DiffRow[] = [];
  let oldNo = 1;
  let newNo = 1;
  let additions = 0;
  let deletions = 0;
  // Compare with a trailing newline on both sides so "no newline at end of file" is not a change.
  const a = before.endsWith("\n") ? before : before + "\n";
  const b = after.endsWith("\n") ? after : after + "\n";
  for (const change of diffLines(a, b)) {
    const lines = splitLines(change.value);
    for (const text of lines) {
      if (change.added) {
        rows.push({ kind: "add", oldNo: null, newNo: newNo++, text });
        additions++;
      } else if (change.removed) {
        rows.push({ kind: "del", oldNo: oldNo++, newNo: null, text });
        deletions++;
      } else {
        rows.push({ kind: "ctx", oldNo: oldNo++, newNo: newNo++, text });
      }
    }
  }
  return { rows, additions, deletions, identical: additions === 0 && deletions === 0 };
}

/**
 * Folds long runs of unchanged lines, keeping `context` lines next to each change (like a unified
 * diff). A fold is only made when it hides more than a couple of lines.
 */
export function foldContext(rows: DiffRow[], context = 3): DiffBlock[] {
  const out: DiffBlock[] = [];
  let foldId = 0;
  let i = 0;
  while (i < rows.length) {
    if (rows[i].kind !== "ctx") {
      out.push(rows[i++]);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].kind === "ctx") j++;
    const run = rows.slice(i, j);
    const keepBefore = i === 0 ? 0 : context;
    const keepAfter = j === rows.length ? 0 : context;
    if (run.length - keepBefore - keepAfter > 2) {
      out.push(...run.slice(0, keepBefore));
      out.push({ kind: "fold", id: foldId++, rows: run.slice(keepBefore, run.length - keepAfter) });
      out.push(...run.slice(run.length - keepAfter));
    } else {
      out.push(...run);
    }
    i = j;
  }
  return out;
}
