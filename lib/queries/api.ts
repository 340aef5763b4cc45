/**
 * The browser's one way to call the HTTP API: JSON in and out, same-origin cookies, and
 * `application/problem+json` errors turned into an `ApiError` carrying code, detail and field errors.
 */

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  fields?: Record<string, string[]>;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly fields?: Record<string, string[]>;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    const detail = problem.detail || problem.title || `Request failed (${status})`;
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? (status === 0 ? "network_error" : `http_${status}`);
    this.title = problem.title ?? "Request failed";
    this.detail = detail;
    this.fields = problem.fields;
    this.problem = problem;
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

/** The sentence to show a person for any error. */
export function errorMessage(err: unknown): string {
  if (isApiError(err)) return err.detail;
  if (err instanceof Error) return err.message;
  return "Something went wrong";
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** `/x/tasks` + `{status: "pending", agent: undefined}` → `/x/tasks?status=pending`. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `${path}${path.includes("?") ? "&" : "?"}${s}` : path;
}

export interface ApiFetchOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function apiFetch<T = unknown>(path: string, opts: ApiFetchOptions = {}): Promise<T> {
  const { method = opts.body === undefined ? "GET" : "POST", body, query, signal, headers } = opts;
  let res: Response;
  try {
    res = await fetch(withQuery(path, query), {
      method,
      credentials: "same-origin",
      signal,
      headers: {
        Accept: "application/json, application/problem+json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    if ((err as { name?: string })?.name === "AbortError") throw err;
    throw new ApiError(0, { title: "Network error", detail: "Could not reach the server. Check your connection and try again." });
  }
  if (res.status === 204 || res.status === 205) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  const isJson = type.includes("json");
  if (!res.ok) {
    let problem: Problem = { status: res.status, title: res.statusText };
    if (isJson) {
      try {
        problem = { status: res.status, ...(await res.json()) };
      } catch {
        // keep the status line
      }
    }
    throw new ApiError(res.status, problem);
  }
  if (!isJson) return (await res.text()) as unknown as T;
  return (await res.json()) as T;
}
