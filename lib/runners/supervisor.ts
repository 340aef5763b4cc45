import "server-only";
import type { ChildProcess } from "node:child_process";
import type { Db } from "@/db/client";
import type { RunRow } from "@/db/schema";
import { systemActor } from "@/lib/auth/actor";
import { getLogger, type Logger } from "@/lib/log";
import { lastEventId, listEvents, onCommitted, type ServiceContext } from "@/lib/services";
import {
  activeRunsOfTask,
  agentRunnerDefinition,
  appendRunOutput,
  cancelRun,
  createRun,
  finishRun,
  queuedRuns,
  runLogLines,
  runningRuns,
  runPromptContext,
  runRow,
  startRun,
} from "@/lib/services/runs";
import { hasUnfinishedDependencies } from "@/lib/services/wakes";
import { markRunLauncher } from "@/lib/services/leases";
import { isStreamJson, readableExcerpt, runUsage, sessionIdOf } from "@/lib/domain/transcript";
import { WakeDispatcher } from "./wakes";
import { globalSettings, loadRunnerConfig, resolveRunner, type RunnerConfig, type RunnerResolution, type ResolvedRunner } from "./config";
import { captureOutput, feedStdin, makeRunFolder, prepareLaunch, removeRunFolder, spawnRunner, streamsClosed, writeRunFiles, type PreparedRun } from "./launch";
import type { LineSplitter, OutputLine } from "./output";
import { previewCommand, type LaunchSpec } from "./presets";

type FinishUsage = NonNullable<Parameters<typeof finishRun>[1]["usage"]>;

export interface SupervisorOptions {
  db: Db;
  /** Where the runner config comes from: a file (re-read when it changes), a fixed config, or a getter (tests). */
  config: { file: string } | { value: RunnerConfig } | { load: () => RunnerConfig };
  /** AgentDesk's base URL for the agent processes, unless the config file names one. */
  url: string;
  log?: Logger;
  /** Output is written to the database at most this often (default 100 ms). */
  flushMs?: number;
  /** How often the events table is read for changes made by other processes (default 1000 ms). */
  pollMs?: number;
  /** Where per-run folders (prompt file, MCP config) are made (default the OS temp dir). */
  tmpDir?: string;
  /** This server replica's name, recorded on the runs it launches (runs.launched_by; lib/services/leases.ts). */
  replica?: string;
  /**
   * Asked before each launch: false stops launching (the replica no longer holds the `runs` lease,
   * server.ts). Unset: always.
   */
  mayLaunch?: () => boolean;
}

interface Child {
  run: RunRow;
  /** What was launched (its `fresh` twin starts over when the session to continue cannot be resumed). */
  prepared: PreparedRun;
  /** The program printed its session (stream-json init): the resume worked, or there was none to try. */
  sawSession: boolean;
  runner: ResolvedRunner;
  proc: ChildProcess;
  pid: number | undefined;
  dir: string;
  pending: OutputLine[];
  dropped: number;
  stored: number;
  splitters: LineSplitter[];
  flushTimer: NodeJS.Timeout;
  timeoutTimer: NodeJS.Timeout;
  killTimer: NodeJS.Timeout | null;
  /** Why we are stopping it (unset: it ends by itself). */
  ending: { outcome: "cancelled" | "timed_out"; detail?: string } | null;
  /** finishRun was called (by the exit handler, or early on shutdown). */
  finished: boolean;
  exited: boolean;
  spawnError: Error | null;
  done: Promise<void>;
  resolveDone: () => void;
}

/** A line of the supervisor's own in the run's log (not counted against maxLogLines). */
const systemLine = (c: Child, text: string) => c.pending.push({ stream: "system", text, at: Date.now() });

const supervisorKey = Symbol.for("agentdesk.run-supervisor");
type G = typeof globalThis & { [supervisorKey]?: RunSupervisor | null };

/** The supervisor of this process, if one was started (the REST routes ask it what is configured). */
export function getRunSupervisor(): RunSupervisor | null {
  return (globalThis as G)[supervisorKey] ?? null;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/**
 * Launches and watches agent processes, in the server process. It reads the events table (woken by
 * commits in this process, polling for other processes) to: queue runs on assignment for agents
 * with autoStart; stop runs whose cancel was requested, whose task was cancelled or reassigned;
 * start queued runs FIFO within the global and per-agent limits. Each process runs in its own
 * process group so a cancel reaches whatever it spawned.
 */
export class RunSupervisor {
  readonly db: Db;
  private opts: SupervisorOptions;
  private log: Logger;
  private ctx: ServiceContext;
  private children = new Map<string, Child>();
  private lastEvent = 0;
  private unlisten: (() => void) | null = null;
  private poll: NodeJS.Timeout | null = null;
  private scheduled = false;
  private ticking = false;
  private again = false;
  private stopped = true;
  private exitHook = () => this.killAllNow();
  private wakes: WakeDispatcher;
  private wakeTimer: NodeJS.Timeout | null = null;

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.db = opts.db;
    this.log = opts.log ?? getLogger();
    this.ctx = { db: opts.db, actor: systemActor("run-supervisor") };
    this.wakes = new WakeDispatcher({
      ctx: this.ctx,
      log: this.log,
      resolve: (agent) => this.resolve(agent),
      settings: () => globalSettings(this.config()).wakes,
      later: (ms) => {
        if (this.wakeTimer || this.stopped) return;
        this.wakeTimer = setTimeout(() => {
          this.wakeTimer = null;
          this.wake();
        }, ms);
        this.wakeTimer.unref();
      },
    });
  }

  config(): RunnerConfig {
    const c = this.opts.config;
    return "file" in c ? loadRunnerConfig(c.file) : "load" in c ? c.load() : c.value;
  }

  get url(): string {
    return (globalSettings(this.config()).url ?? this.opts.url).replace(/\/+$/, "");
  }

  /** The runner an agent would get now, or why it has none. */
  resolve(agent: string): RunnerResolution {
    const def = agentRunnerDefinition(this.ctx, agent);
    if (!def) return { ok: false, reason: `No agent named ${agent}` };
    if (!def.active) return { ok: false, reason: `The definition of ${agent} is gone (inactive agent)` };
    return resolveRunner(this.config(), agent, def.runner);
  }

  preview(agent: string): { ok: true; runner: ResolvedRunner; command: string[] } | { ok: false; reason: string } {
    const r = this.resolve(agent);
    return r.ok ? { ok: true, runner: r.runner, command: previewCommand(r.runner) } : r;
  }

  get running(): number {
    return this.children.size;
  }

  /**
   * Makes this the process's supervisor for the REST routes (what is configured, "Run now") without
   * starting it: a server replica that does not hold the `runs` lease queues runs for the one that does.
   */
  register(): this {
    (globalThis as G)[supervisorKey] = this;
    return this;
  }

  /**
   * Starts following the events and launching runs. With several server replicas it is called when
   * this replica takes the `runs` lease (server.ts), so the runs another replica left running are
   * recovered only once that replica has lost the lease (died, or stopped launching).
   */
  start(): this {
    if (!this.stopped) return this;
    this.stopped = false;
    (globalThis as G)[supervisorKey] = this;
    this.recover();
    this.lastEvent = lastEventId(this.ctx);
    const local = onCommitted(() => this.wake());
    const external = this.db.$engine.onExternalCommit(() => this.wake());
    this.unlisten = () => {
      local();
      external();
    };
    this.poll = setInterval(() => this.wake(), this.opts.pollMs ?? 1000);
    this.poll.unref();
    process.on("exit", this.exitHook);
    const cfg = this.config();
    if (cfg.error) this.log.warn({ error: cfg.error }, "runner config is invalid: no run will start until it is fixed");
    this.wake();
    return this;
  }

  /**
   * Runs left `running` by a server that is gone (or by the replica that held the `runs` lease before
   * this one) have no process to watch: they are finished as lost.
   */
  private recover() {
    for (const r of runningRuns(this.ctx)) {
      if (this.children.has(r.id)) continue;
      try {
        finishRun(this.ctx, { runId: r.id, outcome: "lost" });
        this.log.warn({ runId: r.id, taskId: r.taskId }, "run was left running by a previous server: marked failed");
      } catch (err) {
        this.log.error({ err, runId: r.id }, "could not finish a lost run");
      }
    }
  }

  wake() {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.tick();
    });
  }

  private tick() {
    if (this.stopped || !this.db.$engine.open) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        this.watchEvents();
        this.wakes.dispatch();
        this.pump();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.log.error({ err }, "run supervisor tick failed");
    } finally {
      this.ticking = false;
    }
  }

  private watchEvents() {
    for (;;) {
      const batch = listEvents(this.ctx, { afterId: this.lastEvent, limit: 500 });
      if (batch.length === 0) return;
      this.lastEvent = batch[batch.length - 1].id;
      for (const e of batch) {
        try {
          if (e.verb === "run.cancel_requested") {
            // The person's reason goes with the stop, to the log and the run's end.
            const reason = (e.after as { reason?: unknown } | null)?.reason;
            this.stop(e.entityId, "cancelled", typeof reason === "string" && reason.trim() ? reason.trim() : undefined);
          } else if (e.verb === "task.created" && e.taskId) this.autoStart(e.taskId);
          else if (e.verb === "task.reassigned" && e.taskId) {
            this.dropRunsOfTask(e.taskId, "the task was reassigned", (r) => r.agentName !== (e.after as { assignedAgent?: string } | null)?.assignedAgent);
            this.autoStart(e.taskId);
          } else if (e.verb === "task.cancelled" && e.taskId) this.dropRunsOfTask(e.taskId, "the task was cancelled", () => true);
          this.wakes.observe(e);
        } catch (err) {
          this.log.error({ err, eventId: e.id, verb: e.verb }, "run supervisor could not handle an event");
        }
      }
      if (batch.length < 500) return;
    }
  }

  private dropRunsOfTask(taskId: string, why: string, which: (r: RunRow) => boolean) {
    for (const r of activeRunsOfTask(this.ctx, taskId)) if (which(r)) cancelRun(this.ctx, { runId: r.id, reason: why });
  }

  private autoStart(taskId: string) {
    const ctxTask = runPromptContext(this.ctx, taskId, { maxOutputChars: 0 }).task;
    if (ctxTask.status !== "pending") return;
    // A task waiting for others is started when its last dependency completes (a dependency wake).
    if (hasUnfinishedDependencies(this.ctx, taskId)) return;
    const r = this.resolve(ctxTask.assignedAgent);
    if (!r.ok || !r.runner.autoStart) return;
    if (activeRunsOfTask(this.ctx, taskId).length) return;
    createRun(this.ctx, { taskId, preset: r.runner.preset, command: previewCommand(r.runner), trigger: "auto" });
  }

  /** Starts queued runs, oldest first, while the global and per-agent limits allow. */
  private pump() {
    if (this.opts.mayLaunch && !this.opts.mayLaunch()) return;
    const settings = globalSettings(this.config());
    const running = runningRuns(this.ctx);
    let total = running.length;
    if (total >= settings.maxConcurrentRuns) return;
    const perAgent = new Map<string, number>();
    for (const r of running) perAgent.set(r.agentName, (perAgent.get(r.agentName) ?? 0) + 1);
    for (const run of queuedRuns(this.ctx)) {
      if (total >= settings.maxConcurrentRuns || this.stopped) break;
      const res = this.resolve(run.agentName);
      if (!res.ok) {
        finishRun(this.ctx, { runId: run.id, outcome: "spawn_failed", detail: res.reason });
        continue;
      }
      if ((perAgent.get(run.agentName) ?? 0) >= res.runner.concurrency) continue;
      if (this.launch(run, res.runner, settings.maxLogLines)) {
        total++;
        perAgent.set(run.agentName, (perAgent.get(run.agentName) ?? 0) + 1);
      }
    }
  }

  /**
   * Launches one queued run: prepare its prompt and command, mark it running (which mints its token),
   * write its files, spawn the program, then follow its output and its end. False when the run did
   * not start (it is finished as spawn_failed, or was taken by somebody else); true once it holds a
   * place, even if the spawn itself failed.
   */
  private launch(run: RunRow, runner: ResolvedRunner, maxLogLines: number): boolean {
    const dir = makeRunFolder(this.opts.tmpDir, run.id);
    let prepared: PreparedRun;
    try {
      prepared = prepareLaunch(this.ctx, run, runner, this.url, dir);
    } catch (err) {
      removeRunFolder(dir);
      this.log.error({ err, runId: run.id }, "could not prepare a run");
      finishRun(this.ctx, { runId: run.id, outcome: "spawn_failed", detail: (err as Error).message });
      return false;
    }

    const started = startRun(this.ctx, { runId: run.id, command: prepared.spec.display, preset: runner.preset, ...(prepared.resumeSessionId ? { resumeSessionId: prepared.resumeSessionId } : {}) });
    if (!started.started) {
      removeRunFolder(dir);
      return false;
    }
    if (this.opts.replica) markRunLauncher(this.ctx, run.id, this.opts.replica);
    writeRunFiles(prepared, this.url, started.token);

    let proc: ChildProcess;
    try {
      proc = spawnRunner(prepared.spec, started.token);
    } catch (err) {
      this.spawnFailed(run, prepared.spec, dir, err as Error);
      return true;
    }
    const c = this.track(run, runner, proc, dir, prepared);
    this.followOutput(c, prepared.spec, maxLogLines);
    this.followEnd(c, prepared.spec, started.token, maxLogLines);
    this.log.info({ runId: run.id, taskId: run.taskId, agent: run.agentName, childPid: proc.pid, preset: runner.preset }, "run started");
    return true;
  }

  /** spawn threw (a bad command line): the run ends at once, saying why. */
  private spawnFailed(run: RunRow, spec: LaunchSpec, dir: string, err: Error) {
    appendRunOutput(this.ctx, { runId: run.id, lines: [{ stream: "system", text: `could not start ${spec.argv[0]}: ${err.message}`, at: Date.now() }] });
    finishRun(this.ctx, { runId: run.id, outcome: "spawn_failed", detail: err.message });
    removeRunFolder(dir);
  }

  /** The child as the supervisor follows it: output flushed every flushMs, stopped at the runner's timeout. */
  private track(run: RunRow, runner: ResolvedRunner, proc: ChildProcess, dir: string, prepared: PreparedRun): Child {
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const c: Child = {
      run: { ...run, status: "running" },
      prepared,
      sawSession: false,
      runner,
      proc,
      pid: proc.pid,
      dir,
      pending: [],
      dropped: 0,
      stored: 0,
      splitters: [],
      flushTimer: setInterval(() => this.flush(c), this.opts.flushMs ?? 100),
      timeoutTimer: setTimeout(() => this.stop(run.id, "timed_out", `after ${formatMs(runner.timeoutMs)}`), runner.timeoutMs),
      killTimer: null,
      ending: null,
      finished: false,
      exited: false,
      spawnError: null,
      done,
      resolveDone,
    };
    c.flushTimer.unref();
    c.timeoutTimer.unref();
    this.children.set(run.id, c);
    return c;
  }

  /** Output lines are kept up to maxLogLines (then counted as dropped); the command line is the first. */
  private followOutput(c: Child, spec: LaunchSpec, maxLogLines: number) {
    c.splitters = captureOutput(c.proc, (line) => {
      // The init line (not an error result, which names the session it could not find).
      if (!c.sawSession && line.stream === "stdout" && line.text.includes('"subtype":"init"') && line.text.includes('"session_id"')) c.sawSession = true;
      if (c.stored + c.pending.length >= maxLogLines) c.dropped++;
      else c.pending.push(line);
    });
    systemLine(c, `$ ${spec.display.join(" ")}`);
    feedStdin(c.proc, spec.stdin);
  }

  /** When the program exits (or never started), its group is killed, its output read to the end, and the run finalised. */
  private followEnd(c: Child, spec: LaunchSpec, token: string, maxLogLines: number) {
    const proc = c.proc;
    const closed = streamsClosed(proc);
    const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
      if (c.exited) return;
      // The session to continue could not be resumed (the program failed before it printed a
      // session): the same run starts over with a fresh session, and says so.
      if (code !== 0 && !c.ending && !c.sawSession && c.prepared.fresh && spec !== c.prepared.fresh && !this.stopped) {
        const fresh = c.prepared.fresh;
        systemLine(c, `session ${c.prepared.resumeSessionId} could not be resumed (exit code ${code ?? signal}): starting a fresh session`);
        void Promise.race([closed, new Promise<void>((r) => setTimeout(r, 2000).unref())]).then(() => {
          for (const s of c.splitters) s.end();
          try {
            c.proc = spawnRunner(fresh, token);
            c.pid = c.proc.pid;
          } catch (err) {
            c.spawnError = err as Error;
            c.exited = true;
            this.finalize(c, null, null);
            c.resolveDone();
            return;
          }
          this.followOutput(c, fresh, maxLogLines);
          this.followEnd(c, fresh, token, maxLogLines);
        });
        return;
      }
      c.exited = true;
      clearTimeout(c.timeoutTimer);
      if (c.killTimer) clearTimeout(c.killTimer);
      // Whatever the program left behind in its group goes with it.
      this.signalGroup(c, "SIGKILL");
      const grace = new Promise<void>((r) => setTimeout(r, 2000).unref());
      void Promise.race([closed, grace]).then(() => {
        proc.stdout?.destroy();
        proc.stderr?.destroy();
        this.finalize(c, code, signal);
        c.resolveDone();
      });
    };
    proc.on("error", (e) => {
      c.spawnError = e;
      if (proc.pid === undefined) {
        systemLine(c, `could not start ${spec.argv[0]}: ${e.message}`);
        onEnd(null, null);
      } else {
        this.log.warn({ err: e, runId: c.run.id }, "run process error");
      }
    });
    proc.on("exit", (code, signal) => onEnd(code, signal));
  }

  private flush(c: Child) {
    if (c.finished || (c.pending.length === 0 && c.dropped === 0)) return;
    if (!this.db.$engine.open) return;
    const lines = c.pending.splice(0);
    const dropped = c.dropped;
    c.dropped = 0;
    try {
      const r = appendRunOutput(this.ctx, { runId: c.run.id, lines, dropped });
      c.stored += r.stored;
    } catch (err) {
      this.log.error({ err, runId: c.run.id }, "could not store run output");
    }
  }

  private finalize(c: Child, code: number | null, signal: NodeJS.Signals | null) {
    clearInterval(c.flushTimer);
    for (const s of c.splitters) s.end();
    if (c.spawnError && c.pid === undefined) {
      // nothing ran: the line saying why is already pending
    } else if (c.ending?.outcome === "timed_out") {
      c.pending.push({ stream: "system", text: `timed out ${c.ending.detail ?? ""}: stopped`.replace(" :", ":"), at: Date.now() });
    } else if (c.ending?.outcome === "cancelled") {
      c.pending.push({ stream: "system", text: `cancelled${c.ending.detail ? ` (${c.ending.detail})` : ""}: stopped`, at: Date.now() });
    }
    c.pending.push({ stream: "system", text: code !== null ? `exit code ${code}` : `killed by ${signal ?? "a signal"}`, at: Date.now() });
    this.children.delete(c.run.id);
    removeRunFolder(c.dir);
    if (c.finished || !this.db.$engine.open) return;
    this.flush(c);
    c.finished = true;
    try {
      const outcome = c.spawnError && c.pid === undefined ? "spawn_failed" : (c.ending?.outcome ?? "exited");
      const r = finishRun(this.ctx, {
        runId: c.run.id,
        outcome,
        exitCode: code,
        signal,
        detail: outcome === "spawn_failed" ? c.spawnError?.message : c.ending?.detail,
        ...this.readStream(c.run.id),
      });
      this.log.info({ runId: c.run.id, status: r.run.status, exitCode: code, signal, taskBlocked: r.taskBlocked }, "run ended");
    } catch (err) {
      this.log.error({ err, runId: c.run.id }, "could not finish a run");
    }
    this.wake();
  }

  /**
   * What a stream-json log (claude-code) says about the run once it is over: the session id (the
   * next run of the task continues it), tokens and cost with each message's time (finishRun
   * attributes them to the step in progress), and readable words for a blocked reason.
   */
  private readStream(runId: string): { sessionId?: string; usage?: FinishUsage; excerpt?: string } {
    try {
      const lines = runLogLines(this.ctx, runId);
      if (!isStreamJson(lines)) return {};
      const u = runUsage(lines);
      const sessionId = sessionIdOf(lines);
      const excerpt = readableExcerpt(lines, 1500);
      return {
        ...(sessionId ? { sessionId } : {}),
        ...(excerpt ? { excerpt } : {}),
        usage: {
          inputTokens: u.inputTokens,
          outputTokens: u.outputTokens,
          cacheReadTokens: u.cacheReadTokens,
          cacheCreationTokens: u.cacheCreationTokens,
          costUsd: u.costUsd ?? null,
          messages: u.perMessage.map((m) => ({
            at: m.at,
            inputTokens: m.usage.inputTokens,
            outputTokens: m.usage.outputTokens,
            cacheReadTokens: m.usage.cacheReadTokens,
            cacheCreationTokens: m.usage.cacheCreationTokens,
          })),
        },
      };
    } catch (err) {
      this.log.warn({ err, runId }, "could not read the run's stream for its session and usage");
      return {};
    }
  }

  private signalGroup(c: Child, sig: NodeJS.Signals) {
    if (c.pid === undefined) return;
    try {
      process.kill(-c.pid, sig);
    } catch {
      try {
        if (!c.exited) c.proc.kill(sig);
      } catch {
        // already gone
      }
    }
  }

  /** SIGTERM to the process group now, SIGKILL after the grace period. */
  stop(runId: string, outcome: "cancelled" | "timed_out", detail?: string): boolean {
    const c = this.children.get(runId);
    if (!c || c.exited || c.ending) return false;
    c.ending = { outcome, detail };
    this.signalGroup(c, "SIGTERM");
    const grace = globalSettings(this.config()).killGraceMs;
    c.killTimer = setTimeout(() => this.signalGroup(c, "SIGKILL"), grace);
    c.killTimer.unref();
    return true;
  }

  /** Resolves when the run's process has exited and the run is finished (tests). */
  whenDone(runId: string): Promise<void> {
    return this.children.get(runId)?.done ?? Promise.resolve();
  }

  private killAllNow() {
    for (const c of this.children.values()) this.signalGroup(c, "SIGKILL");
  }

  /**
   * Server shutdown: every running process is stopped (SIGTERM, SIGKILL after the grace period or
   * when this process exits, whichever is first) and its run finished as cancelled right away,
   * while the database is still open. Queued runs stay queued for the next start.
   */
  shutdown(reason = "the server shut down", opts: { keepRegistered?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = null;
    if (this.poll) clearInterval(this.poll);
    this.poll = null;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    const waits: Promise<void>[] = [];
    for (const c of [...this.children.values()]) {
      if (!c.exited && !c.ending) {
        c.ending = { outcome: "cancelled", detail: reason };
        this.signalGroup(c, "SIGTERM");
        c.killTimer = setTimeout(() => this.signalGroup(c, "SIGKILL"), globalSettings(this.config()).killGraceMs);
        c.killTimer.unref();
      }
      if (!c.finished && this.db.$engine.open) {
        for (const s of c.splitters) s.end();
        c.pending.push({ stream: "system", text: `cancelled: ${reason}`, at: Date.now() });
        this.flush(c);
        c.finished = true;
        try {
          finishRun(this.ctx, { runId: c.run.id, outcome: "cancelled", detail: reason });
        } catch (err) {
          this.log.error({ err, runId: c.run.id }, "could not finish a run on shutdown");
        }
      }
      clearInterval(c.flushTimer);
      waits.push(c.done);
    }
    if (!opts.keepRegistered && (globalThis as G)[supervisorKey] === this) (globalThis as G)[supervisorKey] = null;
    return Promise.all(waits).then(() => {
      process.off("exit", this.exitHook);
    });
  }

  /** A run row as the supervisor sees it (tests). */
  row(runId: string) {
    return runRow(this.ctx, runId);
  }
}

export function startRunSupervisor(opts: SupervisorOptions): RunSupervisor {
  return new RunSupervisor(opts).start();
}
