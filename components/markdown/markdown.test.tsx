import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { Markdown } from "./markdown";

const html = (text: string, compact?: boolean) => renderToStaticMarkup(<Markdown compact={compact}>{text}</Markdown>);

describe("Markdown (server rendering, with the tree cache)", () => {
  it("renders GFM and drops what could run: raw HTML shown as nothing, javascript: links emptied, images as links", () => {
    const out = html(
      "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script><img src=x onerror=alert(1)>\n\n[go](javascript:alert(1)) [ok](https://example.com) ![pic](https://tracker.example/p.png)",
    );
    expect(out).toContain("<h1>Title</h1>");
    expect(out).toContain("<table>");
    expect(out).not.toMatch(/<script|onerror|javascript:/i);
    expect(out).toContain('href="https://example.com" target="_blank" rel="noreferrer noopener"');
    expect(out).toContain("[image: pic]");
  });

  it("gives the same HTML for the same text every time, and a different text its own", () => {
    const a1 = html("**bold** and `code`");
    const a2 = html("**bold** and `code`");
    const b = html("*other*");
    expect(a2).toBe(a1);
    expect(a1).toContain("<strong>bold</strong>");
    expect(b).toContain("<em>other</em>");
    expect(b).not.toContain("<strong>");
    // The compact variant shares the tree and changes only the wrapper.
    expect(html("**bold** and `code`", true)).toContain("<strong>bold</strong>");
    expect(html("**bold** and `code`", true)).not.toBe(a1);
  });

  it("stays correct past the cache's size", () => {
    for (let i = 0; i < 2100; i++) expect(html(`item **${i}**`)).toContain(`<strong>${i}</strong>`);
    expect(html("item **0**")).toContain("<strong>0</strong>");
  });

  it("opens protocol-relative links as external links, however they are written", () => {
    const out = html("[a](//evil.example/a) [b][ref] [c](</\t//evil.example/c>) [in](/tasks/tsk_1)\n\n[ref]: //evil.example/b");
    const anchors = [...out.matchAll(/<a [^>]*>/g)].map((m) => m[0]);
    expect(anchors).toHaveLength(4);
    for (const a of anchors.slice(0, 2)) expect(a).toMatch(/href="\/\/evil\.example\/[ab]" target="_blank" rel="noreferrer noopener"/);
    // A tab inside <...> is percent-encoded by the parser: it stays a path on our origin.
    expect(anchors[2]).toMatch(/^<a href="\/%09\/\/evil\.example\/c">$/);
    expect(new URL("/%09//evil.example/c", "http://localhost:3000").origin).toBe("http://localhost:3000");
    expect(anchors[3]).toBe('<a href="/tasks/tsk_1">');
  });
});
