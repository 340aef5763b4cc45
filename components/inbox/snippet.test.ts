import { describe, expect, it } from "vitest";
import { HIT_END as SERVER_HIT_END, HIT_START as SERVER_HIT_START } from "@/lib/services";
import { HIT_END, HIT_START, firstLine, splitSnippet } from "./snippet";

describe("splitSnippet", () => {
  it("uses the same marks as the service", () => {
    expect(HIT_START).toBe(SERVER_HIT_START);
    expect(HIT_END).toBe(SERVER_HIT_END);
  });

  it("splits hits from plain text", () => {
    expect(splitSnippet(`net of ${HIT_START}refunds${HIT_END}?`)).toEqual([
      { text: "net of ", hit: false },
      { text: "refunds", hit: true },
      { text: "?", hit: false },
    ]);
  });

  it("keeps HTML as text", () => {
    expect(splitSnippet(`<b>${HIT_START}x${HIT_END}</b>`).map((p) => p.text)).toEqual(["<b>", "x", "</b>"]);
  });

  it("tolerates unbalanced marks", () => {
    expect(splitSnippet(`${HIT_START}a`)).toEqual([{ text: "a", hit: true }]);
    expect(splitSnippet(`a${HIT_END}b`)).toEqual([
      { text: "a", hit: false },
      { text: "b", hit: false },
    ]);
  });
});

describe("firstLine", () => {
  it("skips blank lines and markdown markers", () => {
    expect(firstLine("\n\n## Dual keys\nmore")).toBe("Dual keys");
    expect(firstLine("- `a` item")).toBe("a item");
    expect(firstLine("")).toBe("");
  });
});
