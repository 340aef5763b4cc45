import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { badgedIconUrl, ICON_MARKUP, titleWithCount } from "./favicon";

test("the badged favicon draws app/icon.svg underneath", () => {
  const icon = fs.readFileSync(path.join(process.cwd(), "app/icon.svg"), "utf8").trim();
  expect(icon).toBe(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${ICON_MARKUP}</svg>`);
  const plain = decodeURIComponent(badgedIconUrl(0).replace(/^data:image\/svg\+xml,/, ""));
  expect(plain).toBe(icon);
  const three = decodeURIComponent(badgedIconUrl(3).replace(/^data:image\/svg\+xml,/, ""));
  expect(three).toContain(ICON_MARKUP);
  expect(three).toMatch(/<circle [^>]*fill="#dc2626"[^>]*\/><text [^>]*>3<\/text><\/svg>$/);
  expect(decodeURIComponent(badgedIconUrl(12))).toContain(">9+</text>");
});

test("the tab title carries the count once, and loses it at zero", () => {
  expect(titleWithCount("Inbox · AgentDesk", 3)).toBe("(3) Inbox · AgentDesk");
  expect(titleWithCount("(3) Inbox · AgentDesk", 4)).toBe("(4) Inbox · AgentDesk");
  expect(titleWithCount("(4) Inbox · AgentDesk", 0)).toBe("Inbox · AgentDesk");
  expect(titleWithCount("AgentDesk", 120)).toBe("(99+) AgentDesk");
});
