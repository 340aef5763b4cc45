import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@/lib/log";

/*
 * Page requests whose path Next cannot decode (`/tasks/%`, `/outputs/%ff`) made it answer 500 with
 * no log line: it decodes route parameters with decodeURIComponent and lets the URIError escape.
 * server.ts asks here first and answers such requests itself: 400, one warn line.
 */

/** Why this page URL is malformed (a sentence), or null when Next may have it. Queries are not looked at: Next reads them leniently. */
export function malformedPagePath(url: string | undefined): string | null {
  if (!url || !url.startsWith("/")) return "the request target is not a path";
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return "the path has malformed percent-encoding";
  }
  // No page has a NUL, a newline or another control character in its address.
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return "the path holds a control character";
  return null;
}

/** Answers 400 (plain text) and logs a warn line when the page path is malformed; true when it did. */
export function refuseMalformedPagePath(req: IncomingMessage, res: ServerResponse, log: Pick<Logger, "warn">): boolean {
  const reason = malformedPagePath(req.url);
  if (!reason) return false;
  // At most 300 characters of what was asked for reach the log.
  log.warn({ method: req.method, url: (req.url ?? "").slice(0, 300), status: 400, reason }, "malformed page path refused");
  const body = `400 Bad Request: this is not a valid address (${reason}).\n`;
  res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
