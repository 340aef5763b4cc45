import { describe, expect, it } from "vitest";
import { isExternalHref, safeNext } from "./same-origin";

const ORIGIN = "http://localhost:3000";
/** Where a browser on our origin lands when it follows `target` (Location header or router.replace). */
const landsOn = (target: string) => new URL(target, ORIGIN);

describe("safeNext: the redirect target after sign-in", () => {
  it("keeps same-origin paths, with their query and fragment", () => {
    expect(safeNext("/tasks?status=pending#top")).toBe("/tasks?status=pending#top");
    expect(safeNext("/tasks/tsk_01")).toBe("/tasks/tsk_01");
    expect(safeNext("/")).toBe("/");
    expect(safeNext("/inbox/hitl?thread=thr_1")).toBe("/inbox/hitl?thread=thr_1");
  });

  // Browsers drop tab, CR and LF anywhere in a URL and read `\` as `/`: each of these leaves the origin.
  const offsite = [
    "//evil.example/d",
    "/\\evil.example/d",
    "\\\\evil.example/d",
    "/\t/evil.example/d",
    "/\n/evil.example/d",
    "/\r/evil.example/d",
    "/\r\n/evil.example/d",
    "\t//evil.example/d",
    "/\\\t/evil.example",
    "/\t\\evil.example",
    "/.//evil.example/d",
    "/./\\evil.example",
    "https://evil.example/d",
    "HTTP://evil.example",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
  ];
  it.each(offsite)("sends %j to / instead of another origin", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("turns what is not a string path into /", () => {
    for (const v of [undefined, null, "", ["/a", "/b"]]) expect(safeNext(v)).toBe("/");
  });

  // Whatever comes in, what goes out stays on the origin and is a valid Location header value
  // (printable ASCII only: a NUL, a newline or a raw non-ASCII character made Next answer 500).
  const odd = ["/\u0000/x", "/\u3002/x", "/caf\u00e9?q=\u00e9", "/a b", "/%0a/x", "/%E3%80%82/x", "/tasks/%", "/x\u0007y", ...offsite];
  it.each(odd)("gives a same-origin, header-safe target for %j", (next) => {
    const out = safeNext(next);
    expect(out).toMatch(/^\/(?![/\\])/);
    expect(out).toMatch(/^[\x21-\x7e]*$/);
    expect(landsOn(out).origin).toBe(ORIGIN);
  });

  it("percent-encodes what a header cannot carry instead of passing it through", () => {
    expect(safeNext("/\u0000/x")).toBe("/%00/x");
    expect(safeNext("/\u3002/x")).toBe("/%E3%80%82/x");
  });
});

describe("isExternalHref: which markdown links leave the app", () => {
  const external = [
    "https://example.com/x",
    "http://example.com",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "\\/evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "\t//evil.example/x",
    "/\r\n/evil.example",
    " //evil.example",
    "HTTPS://example.com",
    "mailto:someone@example.com",
  ];
  it.each(external)("treats %j as external", (href) => {
    expect(isExternalHref(href)).toBe(true);
  });

  const internal = ["/tasks/tsk_1", "/outputs/out_1?v=2", "#section", "?tab=steps", "tasks/tsk_1", "../x", "/"];
  it.each(internal)("treats %j as an in-app link", (href) => {
    expect(isExternalHref(href)).toBe(false);
  });
});
