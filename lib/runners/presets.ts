import "server-only";
import type { ResolvedRunner } from "./config";

/**
 * How each preset turns a resolved runner into a process: argv (never a shell), environment and
 * stdin. Every preset gets the same environment; they differ in how the prompt is handed over.
 *
 * - claude-code: `claude -p <prompt> --append-system-prompt <definition body> --mcp-config <file>
 *   --allowedTools mcp__agentdesk__* [args...]`. The MCP config file points at /api/mcp with the
 *   run's token.
 * - command: the configured argv, with placeholders replaced ({promptFile}, {prompt}, {mcpConfig},
 *   {taskId}, {runId}, {agent}, {url}); the prompt is always in AGENTDESK_PROMPT_FILE, and on stdin
 *   too with `stdin: true`.
 */

export const MCP_SERVER_NAME = "agentdesk";

export interface LaunchInput {
  runId: string;
  /** "" for a run without a task (an agent answering messages). */
  taskId: string;
  agent: string;
  /** AgentDesk's base URL as the process should reach it (no trailing slash). */
  url: string;
  prompt: string;
  systemPrompt: string;
  promptFile: string;
  mcpConfigFile: string;
  /** claude-code: the session to continue (`--resume`). */
  resumeSessionId?: string | null;
  /** The run before this one on the task (the command preset gets it in AGENTDESK_PREVIOUS_RUN_ID). */
  previousRunId?: string | null;
  /** What woke the agent, one wake per line (AGENTDESK_WAKE_REASON). */
  wakeReason?: string | null;
  /** The definition's `model:` (claude-code: `--model`, unless the runner's args name one). */
  model?: string | null;
}

export interface LaunchSpec {
  argv: string[];
  /** argv for people to read: prompt and system prompt elided. Never contains the token. */
  display: string[];
  /** Added to the inherited environment (the token goes in at launch). */
  env: Record<string, string>;
  stdin: string | null;
  cwd: string;
}

/** The file given to `--mcp-config`: Claude Code's mcpServers format, HTTP transport with our bearer token. */
export function mcpConfigJson(url: string, token: string): string {
  return JSON.stringify({ mcpServers: { [MCP_SERVER_NAME]: { type: "http", url: `${url}/api/mcp`, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
}

const elide = (what: string, text: string) => `<${what}: ${text.length} chars>`;

function substitute(arg: string, values: Record<string, string>): string {
  return arg.replace(/\{(promptFile|prompt|mcpConfig|taskId|runId|agent|url)\}/g, (_, k: string) => values[k]);
}

export function buildLaunch(runner: ResolvedRunner, input: LaunchInput): LaunchSpec {
  const env: Record<string, string> = {
    ...runner.env,
    AGENTDESK_URL: input.url,
    AGENTDESK_TASK_ID: input.taskId,
    AGENTDESK_RUN_ID: input.runId,
    AGENTDESK_AGENT: input.agent,
    AGENTDESK_PROMPT_FILE: input.promptFile,
    AGENTDESK_MCP_CONFIG: input.mcpConfigFile,
    ...(input.previousRunId ? { AGENTDESK_PREVIOUS_RUN_ID: input.previousRunId } : {}),
    ...(input.wakeReason ? { AGENTDESK_WAKE_REASON: input.wakeReason } : {}),
  };
  if (runner.preset === "claude-code") {
    const head = [...runner.command, "-p"];
    const system = input.systemPrompt ? ["--append-system-prompt"] : [];
    const has = (flag: string) => runner.args.some((a) => a === flag || a.startsWith(`${flag}=`));
    // The transcript and the cost come from stream-json; --verbose is what makes -p print it.
    const stream = has("--output-format") ? [] : ["--output-format", "stream-json", "--verbose"];
    const model = input.model && !has("--model") ? ["--model", input.model] : [];
    const resume = input.resumeSessionId ? ["--resume", input.resumeSessionId] : [];
    const tail = [...resume, ...stream, ...model, "--mcp-config", input.mcpConfigFile, "--allowedTools", `mcp__${MCP_SERVER_NAME}__*`, ...runner.args];
    return {
      argv: [...head, input.prompt, ...system, ...(input.systemPrompt ? [input.systemPrompt] : []), ...tail],
      display: [...head, elide("prompt", input.prompt), ...system, ...(input.systemPrompt ? [elide("definition body", input.systemPrompt)] : []), ...tail],
      env,
      stdin: null,
      cwd: runner.cwd,
    };
  }
  const values = {
    promptFile: input.promptFile,
    prompt: input.prompt,
    mcpConfig: input.mcpConfigFile,
    taskId: input.taskId,
    runId: input.runId,
    agent: input.agent,
    url: input.url,
  };
  const shown = { ...values, prompt: elide("prompt", input.prompt) };
  const all = [...runner.command, ...runner.args];
  return {
    argv: all.map((a) => substitute(a, values)),
    display: all.map((a) => substitute(a, shown)),
    env,
    stdin: runner.stdin ? input.prompt : null,
    cwd: runner.cwd,
  };
}

/** What a run will look like before it exists (recorded on the queued run). */
export function previewCommand(runner: ResolvedRunner): string[] {
  return buildLaunch(runner, {
    runId: "{runId}",
    taskId: "{taskId}",
    agent: runner.agent,
    url: "{url}",
    prompt: "",
    systemPrompt: runner.preset === "claude-code" ? "x" : "",
    promptFile: "{promptFile}",
    mcpConfigFile: "{mcpConfig}",
  }).display.map((a) => a.replace(/^<prompt: 0 chars>$/, "<prompt>").replace(/^<definition body: 1 chars>$/, "<definition body>"));
}

/**
 * The inherited environment without the server's own settings: an agent has no business with the
 * database path or the server's config, and our AGENTDESK_* values must not be shadowed.
 */
export function childEnvironment(parent: Readonly<Record<string, string | undefined>>, spec: LaunchSpec, token: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined) continue;
    if (k.startsWith("AGENTDESK_") || k === "DATABASE_PATH" || k === "PORT" || k === "HOST" || k === "AGENTS_DIR") continue;
    env[k] = v;
  }
  return { ...env, ...spec.env, AGENTDESK_TOKEN: token };
}
