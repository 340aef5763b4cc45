import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import {
  addHooks,
  agentdeskHookGroups,
  isObject,
  jsonEqual,
  jsonText,
  removeHooks,
  setMcpServer,
  unsetMcpServer,
  type HookGroup,
  type HookEvent,
  type Json,
  type JsonObject,
} from "@/lib/connect/claude-settings";
import { packageRoot } from "@/lib/domain/install";
import { claudeCodeServer, claudeMcpAddArgs, DEFAULT_SERVER_NAME, shellQuote } from "@/lib/connect/snippets";
import { CliError, usageError } from "../errors";
import { printJson } from "../format";
import { apiClient, type ConnectionOptions } from "../http";
import { RECORD_FILE, type ConnectRecord, type FileChange, type StopMode } from "../hook/config";

/**
 * `agentdesk connect <agent>`: on the agent's machine, against a running AgentDesk, set up a project
 * folder for Claude Code: an agent token (minted with the person's admin token, or given), the MCP
 * server (project `.mcp.json`, or `claude mcp add`), the AgentDesk hooks in `.claude/settings.json`,
 * and `.claude/agentdesk.json`, the record of all that. `connect --remove` takes back exactly what
 * it added: a file it changed and nobody touched since returns byte for byte. docs/connect.md.
 */

type Globals = ConnectionOptions & { json?: boolean };
interface ConnectOptions {
  dir?: string;
  agentToken?: string;
  label?: string;
  useClaudeCli?: boolean;
  claudeBin?: string;
  stop: StopMode;
  heartbeat: string;
  remove?: boolean;
  force?: boolean;
}

const out = (s: string): void => void process.stdout.write(s.endsWith("\n") ? s : `${s}\n`);
const warn = (s: string): void => void process.stderr.write(`warning: ${s}\n`);

// The clone's root, or the installed package's (its compiled CLI lives in dist/, one level down).
const repoRoot = packageRoot() ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The prebuilt hook (scripts/build-hook.mjs): run by path with node, no npx, no tsx. */
export const HOOK_SCRIPT = path.join(repoRoot, "bin", "agentdesk-hook.mjs");
export const hookCommand = (event: HookEvent) => `node ${shellQuote(HOOK_SCRIPT)} ${event}`;

const readMaybe = (file: string): string | null => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
};

function parseObject(text: string | null, file: string): JsonObject {
  if (text === null || text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CliError("invalid_file", `${file} is not valid JSON (${(err as Error).message}); fix it first, nothing was changed`);
  }
  if (!isObject(v)) throw new CliError("invalid_file", `${file} does not hold a JSON object; fix it first, nothing was changed`);
  return v;
}

function claude(bin: string, args: string[], cwd: string): void {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.error) throw new CliError("unavailable", `Cannot run ${bin}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message} (install Claude Code, or pass --claude-bin PATH)`);
  if (r.status !== 0) throw new CliError("claude_failed", `${bin} ${args.slice(0, 2).join(" ")} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n")[0]}`);
}

/** Writes a file, remembering how to put it back if a later step fails. */
class Changes {
  private undo: (() => void)[] = [];
  write(file: string, text: string, original: string | null, mode?: number) {
    fs.writeFileSync(file, text, mode ? { mode } : undefined);
    this.undo.push(() => (original === null ? fs.rmSync(file, { force: true }) : fs.writeFileSync(file, original)));
  }
  mkdir(dir: string): boolean {
    if (fs.existsSync(dir)) return false;
    fs.mkdirSync(dir, { recursive: true });
    this.undo.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    return true;
  }
  onUndo(fn: () => void) {
    this.undo.push(fn);
  }
  rollback() {
    for (const fn of this.undo.reverse()) {
      try {
        fn();
      } catch {
        // best effort: the error that made us roll back is the one to report
      }
    }
  }
}

async function connect(agent: string, dir: string, o: ConnectOptions, g: Globals): Promise<ConnectRecord> {
  const heartbeatSeconds = Number(o.heartbeat);
  if (!Number.isFinite(heartbeatSeconds) || heartbeatSeconds < 0) throw usageError(`--heartbeat must be a number of seconds, not "${o.heartbeat}"`);
  if (!fs.existsSync(HOOK_SCRIPT)) throw new CliError("unavailable", `${HOOK_SCRIPT} is missing: run node scripts/build-hook.mjs in ${repoRoot}`);

  // The agent's token: given, or minted with the person's token (an admin's).
  const url = (g.url ?? process.env.AGENTDESK_URL ?? "http://localhost:3000").replace(/\/+$/, "");
  let token = o.agentToken;
  let tokenId: string | null = null;
  if (!token) {
    const admin = apiClient(g);
    const label = o.label ?? `connect ${os.hostname()}:${path.basename(dir)}`.slice(0, 200);
    const minted = await admin.post<{ id: string; token: string }>("/tokens", { agent, label });
    token = minted!.token;
    tokenId = minted!.id;
  }
  const asAgent = apiClient({ url, token });
  const revokeMinted = async () => {
    if (tokenId) await apiClient(g).post(`/tokens/${encodeURIComponent(tokenId)}/revoke`);
  };
  const me = await asAgent.get<{ kind: string; name: string }>("/me").catch(async (err) => {
    await revokeMinted().catch(() => {});
    throw err;
  });
  if (me.kind !== "agent" || me.name !== agent) {
    await revokeMinted().catch(() => {});
    throw usageError(`That token acts as ${me.kind} ${me.name}, not as agent ${agent}`);
  }

  const changes = new Changes();
  changes.onUndo(() => void revokeMinted().catch(() => {}));
  try {
    const createdDirs: string[] = [];
    if (changes.mkdir(path.join(dir, ".claude"))) createdDirs.push(".claude");

    // The MCP server.
    let mcp: ConnectRecord["mcp"];
    const server = claudeCodeServer({ url, token });
    if (o.useClaudeCli) {
      const bin = o.claudeBin ?? process.env.CLAUDE_BIN ?? "claude";
      claude(bin, claudeMcpAddArgs({ url, token }, "local"), dir);
      changes.onUndo(() => claude(bin, ["mcp", "remove", DEFAULT_SERVER_NAME, "-s", "local"], dir));
      mcp = { claudeCli: { scope: "local", name: DEFAULT_SERVER_NAME, bin } };
    } else {
      const file = path.join(dir, ".mcp.json");
      const original = readMaybe(file);
      const edit = setMcpServer(parseObject(original, ".mcp.json"), DEFAULT_SERVER_NAME, server as unknown as Json);
      const written = jsonText(edit.config);
      changes.write(file, written, original);
      if (edit.previous !== null && !jsonEqual(edit.previous, server)) warn(`.mcp.json had another "${DEFAULT_SERVER_NAME}" server; replaced (connect --remove puts it back)`);
      mcp = { file: ".mcp.json", original, written, name: DEFAULT_SERVER_NAME, previous: edit.previous, createdServers: edit.createdServers };
    }

    // The hooks.
    const settingsFile = path.join(dir, ".claude", "settings.json");
    const original = readMaybe(settingsFile);
    const groups = agentdeskHookGroups(hookCommand);
    const edit = addHooks(parseObject(original, ".claude/settings.json"), groups);
    const written = jsonText(edit.settings);
    changes.write(settingsFile, written, original);

    const record: ConnectRecord = {
      version: 1,
      url,
      agent,
      token,
      tokenId,
      stop: o.stop,
      heartbeatSeconds,
      connectedAt: new Date().toISOString(),
      mcp,
      hooks: { file: path.join(".claude", "settings.json"), original, written, groups, created: edit.created },
      createdDirs,
    };
    changes.write(path.join(dir, RECORD_FILE), jsonText(record as unknown as Json), null, 0o600);
    return record;
  } catch (err) {
    changes.rollback();
    throw err;
  }
}

/** Puts a changed file back: byte for byte when it still holds what connect wrote, else only connect's entries come out. */
function restore(dir: string, change: FileChange, takeOut: (current: JsonObject) => JsonObject): "restored" | "edited" | "missing" {
  const file = path.join(dir, change.file);
  const current = readMaybe(file);
  if (current === null) return "missing";
  if (current === change.written) {
    if (change.original === null) fs.rmSync(file);
    else fs.writeFileSync(file, change.original);
    return "restored";
  }
  const next = takeOut(parseObject(current, change.file));
  if (change.original !== null && jsonEqual(next, parseObject(change.original, change.file))) fs.writeFileSync(file, change.original);
  else if (change.original === null && Object.keys(next).length === 0) fs.rmSync(file);
  else fs.writeFileSync(file, jsonText(next));
  return "edited";
}

async function disconnect(dir: string, g: Globals): Promise<string[]> {
  const recordFile = path.join(dir, RECORD_FILE);
  const text = readMaybe(recordFile);
  if (text === null) throw new CliError("not_found", `Not connected: no ${RECORD_FILE} in ${dir}`);
  const r = JSON.parse(text) as ConnectRecord;
  const done: string[] = [];
  const say = (what: string, how: ReturnType<typeof restore>) =>
    done.push(how === "restored" ? `${what}: restored` : how === "missing" ? `${what}: already gone` : `${what}: edited since connect, took out AgentDesk's entries only`);

  const groups = r.hooks.groups as Record<HookEvent, HookGroup>;
  say(
    r.hooks.file,
    restore(dir, r.hooks, (s) => removeHooks(s, groups, r.hooks.created)),
  );
  if ("claudeCli" in r.mcp) {
    const { name, scope, bin } = r.mcp.claudeCli;
    claude(bin, ["mcp", "remove", name, "-s", scope], dir);
    done.push(`claude mcp remove ${name} -s ${scope}`);
  } else {
    const m = r.mcp;
    say(
      m.file,
      restore(dir, m, (c) => unsetMcpServer(c, m.name, { previous: m.previous as Json | null, createdServers: m.createdServers })),
    );
  }

  if (r.tokenId) {
    try {
      await apiClient({ url: g.url ?? r.url, token: g.token }).post(`/tokens/${encodeURIComponent(r.tokenId)}/revoke`);
      done.push(`token ${r.tokenId}: revoked`);
    } catch (err) {
      warn(`could not revoke the agent token ${r.tokenId} (${(err as Error).message}); an admin can: agentdesk token revoke ${r.tokenId}`);
    }
  }
  fs.rmSync(recordFile);
  for (const d of [...r.createdDirs].reverse()) {
    try {
      fs.rmdirSync(path.join(dir, d));
    } catch {
      // not empty: something else lives there now
    }
  }
  return done;
}

export function registerConnectCommands(program: Command) {
  program
    .command("connect")
    .description("Connect Claude Code in a project folder to AgentDesk as an agent: MCP server, hooks, token (--remove undoes it)")
    .argument("[agent]", "the agent's name")
    .option("--dir <path>", "the project folder (default: the current one)")
    .option("--agent-token <token>", "use this agent token instead of minting one (minting needs --token / $AGENTDESK_TOKEN of an admin)")
    .option("--label <label>", "label of the minted token")
    .option("--use-claude-cli", "register the MCP server with `claude mcp add` (local scope) instead of the project's .mcp.json")
    .option("--claude-bin <path>", "the claude command (default $CLAUDE_BIN, else claude)")
    .addOption(new Option("--stop <mode>", "at Stop with steps still open: block (ask Claude to go on, once) or remind (a message to you)").choices(["block", "remind"]).default("block"))
    .option("--heartbeat <seconds>", "at most one heartbeat per this many seconds from tool calls", "30")
    .option("--force", "connect again over an earlier connect (removes it first)")
    .option("--remove", "take back what connect added in this folder (and revoke the token it minted)")
    .action(async (agent: string | undefined, o: ConnectOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<Globals>();
      const dir = path.resolve(o.dir ?? process.cwd());
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw usageError(`No such folder: ${dir}`);
      if (o.remove) {
        const done = await disconnect(dir, g);
        if (g.json) return printJson({ removed: done });
        for (const line of done) out(line);
        return out(`Disconnected ${dir}.`);
      }
      if (!agent) throw usageError("Name the agent: `agentdesk connect NAME`; `agentdesk connect --remove` undoes a connect");
      if (fs.existsSync(path.join(dir, RECORD_FILE))) {
        if (!o.force) throw new CliError("conflict", `${dir} is already connected (${RECORD_FILE}): undo it first with \`agentdesk connect --remove\`, or pass --force`);
        await disconnect(dir, g);
      }
      const r = await connect(agent, dir, o, g);
      if (g.json) return printJson({ ...r, token: undefined, hooks: { file: r.hooks.file, events: Object.keys(r.hooks.groups as object) }, mcp: "claudeCli" in r.mcp ? r.mcp : { file: r.mcp.file } });
      out(`Connected ${dir} to ${r.url} as agent ${agent}${r.tokenId ? ` (new token ${r.tokenId})` : ""}.`);
      out("claudeCli" in r.mcp ? `  MCP server: claude mcp add (local scope), "${DEFAULT_SERVER_NAME}"` : `  MCP server: .mcp.json, "${DEFAULT_SERVER_NAME}"`);
      out(`  Hooks: .claude/settings.json (SessionStart, PostToolUse, UserPromptSubmit, Stop) → ${HOOK_SCRIPT}`);
      out(`  Record: ${RECORD_FILE} (undo with: agentdesk connect --remove)`);
      process.stderr.write(`The agent's token is in ${"claudeCli" in r.mcp ? "" : ".mcp.json and "}${RECORD_FILE}: keep ${"claudeCli" in r.mcp ? "it" : "them"} out of version control.\n`);
    });
}
