import { expect, it } from "vitest";
import { normalisePriority, priorities } from "./vocabulary";

it("normalises priorities and their aliases, and nothing else, whatever the name", () => {
  for (const p of priorities) expect(normalisePriority(` ${p.toUpperCase()} `)).toBe(p);
  expect(normalisePriority("medium")).toBe("normal");
  for (const odd of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "", "urgentish", 3, null, undefined, {}]) {
    expect(normalisePriority(odd), String(odd)).toBeNull();
  }
});
