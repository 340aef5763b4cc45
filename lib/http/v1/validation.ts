import "server-only";
import type { Context, MiddlewareHandler } from "hono";
import type { ZodError } from "zod";
import type { ApiEnv } from "../types";
import { problem, problemResponse } from "../problem";
import { fieldsFromIssues } from "@/lib/services/validate";

/** Zod issues as the problem document's `fields`: one entry per field path; unknown keys by name. */
export function fieldErrors(error: ZodError): { fields: Record<string, string[]>; detail: string } {
  const fields = fieldsFromIssues(error.issues);
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
    // Hono keeps body promises in bodyCache (typed as values): the validators read the parsed
    // body from here instead of parsing the text again (through a new Response per request).
    const cache = c.req.bodyCache as Record<string, unknown>;
    if (text.trim() === "") {
      cache.text = Promise.resolve("{}");
      cache.json = Promise.resolve({});
    } else {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return problemResponse(c, problem(400, "malformed_json", "The request body is not valid JSON"));
      }
      cache.json = Promise.resolve(parsed);
    }
  }
  await next();
};
