import "server-only";
import { errorCodes, type ServiceErrorCode } from "@/lib/domain/vocabulary";

export type { ServiceErrorCode };

export type FieldErrors = Record<string, string[]>;

/**
 * The one error type service verbs throw. Each transport maps it once: REST to a problem document,
 * MCP to a tool error, the CLI to `code: message`.
 */
export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  readonly status: number;
  readonly fields?: FieldErrors;
  readonly details?: Record<string, unknown>;

  constructor(code: ServiceErrorCode, message: string, extra: { fields?: FieldErrors; details?: Record<string, unknown> } = {}) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.status = errorCodes[code].status;
    this.fields = extra.fields;
    this.details = extra.details;
  }
}

export const notFound = (what: string, id: string | number) => new ServiceError("not_found", `${what} ${id} not found`);

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}
