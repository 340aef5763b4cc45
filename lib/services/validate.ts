import "server-only";
import { z } from "zod";
import { priorities, priorityAliases, priorityRank } from "@/lib/domain/vocabulary";
import { ServiceError, type FieldErrors } from "./errors";

type Issue = z.core.$ZodIssue;

/**
 * Zod issues as field errors: one entry per field path, an unknown key under its own name ("Unknown
 * field"), issues without a path under "_". Gathered in a Map: the keys are chosen by the caller
 * (`constructor`, `__proto__`...), so a plain object would hand back its built-ins. The result is
 * built with Object.fromEntries, which defines own properties (no setter, no prototype change).
 */
export function fieldsFromIssues(issues: readonly Issue[]): FieldErrors {
  const fields = new Map<string, string[]>();
  const add = (key: string, msg: string) => {
    const k = key || "_";
    const list = fields.get(k);
    if (list) list.push(msg);
    else fields.set(k, [msg]);
  };
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) add(base ? `${base}.${k}` : k, "Unknown field");
    } else add(base, issue.message);
  }
  return Object.fromEntries(fields);
}

/** Parses verb input with its zod schema; a failure is a validation_failed error with field errors. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  throw new ServiceError("validation_failed", `Invalid input: ${where}${first?.message ?? "invalid"}`, { fields: fieldsFromIssues(result.error.issues) });
}

export { priorityRank };

/** The protocol writes `medium` for the middle priority (priorityAliases): one canonical form is stored. */
export const prioritySchema = z.preprocess((v) => (typeof v === "string" && Object.hasOwn(priorityAliases, v) ? priorityAliases[v] : v), z.enum(priorities));

// Text that people read in lists and headings: one line, shown as written.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional embeddings, overrides and isolates: they make text read in another order than it is stored. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/;
/** Whitespace and the zero-width characters that render as nothing. */
const INVISIBLE = /[\s\u200b-\u200d\u2060\ufeff]/gu;

export const hasVisibleText = (s: string): boolean => s.replace(INVISIBLE, "") !== "";

/**
 * A single-line text field (a title, a subject, a name, a label): trimmed, at most `max` characters,
 * no control characters (tab and newline included), no bidirectional controls, and never made only
 * of blanks and zero-width characters. `required` is the message when it is empty; without it the
 * field may be empty, but not invisible-only.
 */
export function singleLineText(max: number, required?: string) {
  const base = z.string().trim();
  return (required ? base.min(1, required) : base)
    .max(max, `${max} characters at most`)
    .refine((s) => !CONTROL.test(s), "Control characters (tab, newline, NUL...) are not allowed here")
    .refine((s) => !BIDI.test(s), "Bidirectional control characters (U+202A-U+202E, U+2066-U+2069) are not allowed")
    .refine((s) => s === "" || hasVisibleText(s), required ?? "Only blanks and zero-width characters: write something visible or leave it empty");
}

/** A multi-line text (a body, a note, a reason): anything printable and newlines, but never NUL. */
export function multiLineText(max: number, required?: string) {
  const base = z.string();
  return (required ? base.min(1, required) : base).max(max, `${max} characters at most`).refine((s) => !s.includes("\u0000"), "NUL characters are not allowed");
}
