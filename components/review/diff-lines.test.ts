import { describe, expect, it } from "vitest";
import { computeLineDiff, foldContext, normaliseForDiff } from "./diff-lines";

describe("computeLineDiff", () => {
  it("numbers added, removed and unchanged lines", () => {
    const d = computeLineDiff("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(d.rows).toEqual([
      { kind: "ctx", oldNo: 1, newNo: 1, text: "a" },
      { kind: "del", oldNo: 2, newNo: null, text: "b" },
      { kind: "add", oldNo: null, newNo: 2, text: "B" },
      { kind: "ctx", oldNo: 3, newNo: 3, text: "c" },
      { kind: "add", oldNo: null, newNo: 4, text: "d" },
    ]);
    expect(d.additions).toBe(2);
    expect(d.deletions).toBe(1);
    expect(d.identical).toBe(false);
  });

  it("ignores a missing final newline", () => {
    expect(computeLineDiff("a\nb", "a\nb\n").identical).toBe(true);
  });

  it("keeps empty lines", () => {
    const d = computeLineDiff("a\n\nb\n", "a\n\nc\n");
    expect(d.rows.map((r) => r.text)).toEqual(["a", "", "b", "c"]);
  });
});

describe("foldContext", () => {
  it("folds long unchanged runs but keeps context around changes", () => {
    const before = Array.from({ length: 20 }, (_, i) => `l${i}`).join("\n");
    const after = before.replace("l10", "L10");
    const blocks = foldContext(computeLineDiff(before, after).rows, 3);
    const kinds = blocks.map((b) => b.kind);
    expect(kinds[0]).toBe("fold");
    expect(kinds.filter((k) => k === "fold")).toHaveLength(2);
    expect(blocks.filter((b) => b.kind === "ctx")).toHaveLength(6);
  });

  it("does not fold short runs", () => {
    const blocks = foldContext(computeLineDiff("a\nb\nc\n", "a\nx\nc\n").rows);
    expect(blocks.some((b) => b.kind === "fold")).toBe(false);
  });
});

describe("normaliseForDiff", () => {
  it("pretty-prints valid JSON only", () => {
    expect(normaliseForDiff('{"a":1}', "json")).toBe('{\n  "a": 1\n}\n');
    expect(normaliseForDiff("{nope", "json")).toBe("{nope");
    expect(normaliseForDiff('{"a":1}', "yaml")).toBe('{"a":1}');
  });
});
