import "server-only";
import { z, type OpenAPIHono } from "@hono/zod-openapi";
import type { ApiEnv } from "../types";
import { allErrorCodes } from "@/lib/domain/vocabulary";
import { Problem } from "./schemas";

export type V1App = OpenAPIHono<ApiEnv>;

/**
 * A request body taken from a service input schema without the fields that come from the path
 * (taskId, messageId...). Always strict: unknown fields are refused. Built from the shape, so it
 * also works for service schemas with refinements (the service checks those itself).
 */
export function bodyFrom<S extends z.ZodRawShape, K extends keyof S & string = never>(shape: S, omit: readonly K[] = []) {
  const out: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(shape)) if (!(omit as readonly string[]).includes(k)) out[k] = v as z.ZodType;
  return z.strictObject(out as unknown as Omit<S, K>);
}

export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  content: { "application/json": { schema } },
  required: true,
  ...(description ? { description } : {}),
});

/** For bodies whose fields are all optional: no body at all is accepted too. */
export const optionalJsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { "application/json": { schema } },
  required: false,
});

export const jsonOk = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const problemResponse = (description: string) => ({ content: { "application/problem+json": { schema: Problem } }, description });

/** The codes answered with this status, as the documentation lists them: `a`, `b`. */
const codes = (status: number) =>
  Object.entries(allErrorCodes)
    .filter(([, v]) => v.status === status)
    .map(([k]) => `\`${k}\``)
    .join(", ");

export const errors = {
  400: problemResponse(`Malformed JSON (${codes(400)})`),
  401: problemResponse(`No or invalid credentials (${codes(401)})`),
  403: problemResponse(`Not allowed for this actor (${codes(403)})`),
  404: problemResponse(`Unknown id, or not visible to this actor (${codes(404)})`),
  409: problemResponse(`The state does not allow this (${codes(409)})`),
  413: problemResponse(`Body over 1 MiB (${codes(413)})`),
  422: problemResponse(`Invalid input, with field errors (${codes(422)})`),
  429: problemResponse(`Too many requests for this token (${codes(429)}); see Retry-After`),
  503: problemResponse(`Shutting down, or the database cannot take writes right now; nothing was changed (${codes(503)})`),
} as const;

/** A body sent as anything but JSON (`validation_failed`): routes that read a body. */
const unsupportedMediaType = problemResponse("The body is not application/json (`validation_failed`)");

export const readErrors = { 401: errors[401], 403: errors[403], 404: errors[404], 422: errors[422], 429: errors[429], 503: errors[503] };
export const writeErrors = { ...errors, 415: unsupportedMediaType };

/**
 * The Idempotency-Key header, documented on every POST of the OpenAPI document
 * (v1OpenApiDocument) rather than declared per route: a declared header makes zod-openapi collect
 * and validate every request header, a tenth of an agent heartbeat's cost (docs/benchmarks.md), for
 * an optional string the idempotency middleware reads itself.
 */
export const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  schema: { type: "string" },
  description: "Retry-safe POST: the first answer for this key is replayed; a different request with the same key is refused (422 idempotency_mismatch).",
} as const;
