import type { Context, MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ZodError } from "zod";
import { getLogger } from "@/lib/log";
import type { ApiEnv } from "../types";
import { problem, problemResponse, toProblem, type ProblemDocument } from "../problem";

/** Zod issues as the problem document's `fields`: one entry per field path; unknown keys by name. */
export function fieldErrors(error: ZodError): { fields: Record<string, string[]>; detail: string } {
  const fields: Record<string, string[]> = {};
  const add = (key: string, msg: string) => (fields[key || "_"] ??= []).push(msg);
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const k of issue.keys) add(base ? `${base}.${k}` : k, "Unknown field");
    } else add(base, issue.message);
  }
  const first = error.issues[0];
  let detail = "Invalid input";
  if (first?.code === "unrecognized_keys") detail = `Unknown field${first.keys.length > 1 ? "s" : ""}: ${first.keys.join(", ")}`;
  else if (first) detail = `Invalid input: ${first.path.length ? `${first.path.join(".")}: ` : ""}${first.message}`;
  return { fields, detail };
}

/** zod-openapi's hook: a failed body, query or path validation is a 422 problem with field errors. */
export function validationHook(result: { success: true } | { success: false; error: ZodError; target?: string }, c: Context): Response | undefined {
  if (result.success) return undefined;
  const { fields, detail } = fieldErrors(result.error);
  return problemResponse(c, problem(422, "validation_failed", detail, { fields }));
}

const hasBody = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const jsonType = /^application\/([\w.-]+\+)?json$/i;

/**
 * Reads a JSON body once, before validation: an empty body counts as `{}` (so `POST .../claim` with
 * a JSON content type and nothing in it works), malformed JSON is a 400 `malformed_json` problem,
 * and the text stays cached for the idempotency hash and the validators.
 */
export const prepareJsonBody: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (!hasBody.has(c.req.method)) return next();
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim();
  const text = await c.req.text();
  if (jsonType.test(type)) {
    // Hono keeps body promises in bodyCache (typed as values); the validators read this one.
    if (text.trim() === "") (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve("{}");
    else {
      try {
        JSON.parse(text);
      } catch {
        return problemResponse(c, problem(400, "malformed_json", "The request body is not valid JSON"));
      }
    }
  }
  await next();
};

/** The v1 error mapper: service errors and HTTP exceptions to problem documents. */
export function v1Problem(err: unknown): ProblemDocument {
  if (err instanceof HTTPException) {
    if (err.status === 400 && /malformed json/i.test(err.message)) return problem(400, "malformed_json", "The request body is not valid JSON");
    if (err.status === 415) return problem(415, "validation_failed", "Send the body as application/json");
  }
  return toProblem(err);
}

export function v1ErrorHandler(err: Error, c: Context<ApiEnv>): Response {
  const doc = v1Problem(err);
  if (doc.status >= 500) getLogger().error({ requestId: c.get("requestId"), err, code: (err as { code?: string })?.code }, "request failed");
  return problemResponse(c, doc);
}
