export type ServiceErrorCode =
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "illegal_transition"
  | "version_conflict"
  | "dependencies_not_done"
  | "lease_lost"
  | "output_required"
  | "conflict"
  | "rate_limited"
  | "payload_too_large"
  | "unavailable";

const statusByCode: Record<ServiceErrorCode, number> = {
  validation_failed: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  illegal_transition: 409,
  version_conflict: 409,
  dependencies_not_done: 409,
  lease_lost: 409,
  output_required: 409,
  conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  unavailable: 503,
};

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
    this.status = statusByCode[code];
    this.fields = extra.fields;
    this.details = extra.details;
  }
}

export const notFound = (what: string, id: string | number) => new ServiceError("not_found", `${what} ${id} not found`);

export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof ServiceError;
}
