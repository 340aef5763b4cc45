import type { z } from "zod";
import { v1Operations, type V1Operation } from "@/lib/http/v1";

/**
 * Checks every answer of the test server against the schema its route declares for the OpenAPI
 * document (the same zod schemas the document is generated from), so that the document cannot
 * drift from what the API really sends: an undeclared status, a media type other than the declared
 * one, a body the schema refuses, or a body on a response declared without one.
 */

interface Matcher {
  op: V1Operation;
  re: RegExp;
  /** Fewer path parameters first: /tasks/board before /tasks/{taskId}. */
  params: number;
}

let matchers: Matcher[] | null = null;

function operations(): Matcher[] {
  if (!matchers) {
    matchers = v1Operations()
      .map((op) => {
        const pattern = op.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, "[^/]+");
        return { op, re: new RegExp(`^/api/v1${pattern}$`), params: (op.path.match(/\{/g) ?? []).length };
      })
      .sort((a, b) => a.params - b.params);
  }
  return matchers;
}

export function findOperation(method: string, pathname: string): V1Operation | null {
  const m = method.toLowerCase();
  return operations().find((o) => o.op.method === m && o.re.test(pathname))?.op ?? null;
}

export class ContractViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContractViolation";
  }
}

/**
 * Throws a ContractViolation when the response does not match its operation's declared response.
 * Requests outside the declared operations (unknown routes, /openapi.json, /docs) are not checked.
 */
export async function checkResponse(method: string, url: string, res: Response): Promise<void> {
  const { pathname } = new URL(url);
  if (!pathname.startsWith("/api/v1/")) return;
  const op = findOperation(method, pathname);
  if (!op) return;
  const where = `${method.toUpperCase()} ${pathname} (${op.operationId ?? op.path}) answered ${res.status}`;
  const declared = op.responses[String(res.status)];
  const text = await res.clone().text();
  if (!declared) throw new ContractViolation(`${where}, a status its OpenAPI operation does not declare (declared: ${Object.keys(op.responses).join(", ")}). Body: ${text.slice(0, 300)}`);
  const content = declared.content ?? {};
  const types = Object.keys(content);
  if (types.length === 0) {
    if (text !== "") throw new ContractViolation(`${where} with a body, where the document declares none: ${text.slice(0, 300)}`);
    return;
  }
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const media = content[type];
  if (!media) throw new ContractViolation(`${where} as ${type || "no content type"}, where the document declares ${types.join(", ")}`);
  const schema = media.schema as z.ZodType | undefined;
  if (!schema || typeof (schema as { safeParse?: unknown }).safeParse !== "function") return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ContractViolation(`${where} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new ContractViolation(`${where} with a body its OpenAPI schema refuses: ${issues}. Body: ${text.slice(0, 500)}`);
  }
}
