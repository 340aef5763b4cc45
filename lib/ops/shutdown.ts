import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Logger } from "pino";

const stateKey = Symbol.for("agentdesk.shutting-down");
type G = typeof globalThis & { [stateKey]?: boolean };

/** True once a graceful shutdown began: /api/ready answers 503 and new event streams are refused. */
export function isShuttingDown(): boolean {
  return (globalThis as G)[stateKey] === true;
}

export function markShuttingDown(value = true): void {
  (globalThis as G)[stateKey] = value;
}

export interface GracefulShutdownOptions {
  server: Server;
  log: Logger;
  /** Long-lived responses (server-sent events) that are ended rather than waited for. */
  isStream?: (req: IncomingMessage) => boolean;
  /**
   * Runs first, synchronously: stop timers, close the live hub, stop background workers. A promise
   * it returns (workers finishing) is waited for, within the drain time, before the database closes.
   */
  stopWork?: () => void | Promise<unknown>;
  /** Runs last, once no request is in flight: checkpoint and close the database, drop the pid file. */
  close: () => void;
  /** How long in-flight requests may take before their connections are cut (default 8 s). */
  drainMs?: number;
  /** After this the process exits 1 whatever is still running (default 10 s). */
  hardLimitMs?: number;
  exit?: (code: number) => void;
}

export const isEventStream = (req: IncomingMessage): boolean => {
  const url = req.url ?? "";
  return url === "/api/events" || url.startsWith("/api/events?") || url.startsWith("/api/events/") || (req.headers.accept ?? "").includes("text/event-stream");
};

/**
 * SIGTERM/SIGINT handling for the one HTTP server: stop accepting, end event streams, let
 * requests in flight finish (their connections are closed after the answer), then close the
 * database (closeDb checkpoints the WAL) and exit 0. Install it right after creating the server,
 * before it listens, so it sees every request.
 */
export function installGracefulShutdown(opts: GracefulShutdownOptions) {
  const { server, log } = opts;
  const isStream = opts.isStream ?? isEventStream;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const active = new Map<ServerResponse, IncomingMessage>();
  let stopping: Promise<void> | null = null;

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    active.set(res, req);
    res.once("close", () => active.delete(res));
    // A request that arrives on a kept-alive connection during the drain: answer it, then hang up.
    if (stopping && !res.headersSent) res.setHeader("connection", "close");
  });

  const endStreams = () => {
    for (const [res, req] of active) {
      if (isStream(req)) {
        active.delete(res);
        req.socket.destroy();
      }
    }
  };

  function shutdown(signal: string): Promise<void> {
    if (stopping) return stopping;
    markShuttingDown();
    const started = Date.now();
    log.info({ signal, inFlight: active.size }, "shutting down");
    const hard = setTimeout(() => {
      log.error({ afterMs: Date.now() - started }, "shutdown did not finish in time; exiting");
      exit(1);
    }, opts.hardLimitMs ?? 10_000);
    hard.unref();

    stopping = new Promise<void>((resolve) => {
      let closed = false;
      server.close(() => {
        closed = true;
      });
      let workDone = false;
      const workFailed = (err: unknown) => {
        workDone = true;
        log.error({ err }, "stopping background work failed");
      };
      try {
        Promise.resolve(opts.stopWork?.()).then(() => (workDone = true), workFailed);
      } catch (err) {
        workFailed(err);
      }
      for (const res of active.keys()) if (!res.headersSent) res.setHeader("connection", "close");
      endStreams();
      server.closeIdleConnections();

      const drainUntil = Date.now() + (opts.drainMs ?? 8_000);
      const tick = setInterval(() => {
        endStreams();
        server.closeIdleConnections();
        const connectionsDone = closed || active.size === 0;
        if ((!connectionsDone || !workDone) && Date.now() < drainUntil) return;
        if (!workDone) log.warn("background work still running at the drain deadline; closing the database anyway");
        if (!closed) {
          if (active.size) log.warn({ requests: active.size }, "requests still running at the drain deadline; closing their connections");
          server.closeAllConnections();
        }
        clearInterval(tick);
        let code = 0;
        try {
          opts.close();
        } catch (err) {
          code = 1;
          log.error({ err }, "closing the database failed");
        }
        log.info({ durationMs: Date.now() - started }, code === 0 ? "stopped cleanly" : "stopped with errors");
        resolve();
        exit(code);
      }, 25);
    });
    return stopping;
  }

  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    shutdown,
    inFlight: () => active.size,
    uninstall: () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
    },
  };
}
