import "server-only";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ServiceError } from "@/lib/services";
import { allErrorCodes, type ErrorCode } from "@/lib/domain/vocabulary";

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  fields?: Record<string, string[]>;
  requestId?: string;
  [key: string]: unknown;
}

/** A problem document; its title is the code's (lib/domain/vocabulary's errorCodes). */
export function problem(status: number, code: ErrorCode, detail: string, extra: Partial<ProblemDocument> = {}): ProblemDocument {
  return { type: `https://agentdesk.dev/problems/${code.replace(/_/g, "-")}`, title: allErrorCodes[code].title, status, code, detail, ...extra };
}

export function problemResponse(c: Context, doc: ProblemDocument, headers: Record<string, string> = {}): Response {
  const requestId = c.get("requestId") as string | undefined;
  const body = JSON.stringify(requestId ? { ...doc, requestId } : doc);
  return new Response(body, { status: doc.status, headers: { "content-type": "application/problem+json", ...headers } });
}

/** The one mapper from thrown errors to problem documents for REST. */
/**
 * PostgreSQL's SQLSTATEs (db/engine/pg-session.ts PgError.code) that mean "the database cannot
 * serve this now", as SQLite's busy, full and read-only do: the connection (08…), resources such as
 * a full disk or too many connections (53…), a shutdown or restart (57P0…), the statement or lock
 * timeout (57014, 55P03), a read-only server (25006), and a serialisation failure or deadlock still
 * there after the engine's retries (40001, 40P01).
 */
export function postgresUnavailable(code: string | undefined): boolean {
  return typeof code === "string" && /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[1-4]|57014|55P03|25006|40001|40P01)$/.test(code);
}

export function toProblem(err: unknown): ProblemDocument {
  if (err instanceof ServiceError) {
    return problem(err.status, err.code, err.message, {
      ...(err.fields ? { fields: err.fields } : {}),
      ...(err.details ? { details: err.details } : {}),
    });
  }
  if (err instanceof HTTPException) {
    if (err.status === 400 && /malformed json/i.test(err.message)) return problem(400, "malformed_json", "The request body is not valid JSON");
    if (err.status === 415) return problem(415, "validation_failed", "Send the body as application/json");
    if (err.status === 413) return problem(413, "payload_too_large", err.message || "The request body is too large");
    return problem(err.status, err.status === 401 ? "unauthenticated" : err.status === 404 ? "not_found" : "validation_failed", err.message || "Bad request");
  }
  if (err instanceof SyntaxError) return problem(400, "malformed_json", "The request body is not valid JSON");
  const e = err as { code?: string; message?: string };
  if (e?.code === "SQLITE_FULL" || e?.code === "SQLITE_IOERR" || e?.code === "SQLITE_READONLY" || e?.code === "SQLITE_CANTOPEN" || e?.code === "SQLITE_BUSY" || postgresUnavailable(e?.code)) {
    return problem(503, "unavailable", "The database cannot take writes right now; nothing was changed. Try again shortly.");
  }
  return problem(500, "internal", "Something went wrong on our side; nothing was changed.");
}
