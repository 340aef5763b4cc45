import { z } from "zod";
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

export const priorityRank = { critical: 0, high: 1, normal: 2, low: 3 } as const;

/** The protocol writes `medium` for the middle priority: one canonical form is stored. */
export const prioritySchema = z.preprocess(
  (v) => (v === "medium" ? "normal" : v),
  z.enum(["critical", "high", "normal", "low"]),
);
