import "server-only";
import { codeToHtml, bundledLanguages } from "shiki";

/*
 * Syntax highlighting on the server only (shiki never reaches the browser bundle). Light and dark
 * themes are emitted as CSS variables (`defaultColor: false`); app/globals.css maps
 * `--shiki-light` / `--shiki-dark` to the active theme. The HTML comes from shiki's own tokenizer,
 * which escapes the code: it is safe to inject, unlike agent-written HTML.
 */

const aliases: Record<string, string> = { yml: "yaml", ts: "typescript", js: "javascript", sh: "bash", shell: "bash", md: "markdown", py: "python", text: "text", txt: "text" };

export function normaliseLanguage(lang: string | null | undefined): string {
  const l = (lang ?? "").trim().toLowerCase();
  const name = aliases[l] ?? l;
  return name && (name === "text" || name in bundledLanguages) ? name : "text";
}

const MAX = 400_000;

export async function highlight(code: string, lang?: string | null): Promise<string> {
  const language = normaliseLanguage(lang);
  const source = code.length > MAX ? code.slice(0, MAX) + "\n… (truncated)" : code;
  return codeToHtml(source, {
    lang: language,
    themes: { light: "github-light", dark: "github-dark" },
    defaultColor: false,
  });
}
