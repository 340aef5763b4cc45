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
  /** Where the JSON lines go; default stdout, batched, written asynchronously and flushed when the process exits. */
  destination?: DestinationStream;
}

const levels = new Set(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

export function levelFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const v = (env.LOG_LEVEL ?? "").trim().toLowerCase();
  return levels.has(v) ? v : "info";
}

/** One JSON object per line: time (ISO), level (a word), msg, and the fields given. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? bufferedStdout();
  const base = {
    level: options.level ?? levelFromEnv(),
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // Batched, asynchronous writes (bufferedStdout): a synchronous write per request line was a
  // fifth of an agent heartbeat's cost, and a slow reader of stdout blocked every request.
  const logger = pino({ ...base, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
  // The request line's fields are fixed, known and never secret (requestLogging): it is written
  // straight to the same destination in the same format, without pino's redaction and serialisers
  // (about 30 µs a line, a sixth of an agent heartbeat; docs/benchmarks.md).
  requestLines.set(logger, destination);
  return logger;
}

const requestLines = new WeakMap<Logger, DestinationStream>();

/**
 * Log lines gathered in memory and handed to the writer as one chunk per batch: when 64 Ki
 * characters are waiting, after `intervalMs` (the first line of a batch starts the clock) and when
 * the process exits or runs out of work. A write per line (even an asynchronous one: a thread-pool job each) was
 * a third of an agent heartbeat's CPU, and sonic-boom's own `minLength` buffering measures the whole
 * buffer again on every line (docs/benchmarks.md). At most `maxPendingBytes` wait: beyond that,
 * lines are dropped and counted, so a stalled reader of stdout cannot grow the heap without bound.
 */
export class BatchedLines implements DestinationStream {
  #lines: string[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Lines dropped because the writer fell too far behind. */
  dropped = 0;

  constructor(
    private readonly sink: { write(chunk: string): unknown; flushSync?(): void },
    private readonly opts: { intervalMs?: number; batchBytes?: number; maxPendingBytes?: number } = {},
  ) {}

  write(line: string): void {
    if (this.#bytes + line.length > (this.opts.maxPendingBytes ?? 16 * 1024 * 1024)) {
      this.dropped++;
      return;
    }
    this.#lines.push(line);
    this.#bytes += line.length;
    if (this.#bytes >= (this.opts.batchBytes ?? 64 * 1024)) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.opts.intervalMs ?? 100).unref();
  }

  /** Hands what is waiting to the writer now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (!this.#lines.length) return;
    const chunk = this.#lines.join("");
    this.#lines = [];
    this.#bytes = 0;
    this.sink.write(chunk);
  }

  /** Hands everything over and has the writer finish synchronously (process exit). */
  flushSync(): void {
    this.flush();
    this.sink.flushSync?.();
  }
}

/**
 * stdout through sonic-boom (asynchronous writes, EAGAIN retried, broken pipes ignored), fed in
 * batches. Lines reach stdout within 100 ms; nothing waiting is lost on a normal exit, on
 * process.exit() or when the event loop runs dry (only SIGKILL loses the last 100 ms).
 */
function bufferedStdout(): DestinationStream {
  const sonic = pino.destination({ dest: 1, sync: false, maxLength: 16 * 1024 * 1024 });
  const batched = new BatchedLines(sonic);
  // Before pino's own handlers (which flush or end the sonic-boom stream): ours run first.
  process.prependListener("beforeExit", () => batched.flush());
  process.prependListener("exit", () => {
    try {
      batched.flushSync();
    } catch {
      // stdout not open yet, or gone: nothing more can be done at exit.
    }
  });
  return batched;
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

/**
 * Who called, as the log names them: a person by their account id (a display name is free text the
 * person chose, often empty, and may read like someone else), an agent or the system by its name.
 */
export function actorLabel(actor: unknown): string | undefined {
  const a = actor as { kind?: string; name?: string; id?: string } | undefined;
  if (!a?.kind) return undefined;
  if (a.kind === "person") return `person:${a.id ?? "?"}`;
  return `${a.kind}:${a.name || "?"}`;
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
    const logger = getLogger();
    if (!logger.isLevelEnabled(status >= 500 ? "error" : "info")) return;
    // Only these fields, none of them a secret: the line is written without the redaction pass.
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
    const dest = requestLines.get(logger);
    if (dest) {
      // pino's layout as createLogger configures it (level word, ISO time, pid, the fields, msg);
      // lib/ops/log.test.ts compares the two.
      const head = `{"level":"${status >= 500 ? "error" : "info"}","time":"${new Date().toISOString()}","pid":${process.pid},`;
      dest.write(`${head}${JSON.stringify(line).slice(1, -1)},"msg":"request"}\n`);
    } else if (status >= 500) logger.error(line, "request");
    else logger.info(line, "request");
  };
}
