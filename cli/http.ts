import { randomUUID } from "node:crypto";
import { CliError, usageError } from "./errors";

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

export interface ApiClient {
  baseUrl: string;
  get<T = unknown>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  /** POST with an Idempotency-Key, so a retry after a dropped connection does nothing twice. Null on 204. */
  post<T = unknown>(path: string, body?: unknown): Promise<T | null>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The agent commands talk to a running AgentDesk over HTTP only (AGENTDESK_URL, AGENTDESK_TOKEN,
 * or --url / --token). Problems come back as CliError(code, detail): the same codes as the API.
 */
export function apiClient(opts: ConnectionOptions): ApiClient {
  const baseUrl = (opts.url ?? process.env.AGENTDESK_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  const token = opts.token ?? process.env.AGENTDESK_TOKEN;
  if (!token) throw usageError("No token: set AGENTDESK_TOKEN or pass --token (an admin mints one with: agentdesk token create --agent NAME)");
  try {
    new URL(baseUrl);
  } catch {
    throw usageError(`Not a URL: ${baseUrl}`);
  }

  async function send<T>(method: string, path: string, body?: unknown): Promise<T | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (method === "POST") headers["idempotency-key"] = randomUUID();
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = `${baseUrl}/api/v1${path}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        // A refused connection means nothing ran; a dropped one may have: retry with the same key.
        if (cause?.code !== "ECONNREFUSED" && attempt < 2) {
          await sleep(300 * (attempt + 1));
          continue;
        }
        throw new CliError("unavailable", `Cannot reach AgentDesk at ${baseUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      if (res.status === 429 && attempt < 2) {
        const wait = Number(res.headers.get("retry-after") ?? 1);
        if (wait <= 10) {
          await sleep(wait * 1000);
          continue;
        }
      }
      const text = await res.text();
      if (res.ok) return res.status === 204 || text === "" ? null : (JSON.parse(text) as T);
      let problem: { code?: string; detail?: string; fields?: Record<string, string[]> } = {};
      try {
        problem = JSON.parse(text);
      } catch {
        // not a problem document (a proxy's error page): fall back to the status below
      }
      const fields = problem.fields
        ? ` (${Object.entries(problem.fields)
            .map(([k, v]) => `${k}: ${v.join(", ")}`)
            .join("; ")})`
        : "";
      throw new CliError(problem.code ?? `http_${res.status}`, `${problem.detail ?? `${res.status} ${res.statusText}`}${fields}`);
    }
  }

  return {
    baseUrl,
    get: async <T>(path: string, query: Record<string, string | number | boolean | undefined> = {}) => {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const q = qs.toString();
      return (await send<T>("GET", q ? `${path}?${q}` : path)) as T;
    },
    post: <T>(path: string, body?: unknown) => send<T>("POST", path, body ?? {}),
  };
}
