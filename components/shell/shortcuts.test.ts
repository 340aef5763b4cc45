import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { GO_TO, HELP_KEY, PAGE_KEYS, SHORTCUT_GROUPS } from "./shortcuts";

// The `?` overlay reads shortcuts.ts; these checks tie it to the real bindings, both ways.

const root = process.cwd();
const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true }).flatMap((d) => {
    const rel = path.join(path.relative(root, d.parentPath), d.name);
    return d.isFile() && /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [rel] : [];
  });
}

/** The keys of every `useShortcuts({...})` call in a file. */
function boundKeys(src: string): string[][] {
  return [...src.matchAll(/useShortcuts\(\s*\{([\s\S]*?)\n\s*\}/g)].map((m) => [...m[1].matchAll(/^\s*(\w+|"[^"]+"):/gm)].map((k) => k[1].replace(/"/g, "")).sort());
}

test("each page's single-key bindings are the registry's, and no page binds keys the registry does not list", () => {
  const files = [...sources("components"), ...sources("app")].filter((f) => !f.endsWith("use-shortcuts.ts") && /useShortcuts\(/.test(read(f)));
  const byFile = Object.fromEntries(files.map((f) => [f, boundKeys(read(f))]));
  expect(byFile).toEqual({
    [path.join("components", "inbox", "thread-view.tsx")]: [Object.keys(PAGE_KEYS.thread).sort()],
    [path.join("components", "review", "output-review.tsx")]: [Object.keys(PAGE_KEYS.review).sort()],
  });
});

test("the global bindings read the registry; lists move with j/k; forms submit with Ctrl+Enter", () => {
  const palette = read("components/shell/command-palette.tsx");
  expect(palette).toMatch(/GO_TO\.find\(\(d\) => d\.key === e\.key\)/);
  expect(palette).toMatch(/e\.key === HELP_KEY/);
  expect(HELP_KEY).toBe("?");
  expect(new Set(GO_TO.map((g) => g.key)).size).toBe(GO_TO.length);
  expect(read("components/ui/use-list-navigation.ts")).toMatch(/ev\.key !== "j" && ev\.key !== "k"/);
  for (const f of ["components/inbox/reply-box.tsx", "components/review/request-changes-dialog.tsx", "components/inbox/compose-dialog.tsx", "components/tasks/assign-work-dialog.tsx"]) {
    expect(read(f), f).toMatch(/e\.key === "Enter" && \(e\.metaKey \|\| e\.ctrlKey\)/);
  }
  const listed = SHORTCUT_GROUPS.flatMap((g) => g.items.flatMap((i) => i.keys));
  for (const k of ["Ctrl K", "?", ...GO_TO.map((g) => `g ${g.key}`), "j", "k", ...Object.keys(PAGE_KEYS.thread), ...Object.keys(PAGE_KEYS.review), "Ctrl Enter"]) expect(listed).toContain(k);
});
