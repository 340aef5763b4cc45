import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * Runner configuration: what program runs for an agent. Two sources, per agent:
 * 1. the operator's config file (`agentdesk.config.json` at the repository root, or the file named
 *    by AGENTDESK_CONFIG), under `agents.<name>`;
 * 2. the agent definition's front matter, `runner:` (kept by the loader in `extra`).
 * The config file wins: when it has an entry for an agent, the definition's runner is ignored
 * (`"enabled": false` there switches an agent's runner off). `definitionRunners: false` ignores
 * every front-matter runner. Nothing is launched that is in neither.
 */

export const PRESETS = ["claude-code", "command"] as const;
export type Preset = (typeof PRESETS)[number];

export const DEFAULT_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_MAX_CONCURRENT_RUNS = 2;
export const DEFAULT_MAX_LOG_LINES = 50_000;

export const RunnerSpec = z.strictObject({
  /** false switches the runner off (in the config file it also hides a definition's runner). */
  enabled: z.boolean().optional(),
  /** claude-code: Claude Code in print mode wired to our MCP endpoint; command: any program. Default: command. */
  preset: z.enum(PRESETS).optional(),
  /** argv, no shell. For claude-code the executable (default ["claude"]); for command the whole program. */
  command: z.array(z.string().min(1)).min(1).optional(),
  /** Extra arguments appended after the preset's own (e.g. ["--model", "sonnet"]). */
  args: z.array(z.string()).optional(),
  /** Working directory; relative paths are relative to the config file's folder (or the server's cwd). */
  cwd: z.string().min(1).optional(),
  /** Extra environment variables (the server's own environment is inherited, AGENTDESK_* set by us). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "Not an environment variable name"), z.string()).optional(),
  /** Runs of this agent at the same time (default 1). */
  concurrency: z.number().int().min(1).max(100).optional(),
  /** Kill the run after this long (default 30 minutes). */
  timeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(7 * 24 * 3_600_000)
    .optional(),
  /** Queue a run when a task is created for, or reassigned to, this agent (default false). */
  autoStart: z.boolean().optional(),
  /**
   * Queue a run when something should wake the agent: changes requested on its output, an answer on
   * a thread of its task, a message asking it to act, its task's last dependency completed
   * (default: as autoStart).
   */
  autoResume: z.boolean().optional(),
  /** command preset: also write the prompt to the process's stdin (default false). */
  stdin: z.boolean().optional(),
});
export type RunnerSpec = z.infer<typeof RunnerSpec>;

export const RunnerConfigFile = z.strictObject({
  $schema: z.string().optional(),
  /** How agent processes reach AgentDesk (AGENTDESK_URL); default the server's own address. */
  url: z.url().optional(),
  /** Runs at the same time across all agents (default 2). */
  maxConcurrentRuns: z.number().int().min(1).max(100).optional(),
  /** SIGTERM, then SIGKILL this long after (default 5000 ms). */
  killGraceMs: z.number().int().min(0).max(120_000).optional(),
  /** Lines of output kept per run; the rest are counted, not stored (default 50,000). */
  maxLogLines: z.number().int().min(100).max(1_000_000).optional(),
  /** Honour `runner:` in agent definitions (default true). */
  definitionRunners: z.boolean().optional(),
  /** Wakes (docs/runners.md): the coalescing window and the loop guard's limits. */
  wakes: z
    .strictObject({
      /** Events within this window make one run (default 2000 ms). */
      delayMs: z.number().int().min(0).max(600_000).optional(),
      /** At most this many wakes of one task per hour (default 6). */
      maxPerTaskPerHour: z.number().int().min(1).max(1000).optional(),
      /** At most this many wakes of one agent by another per hour (default 4). */
      maxPerPairPerHour: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  /** Applied under every agent's runner (file or definition). */
  defaults: RunnerSpec.omit({ preset: true, command: true, enabled: true }).optional(),
  agents: z.record(z.string(), RunnerSpec).optional(),
});
export type RunnerConfigFile = z.infer<typeof RunnerConfigFile>;

export interface RunnerConfig {
  /** Where it came from, for messages ("agentdesk.config.json"); null for an in-memory config. */
  file: string | null;
  /** Relative cwd values in the file resolve against this. */
  baseDir: string;
  value: RunnerConfigFile;
  /** The file exists but could not be used: every runner is off until it is fixed. */
  error: string | null;
}

export interface ResolvedRunner {
  agent: string;
  source: "config" | "definition";
  preset: Preset;
  command: string[];
  args: string[];
  cwd: string;
  env: Record<string, string>;
  concurrency: number;
  timeoutMs: number;
  autoStart: boolean;
  autoResume: boolean;
  stdin: boolean;
}

export type RunnerResolution = { ok: true; runner: ResolvedRunner } | { ok: false; reason: string };

export function defaultConfigPath(env: Readonly<Record<string, string | undefined>> = process.env, cwd = process.cwd()): string {
  const named = env.AGENTDESK_CONFIG?.trim();
  return named ? path.resolve(cwd, named) : path.join(cwd, "agentdesk.config.json");
}

function issues(err: z.ZodError): string {
  return err.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/** Parses a config object (tests, or the file's JSON). */
export function runnerConfigFrom(value: unknown, opts: { file?: string | null; baseDir?: string } = {}): RunnerConfig {
  const file = opts.file ?? null;
  const baseDir = opts.baseDir ?? (file ? path.dirname(file) : process.cwd());
  const parsed = RunnerConfigFile.safeParse(value);
  if (!parsed.success) return { file, baseDir, value: {}, error: `${file ? path.basename(file) : "runner config"} is invalid: ${issues(parsed.error)}` };
  return { file, baseDir, value: parsed.data, error: null };
}

const cache = new Map<string, { mtimeMs: number; size: number; config: RunnerConfig }>();

/**
 * Reads the config file, again only when it changed (mtime/size), so an operator's edit applies to
 * the next run without a restart. A missing file is an empty config, not an error.
 */
export function loadRunnerConfig(file: string = defaultConfigPath()): RunnerConfig {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    cache.delete(file);
    return { file: null, baseDir: path.dirname(file), value: {}, error: null };
  }
  const held = cache.get(file);
  if (held && held.mtimeMs === stat.mtimeMs && held.size === stat.size) return held.config;
  let config: RunnerConfig;
  try {
    const text = fs.readFileSync(file, "utf8");
    config = runnerConfigFrom(JSON.parse(text), { file });
  } catch (err) {
    config = { file, baseDir: path.dirname(file), value: {}, error: `${path.basename(file)} could not be read: ${(err as Error).message}` };
  }
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, config });
  return config;
}

const snake = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Front matter is YAML written by people: `auto_start` and `timeout_ms` are accepted too. */
function normaliseDefinitionRunner(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [snake(k), v]));
}

/**
 * The runner for one agent, or why there is none (shown beside the disabled Run button).
 * `definitionRunner` is the agent row's `extra.runner`.
 */
export function resolveRunner(config: RunnerConfig, agent: string, definitionRunner: unknown): RunnerResolution {
  if (config.error) return { ok: false, reason: config.error };
  const v = config.value;
  const fromFile = v.agents?.[agent];
  let spec: RunnerSpec | undefined;
  let source: ResolvedRunner["source"] = "config";
  if (fromFile) {
    spec = fromFile;
  } else if (definitionRunner !== undefined && definitionRunner !== null) {
    if (v.definitionRunners === false) {
      return { ok: false, reason: `The definition of ${agent} names a runner, but ${config.file ? path.basename(config.file) : "the config"} turns definition runners off` };
    }
    const parsed = RunnerSpec.safeParse(normaliseDefinitionRunner(definitionRunner));
    if (!parsed.success) return { ok: false, reason: `The runner in the definition of ${agent} is invalid: ${issues(parsed.error)}` };
    spec = parsed.data;
    source = "definition";
  }
  if (!spec) {
    return {
      ok: false,
      reason: `No runner is configured for ${agent}. Add one under agents.${agent} in agentdesk.config.json, or a runner: entry in the agent's definition (docs/runners.md).`,
    };
  }
  if (spec.enabled === false) return { ok: false, reason: `The runner of ${agent} is switched off (enabled: false)` };
  const preset: Preset = spec.preset ?? "command";
  if (preset === "command" && !spec.command) return { ok: false, reason: `The runner of ${agent} uses the command preset but names no command` };
  const d = v.defaults ?? {};
  const baseDir = source === "config" ? config.baseDir : process.cwd();
  const cwdRaw = spec.cwd ?? d.cwd;
  return {
    ok: true,
    runner: {
      agent,
      source,
      preset,
      command: spec.command ?? (preset === "claude-code" ? ["claude"] : []),
      args: [...(d.args ?? []), ...(spec.args ?? [])],
      cwd: cwdRaw ? path.resolve(baseDir, cwdRaw) : baseDir,
      env: { ...(d.env ?? {}), ...(spec.env ?? {}) },
      concurrency: spec.concurrency ?? d.concurrency ?? 1,
      timeoutMs: spec.timeoutMs ?? d.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      autoStart: spec.autoStart ?? d.autoStart ?? false,
      autoResume: spec.autoResume ?? d.autoResume ?? spec.autoStart ?? d.autoStart ?? false,
      stdin: spec.stdin ?? d.stdin ?? false,
    },
  };
}

export interface GlobalRunnerSettings {
  url: string | null;
  maxConcurrentRuns: number;
  killGraceMs: number;
  maxLogLines: number;
  wakes: { delayMs: number; perTaskPerHour: number; perPairPerHour: number };
}

export const DEFAULT_WAKE_DELAY_MS = 2000;
export const DEFAULT_WAKES_PER_TASK_PER_HOUR = 6;
export const DEFAULT_WAKES_PER_PAIR_PER_HOUR = 4;

export function globalSettings(config: RunnerConfig): GlobalRunnerSettings {
  const v = config.value;
  return {
    url: v.url ?? null,
    maxConcurrentRuns: v.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS,
    killGraceMs: v.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    maxLogLines: v.maxLogLines ?? DEFAULT_MAX_LOG_LINES,
    wakes: {
      delayMs: v.wakes?.delayMs ?? DEFAULT_WAKE_DELAY_MS,
      perTaskPerHour: v.wakes?.maxPerTaskPerHour ?? DEFAULT_WAKES_PER_TASK_PER_HOUR,
      perPairPerHour: v.wakes?.maxPerPairPerHour ?? DEFAULT_WAKES_PER_PAIR_PER_HOUR,
    },
  };
}
