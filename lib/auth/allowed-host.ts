/*
 * Which Host names AgentDesk answers browsers at. DNS rebinding: a page on evil.example whose name
 * is made to resolve to 127.0.0.1 talks to AgentDesk from this machine's browser, over a loopback
 * socket, with `Host: evil.example` and a matching Origin, so neither the socket nor the Origin check
 * tells it apart. The name in Host does: a browser only sends a name it was told to open.
 *
 * Allowed: loopback names and addresses (localhost, *.localhost, 127.0.0.0/8, [::1]) and the host
 * names of AGENTDESK_PUBLIC_URL (the dashboard's address, several separated by commas) and
 * AGENTDESK_URL (the address agents are given). Pure: pages, the proxy and the API share it.
 */

type Env = Readonly<Record<string, string | undefined>>;

// host or host:port, IPv6 in brackets; nothing that could make the URL parser read another host.
const PLAIN_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The host name (lowercase, no port, no trailing dot) of a Host header, or null when it is not a plain host[:port]. */
export function hostName(host: string | undefined | null): string | null {
  if (!host || !PLAIN_HOST.test(host)) return null;
  try {
    return new URL(`http://${host}`).hostname.replace(/\.$/, "");
  } catch {
    return null;
  }
}

/**
 * A loopback name or address: localhost, *.localhost, 127.0.0.0/8, ::1 (bracketed or not) and the
 * IPv4-mapped form of 127.x. One rule for Host names, socket addresses and the server's own HOST.
 */
export function isLoopback(name: string): boolean {
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (name === "[::1]" || name === "::1") return true;
  return /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

let cachedFor: string | null = null;
let cached: Set<string> = new Set();

/** The host names configured in AGENTDESK_PUBLIC_URL and AGENTDESK_URL (a malformed entry is ignored). */
export function configuredHostNames(env: Env = process.env): Set<string> {
  const key = `${env.AGENTDESK_PUBLIC_URL ?? ""}\n${env.AGENTDESK_URL ?? ""}`;
  if (key === cachedFor) return cached;
  const names = new Set<string>();
  for (const entry of key.split(/[\n,]/)) {
    const s = entry.trim();
    if (!s) continue;
    try {
      const name = new URL(s).hostname.replace(/\.$/, "");
      if (name) names.add(name);
    } catch {
      // not a URL: adds nothing
    }
  }
  cachedFor = key;
  cached = names;
  return names;
}

/** Whether a browser request that carried this Host header may be served (first run, cookies). */
export function hostAllowed(host: string | undefined | null, env: Env = process.env): boolean {
  const name = hostName(host);
  if (!name) return false;
  return isLoopback(name) || configuredHostNames(env).has(name);
}

/**
 * Whether to serve a request that may come from a browser. Browsers always send Host; a request
 * without one (HTTP/1.0, an in-process call) is no browser's, so DNS rebinding cannot be behind it.
 */
export function browserHostAllowed(host: string | undefined | null, env: Env = process.env): boolean {
  return host === undefined || host === null || hostAllowed(host, env);
}

/**
 * AGENTDESK_TRUST_PROXY=1: AgentDesk runs behind a reverse proxy that sets X-Forwarded-Host,
 * X-Forwarded-Proto and X-Forwarded-For (docs/operations.md). Only then are those headers read:
 * without a proxy anyone can send them.
 */
export const trustProxy = (env: Env = process.env): boolean => env.AGENTDESK_TRUST_PROXY === "1";

type Headers = { get(name: string): string | null | undefined };

/** The host the browser asked for: the proxy's X-Forwarded-Host when trusted and present, else Host. */
export function requestHost(headers: Headers, env: Env = process.env): string | undefined {
  const host = headers.get("host") ?? undefined;
  if (!trustProxy(env)) return host;
  return lastForwarded(headers.get("x-forwarded-host")) ?? host;
}

/** "https" when the connection, or a trusted proxy's X-Forwarded-Proto, says so. */
export function requestProtocol(headers: Headers, connection: "http" | "https", env: Env = process.env): "http" | "https" {
  if (connection === "https" || !trustProxy(env)) return connection;
  return lastForwarded(headers.get("x-forwarded-proto"))?.toLowerCase() === "https" ? "https" : "http";
}

/**
 * The last entry of a forwarded header: the one our proxy wrote. A proxy that appends to what the
 * client sent (nginx's $proxy_add_x_forwarded_for) leaves the client's own, forgeable values first.
 */
export function lastForwarded(value: string | null | undefined): string | undefined {
  const last = value?.split(",").at(-1)?.trim();
  return last || undefined;
}

/** The sentence a refusal carries: what was asked for, and how to allow it. */
export function hostRefusal(host: string | undefined | null): string {
  const shown = host ? JSON.stringify(host.slice(0, 100)) : "(none)";
  return `AgentDesk does not answer browsers at the host name ${shown} (protection against DNS rebinding). Open it at localhost, or set AGENTDESK_PUBLIC_URL to the address people use.`;
}
