import { describe, expect, it } from "vitest";
import { MAX_ALIAS_COUNT, MAX_DEPTH, MAX_FILE_BYTES } from "@/lib/protocol/yaml";
import { parseFrontMatter, quoteLooseValues, splitFrontMatter } from "./front-matter";

describe("splitFrontMatter", () => {
  it("splits the block between the fences from the content", () => {
    expect(splitFrontMatter("---\nname: a\n---\n# Body\n")).toEqual({ kind: "found", language: "", matter: "name: a\n", content: "# Body\n" });
  });

  it("says when there is no front matter", () => {
    expect(splitFrontMatter("# Just markdown\n---\n")).toEqual({ kind: "none", content: "# Just markdown\n---\n" });
    expect(splitFrontMatter("")).toEqual({ kind: "none", content: "" });
    expect(splitFrontMatter("----\nname: a\n----\n")).toEqual({ kind: "none", content: "----\nname: a\n----\n" });
  });

  it("reads empty front matter", () => {
    expect(splitFrontMatter("---\n---\nbody")).toEqual({ kind: "found", language: "", matter: "", content: "body" });
    expect(splitFrontMatter("---\n---")).toEqual({ kind: "found", language: "", matter: "", content: "" });
  });

  it("drops a byte order mark and handles CRLF line endings", () => {
    expect(splitFrontMatter("\uFEFF---\r\nname: a\r\n---\r\nbody\r\n")).toEqual({ kind: "found", language: "", matter: "name: a\r\n", content: "body\r\n" });
  });

  it("closes only on a line that is '---' (trailing blanks allowed)", () => {
    expect(splitFrontMatter("---\ntext: |\n  ---x\n--- \nbody")).toEqual({ kind: "found", language: "", matter: "text: |\n  ---x\n", content: "body" });
    expect(splitFrontMatter("---\nname: a\n----\n")).toEqual({ kind: "unclosed", language: "" });
    expect(splitFrontMatter("---\nname: a\n")).toEqual({ kind: "unclosed", language: "" });
  });

  it("returns the language of the opening line without looking at the block", () => {
    expect(splitFrontMatter("---js\n{ a: 1 }\n---\n")).toEqual({ kind: "found", language: "js", matter: "{ a: 1 }\n", content: "" });
  });
});

describe("parseFrontMatter", () => {
  it("parses YAML 1.2 and returns the content", () => {
    expect(parseFrontMatter("---yaml\nname: a\nenabled: no\nat: 1:30\n---\n# Body\n")).toEqual({ ok: true, data: { name: "a", enabled: "no", at: "1:30" }, content: "# Body\n" });
  });

  it("reads empty front matter (or only comments) as an empty mapping", () => {
    expect(parseFrontMatter("---\n---\nbody")).toEqual({ ok: true, data: {}, content: "body" });
    expect(parseFrontMatter("---\n# nothing yet\n\n---\n")).toEqual({ ok: true, data: {}, content: "" });
  });

  it("accepts CRLF and a byte order mark", () => {
    expect(parseFrontMatter("\uFEFF---\r\nname: crlf\r\nlist:\r\n  - x\r\n---\r\nbody\r\n")).toEqual({ ok: true, data: { name: "crlf", list: ["x"] }, content: "body\r\n" });
  });

  it("says when there is no front matter, or it is not closed", () => {
    expect(parseFrontMatter("# Title\n")).toEqual({ ok: false, reason: "missing" });
    expect(parseFrontMatter("---\nname: a\n")).toEqual({ ok: false, reason: "unclosed" });
  });

  it("never evaluates JavaScript front matter", () => {
    const g = globalThis as { __frontMatterPwned?: boolean };
    for (const fence of ["---js", "---javascript", "--- JS", "---coffee"]) {
      const r = parseFrontMatter(`${fence}\n{ name: (globalThis.__frontMatterPwned = true, 'x') }\n---\n`);
      expect(r).toEqual({ ok: false, reason: "language", language: fence.slice(3).trim() });
    }
    // Unclosed JavaScript is refused for its language too, before anything else.
    expect(parseFrontMatter("---js\nglobalThis.__frontMatterPwned = true\n")).toMatchObject({ ok: false, reason: "language" });
    expect(g.__frontMatterPwned).toBeUndefined();
  });

  it("gives the file's line number of a YAML error", () => {
    const r = parseFrontMatter("---\nname: foo\ntier: x\nmodel: a: b\ntools: [Read, Grep\n---\n");
    expect(r).toMatchObject({ ok: false, reason: "yaml", line: 4 });
    expect(r.ok || r.reason !== "yaml" || r.message.includes("\n")).toBe(false);
  });

  it("reads invalid plain values as Claude Code does (quoted), saying which; a broken flow list stays an error", () => {
    const description = 'Use when: the build fails. <example>user: "fix it" #42</example>\\n@here';
    expect(parseFrontMatter(`---\nname: a\ndescription: ${description}\ntools:\n\t- Read\n---\nbody`)).toEqual({
      ok: true,
      data: { name: "a", description, tools: ["Read"] },
      content: "body",
      quoted: ["description"],
    });
    // Valid YAML is read as written, and says nothing.
    expect(parseFrontMatter("---\ndescription: a #comment\n---\n")).toEqual({ ok: true, data: { description: "a" }, content: "" });
    expect(parseFrontMatter("---\nname: a\ntools: [Read, Grep\n---\n")).toMatchObject({ ok: false, reason: "yaml" });
    expect(quoteLooseValues("name: a\ndescription: plain words\n")).toBeNull();
    expect(quoteLooseValues('d: say "hi": \\o/\r\n')).toEqual({ text: 'd: "say \\"hi\\": \\\\o/"\r\n', keys: ["d"] });
  });

  it("refuses duplicate keys", () => {
    expect(parseFrontMatter("---\nname: a\nname: b\n---\n")).toMatchObject({ ok: false, reason: "yaml" });
  });

  it("applies the limits of lib/protocol/yaml.ts", () => {
    const aliases = (n: number) => `---\nbase: &a [1, 2]\nmany:\n${Array.from({ length: n }, () => "  - *a").join("\n")}\n---\n`;
    expect(parseFrontMatter(aliases(10)).ok).toBe(true);
    expect(parseFrontMatter(aliases(MAX_ALIAS_COUNT + 20))).toMatchObject({ ok: false, reason: "yaml", message: expect.stringMatching(/alias/i) });
    const deep = `---\nv: ${"[".repeat(MAX_DEPTH + 2)}${"]".repeat(MAX_DEPTH + 2)}\n---\n`;
    expect(parseFrontMatter(deep)).toMatchObject({ ok: false, reason: "yaml", message: expect.stringMatching(/deeper/) });
    expect(parseFrontMatter(`---\n__proto__: { polluted: true }\n---\n`)).toMatchObject({ ok: false, reason: "yaml", message: expect.stringMatching(/__proto__/) });
    expect(parseFrontMatter(`---\na: 1\n---\n${"x".repeat(MAX_FILE_BYTES)}`)).toEqual({ ok: false, reason: "too_large", limit: MAX_FILE_BYTES });
  });
});
