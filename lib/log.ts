import pino, { type DestinationStream, type Logger } from "pino";
import type { MiddlewareHandler } from "hono";

export type { Logger } from "pino";

/**
 * Fields that never reach a log line, wherever they sit (top level, one level down, or in a headers
 * object). Request and response bodies are never logged at all; this list is the second fence.
 */
export const REDACT_PATHS = [
  "authorization",
  "cookie",
  "token",
  "password",
  "passwordHash",
  "secret",
  "*.authorization",
  "*.cookie",
  "*.token",
  "*.password",
  "*.passwordHash",
  "*.secret",
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
];

export interface LoggerOptions {
  /** trace, debug, info, warn, error, fatal or silent; default LOG_LEVEL, else info. */
  level?: string;
  /** Where the JSON lines go; default stdout, written asynchronously and flushed when the process exits. */
  destination?: DestinationStream;
}

const levels = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

export function levelFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const v = (env.LOG_LEVEL ?? "").trim().toLowerCase();
  return levels.has(v) ? v : "info";
}

/** One JSON object per line: time (ISO), level (a word), msg, and the fields given. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? levelFromEnv(),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    },
    // Asynchronous writes, flushed synchronously when the process exits (pino registers that for
    // a non-sync destination): a synchronous write per request line was a fifth of an agent
    // heartbeat's cost (docs/benchmarks.md), and a slow reader of stdout blocked every request.
    // Lines are only lost if the process is killed outright (SIGKILL) with some still buffered;
    // a reader that falls more than 16 MiB behind loses lines rather than stalling the server.
    options.destination ?? pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 }),
  );
}

// One logger per process (Next evaluates modules once per bundle), replaceable by tests.
const key = Symbol.for("agentdesk.logger");
type G = typeof globalThis & { [key]?: Logger };

export function getLogger(): Logger {
  const g = globalThis as G;
  return (g[key] ??= createLogger());
}

export function setLogger(logger: Logger): void {
  (globalThis as G)[key] = logger;
}

type RequestIdEnv = { Variables: { requestId: string } };

/** The logger for one request: every line it writes carries the request id. */
export function requestLog(c: { get: (k: "requestId") => string | undefined }): Logger {
  return getLogger().child({ requestId: c.get("requestId") });
}

function actorLabel(actor: unknown): string | undefined {
  const a = actor as { kind?: string; name?: string; id?: string } | undefined;
  if (!a?.kind) return undefined;
  return `${a.kind}:${a.name ?? a.id ?? "?"}`;
}

/**
 * One line per request once it is answered: request id, method, path (never the query string,
 * which may carry a secret), status, duration, and who called when known. Headers and bodies are
 * not logged. Mount it after the middleware that sets the request id.
 */
export function requestLogging(): MiddlewareHandler<RequestIdEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    if (!getLogger().isLevelEnabled(status >= 500 ? "error" : "info")) return;
    // The request id goes in the line itself: a child logger per request cost more than the line.
    const line: Record<string, unknown> = {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
    };
    const actor = actorLabel((c.var as Record<string, unknown>).actor);
    if (actor) line.actor = actor;
    if (status >= 500) getLogger().error(line, "request");
    else getLogger().info(line, "request");
  };
}
