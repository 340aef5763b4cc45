import { z } from "zod";
import { ServiceError } from "./errors";

/** Parses verb input with its zod schema; a failure is a validation_failed error with field errors. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const flat = z.flattenError(result.error);
  const fields: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    (fields[key] ??= []).push(issue.message);
  }
  const first = result.error.issues[0];
  const where = first?.path.length ? `${first.path.join(".")}: ` : "";
  void flat;
  throw new ServiceError("validation_failed", `Invalid input: ${where}${first?.message ?? "invalid"}`, { fields });
}

export const priorityRank = { critical: 0, high: 1, normal: 2, low: 3 } as const;

/** The protocol writes `medium` for the middle priority: one canonical form is stored. */
export const prioritySchema = z.preprocess(
  (v) => (v === "medium" ? "normal" : v),
  z.enum(["critical", "high", "normal", "low"]),
);
