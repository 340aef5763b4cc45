import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findRecord, type StopMode } from "./config";

/**
 * `agentdesk hook <event>`: Claude Code runs it on SessionStart, PostToolUse, UserPromptSubmit and
 * Stop with the event's JSON on stdin; it asks AgentDesk (REST, the agent's token) and answers in
 * Claude Code's hook output format on stdout. It never fails the session: a missing config, a down
 * server, bad input or the deadline (1 s) is written to the log and it exits 0 with no output.
 *
 * Bundled on its own (scripts/build-hook.mjs → bin/agentdesk-hook.mjs): Node built-ins only, so it
 * starts in tens of milliseconds rather than the seconds tsx and the full CLI take.
 */

export const HOOK_EVENT_NAMES = ["SessionStart", "PostToolUse", "UserPromptSubmit", "Stop"] as const;
type Event = (typeof HOOK_EVENT_NAMES)[number];

interface HookSettings {
  url: string;
  token: string;
  agent: string | null;
  stop: StopMode;
  heartbeatSeconds: number;
}

interface HookInput {
  session_id?: string;
  cwd?: string;
  hook_event_name?: string;
  tool_name?: string;
  stop_hook_active?: boolean;
}

interface TaskItem {
  id: string;
  ref: string;
  title: string;
  status: string;
  progress?: { total: number; done: number; skipped: number; current: number | null };
}
interface StepItem {
  position: number;
  title: string;
  guidance: string;
  status: string;
  note: string | null;
}
interface MessageItem {
  id: string;
  from?: { name: string };
  type: string;
  subject: string;
  body: string;
  taskId: string | null;
}
interface State {
  lastBeatAt?: number;
  noticed?: string[];
}

const env = process.env;
const stateDir = () => env.AGENTDESK_HOOK_STATE_DIR || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "agentdesk");
const logFile = () => env.AGENTDESK_HOOK_LOG || path.join(stateDir(), "hook.log");

/** One line in the log (kept under ~1 MB: the old one is moved aside). Never throws. */
function log(event: string, message: string): void {
  try {
    const file = logFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      if (fs.statSync(file).size > 1_000_000) fs.renameSync(file, `${file}.1`);
    } catch {
      // no log yet
    }
    fs.appendFileSync(file, `${new Date().toISOString()} ${event} ${message.replace(/\s+/g, " ")}\n`);
  } catch {
    // nowhere to log: stay silent, the session comes first
  }
}

/** Where AgentDesk is and who we are: the project's `.claude/agentdesk.json` (connect wrote it), else AGENTDESK_URL / AGENTDESK_TOKEN. */
function settings(input: HookInput): HookSettings | null {
  const found = findRecord(env.CLAUDE_PROJECT_DIR || input.cwd || process.cwd());
  const interval = Number(env.AGENTDESK_HOOK_INTERVAL_S);
  if (found) {
    const r = found.record;
    return { url: r.url, token: r.token, agent: r.agent, stop: r.stop === "remind" ? "remind" : "block", heartbeatSeconds: interval >= 0 ? interval : (r.heartbeatSeconds ?? 30) };
  }
  if (!env.AGENTDESK_TOKEN) return null;
  return { url: env.AGENTDESK_URL || "http://localhost:3000", token: env.AGENTDESK_TOKEN, agent: null, stop: "block", heartbeatSeconds: interval >= 0 ? interval : 30 };
}

function stateFile(s: HookSettings): string {
  const key = crypto.createHash("sha256").update(`${s.url}\n${s.token}`).digest("hex").slice(0, 16);
  return path.join(stateDir(), `hook-${key}.json`);
}
function readState(s: HookSettings): State {
  try {
    return JSON.parse(fs.readFileSync(stateFile(s), "utf8")) as State;
  } catch {
    return {};
  }
}
function writeState(s: HookSettings, state: State): void {
  const file = stateFile(s);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** One request with node:http(s): Node's fetch costs 100 ms and more to start (undici loads on first use), a hook cannot wait that. */
function request(method: string, url: URL, headers: Record<string, string>, body: string | undefined, deadline: number): Promise<{ status: number; text: string }> {
  return (url.protocol === "https:" ? import("node:https") : import("node:http")).then(
    (mod) =>
      new Promise((resolve, reject) => {
        const req = mod.request(url, { method, headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          res.on("error", reject);
        });
        req.setTimeout(Math.max(1, deadline - Date.now()), () => req.destroy(new Error(`no answer from ${url.host}`)));
        req.on("error", reject);
        req.end(body);
      }),
  );
}

class Api {
  constructor(
    private s: HookSettings,
    private deadline: number,
  ) {}
  async call<T>(method: "GET" | "POST", p: string, body?: unknown): Promise<T | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.s.token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const url = new URL(`${this.s.url.replace(/\/+$/, "")}/api/v1${p}`);
    const res = await request(method, url, headers, body === undefined ? undefined : JSON.stringify(body), this.deadline);
    if (res.status < 200 || res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${res.text.slice(0, 200)}`);
    return res.status === 204 || res.text === "" ? null : (JSON.parse(res.text) as T);
  }
  get = <T>(p: string) => this.call<T>("GET", p) as Promise<T>;
}

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const openSteps = (t: TaskItem) => (t.progress ? t.progress.total - t.progress.done - t.progress.skipped : 0);
const messageLine = (m: MessageItem) => `- ${m.id} from ${m.from?.name ?? "?"} (${m.type})${m.subject ? `: ${clip(m.subject, 100)}` : ""} — ${clip(m.body, 200)}`;

async function sessionStart(api: Api, s: HookSettings): Promise<object | null> {
  const [working, pending, inbox] = await Promise.all([
    api.get<{ items: TaskItem[] }>("/tasks?status=in_progress&limit=5"),
    api.get<{ items: TaskItem[] }>("/tasks?status=pending&limit=5"),
    api.get<{ items: MessageItem[]; unreadCount: number }>("/inbox?unread=true&limit=5"),
  ]);
  const lines = [`AgentDesk (${s.url}): you work as agent ${s.agent ?? "(this token's agent)"}; report through the agentdesk MCP tools.`];
  const task = working.items[0];
  if (task) {
    const detail = await api.get<TaskItem & { steps: StepItem[] }>(`/tasks/${encodeURIComponent(task.id)}`);
    const p = detail.progress;
    lines.push(`Current task: ${task.ref} "${task.title}" (${task.id}), ${p ? `${p.done + p.skipped}/${p.total} steps finished` : "in progress"}.`);
    const step = detail.steps.find((x) => x.status === "in_progress" || x.status === "blocked") ?? detail.steps.find((x) => x.status === "pending");
    if (step) {
      lines.push(
        `${step.status === "pending" ? "Next step" : `Step in progress (${step.status.replace("_", " ")})`}: ${step.position}. ${step.title}${step.guidance ? ` — ${clip(step.guidance, 400)}` : ""}`,
      );
      if (step.note) lines.push(`Its last note: ${clip(step.note, 300)}`);
    } else lines.push("Every step is finished: submit_output if the task needs one, then complete_task.");
    if (working.items.length > 1)
      lines.push(
        `Also in progress: ${working.items
          .slice(1)
          .map((t) => `${t.ref} (${t.id})`)
          .join(", ")}.`,
      );
    lines.push("Report each step with update_step (in_progress, then done; skipped or blocked with a note) as you go.");
  } else if (pending.items.length) {
    lines.push(`No task in progress. Waiting for you: ${pending.items.map((t) => `${t.ref} "${clip(t.title, 80)}" (${t.id})`).join(", ")}. Take the next with claim_task.`);
  } else lines.push("No task in progress and none waiting.");
  if (inbox.unreadCount > 0) {
    lines.push(`Unread messages (${inbox.unreadCount}):`, ...inbox.items.map(messageLine));
    lines.push("Read them with read_inbox; answer with reply_to_message.");
  }
  return { hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: lines.join("\n") } };
}

/** What a tool call touched, in one line: the file, the command, the pattern, the URL (never the content). */
function toolSummary(input: unknown): string | undefined {
  if (!input || typeof input !== "object") return undefined;
  const i = input as Record<string, unknown>;
  for (const k of ["file_path", "notebook_path", "path", "command", "pattern", "url", "query", "description"]) {
    const v = i[k];
    if (typeof v === "string" && v.trim()) return clip(v, 200);
  }
  return undefined;
}

async function postToolUse(api: Api, s: HookSettings, hookInput: Record<string, unknown>): Promise<null> {
  const state = readState(s);
  const now = Date.now();
  if (state.lastBeatAt && now - state.lastBeatAt < s.heartbeatSeconds * 1000) return null;
  // Claimed before the calls: tool calls in parallel must not all beat at once.
  writeState(s, { ...state, lastBeatAt: now });
  const working = await api.get<{ items: TaskItem[] }>("/tasks?status=in_progress&limit=1");
  const task = working.items[0];
  if (!task) return null;
  const id = encodeURIComponent(task.id);
  const tool = typeof hookInput.tool_name === "string" && hookInput.tool_name.trim() ? clip(hookInput.tool_name, 100) : null;
  // A line of tool activity on the step under way (it renews the lease too); a plain heartbeat otherwise.
  // An agent at work on its task with no step under way forgot to report one: the hook starts the
  // next step itself, saying so, so the step tracker follows the work the agent's tools show.
  let step = task.progress?.current ?? null;
  if (tool && step === null && task.progress && task.progress.done + task.progress.skipped < task.progress.total) {
    const detail = await api.get<{ steps: StepItem[] }>(`/tasks/${id}`);
    const next = detail.steps.find((x) => x.status === "pending");
    if (next) {
      try {
        await api.call("POST", `/tasks/${id}/steps/${next.position}`, { status: "in_progress", note: `Started by the Claude Code hook: the agent used ${tool} without reporting a step` });
        step = next.position;
      } catch {
        // Refused (the task moved on meanwhile): the heartbeat below still keeps the lease.
      }
    }
  }
  if (tool && step !== null) {
    const summary = toolSummary(hookInput.tool_input);
    try {
      await api.call("POST", `/tasks/${id}/steps/${step}/activity`, { tool, ...(summary ? { summary } : {}) });
      return null;
    } catch {
      // The step is blocked, not under way (409): the heartbeat below still keeps the lease.
    }
  }
  await api.call("POST", `/tasks/${id}/heartbeat`, {});
  return null;
}

async function userPromptSubmit(api: Api, s: HookSettings): Promise<object | null> {
  const inbox = await api.get<{ items: MessageItem[]; unreadCount: number }>("/inbox?unread=true&limit=10");
  const state = readState(s);
  const noticed = new Set(state.noticed ?? []);
  const fresh = inbox.items.filter((m) => !noticed.has(m.id));
  if (fresh.length === 0) return null;
  writeState(s, { ...readState(s), noticed: [...fresh.map((m) => m.id), ...(state.noticed ?? [])].slice(0, 200) });
  const context = [
    `AgentDesk: ${fresh.length} new unread message${fresh.length === 1 ? "" : "s"} in your inbox (${inbox.unreadCount} unread in all):`,
    ...fresh.map(messageLine),
    "Read them with read_inbox; answer with reply_to_message.",
  ];
  return { hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: context.join("\n") } };
}

async function stop(api: Api, s: HookSettings, input: HookInput): Promise<object | null> {
  // Claude Code is already continuing because of a Stop hook: one reminder is enough.
  if (input.stop_hook_active) return null;
  const working = await api.get<{ items: TaskItem[] }>("/tasks?status=in_progress&limit=5");
  const open = working.items.filter((t) => openSteps(t) > 0);
  if (open.length === 0) return null;
  const what = open.map(
    (t) => `${t.ref} "${clip(t.title, 80)}" (${t.id}) has ${openSteps(t)} open step${openSteps(t) === 1 ? "" : "s"}${t.progress?.current ? ` (step ${t.progress.current} under way)` : ""}`,
  );
  const reason = `AgentDesk: ${what.join("; ")}. Before stopping, report them with update_step (done, or skipped / blocked with a note), then submit_output and complete_task; or block_task with the reason if you cannot go on.`;
  return s.stop === "block" ? { decision: "block", reason } : { systemMessage: reason };
}

/** Reads stdin whole (Claude Code closes it); "" when it is a terminal. */
function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve("");
  return new Promise((resolve, reject) => {
    let data = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (c: string) => (data += c));
    process.stdin.on("end", () => resolve(data));
    process.stdin.on("error", reject);
  });
}

/** The hook's whole run; resolves with what to print (null: nothing). Never rejects. */
export async function runHook(args: string[]): Promise<string | null> {
  const event = (args[0] === "hook" ? args[1] : args[0]) as Event;
  const timeoutMs = Number(env.AGENTDESK_HOOK_TIMEOUT_MS) > 0 ? Number(env.AGENTDESK_HOOK_TIMEOUT_MS) : 1000;
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const work = async (): Promise<string | null> => {
    if (!HOOK_EVENT_NAMES.includes(event)) throw new Error(`unknown event ${JSON.stringify(event)} (one of ${HOOK_EVENT_NAMES.join(", ")})`);
    const raw = await readStdin();
    let input: HookInput = {};
    if (raw.trim()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch (err) {
        throw new Error(`stdin is not JSON: ${(err as Error).message}`);
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("stdin is not a JSON object");
      input = parsed as HookInput;
    }
    const s = settings(input);
    if (!s) throw new Error("not connected: no .claude/agentdesk.json in the project and no AGENTDESK_TOKEN");
    const api = new Api(s, deadline);
    const out =
      event === "SessionStart"
        ? await sessionStart(api, s)
        : event === "PostToolUse"
          ? await postToolUse(api, s, input as Record<string, unknown>)
          : event === "UserPromptSubmit"
            ? await userPromptSubmit(api, s)
            : await stop(api, s, input);
    return out ? JSON.stringify(out) : null;
  };
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } catch (err) {
    const e = err as Error & { code?: string };
    log(String(event), `${e.message}${e.code && !e.message.includes(e.code) ? ` (${e.code})` : ""}`);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the hook as a process: prints the answer, exits 0 whatever happened. */
export async function hookMain(args: string[]): Promise<void> {
  const out = await runHook(args);
  if (out) process.stdout.write(`${out}\n`, () => process.exit(0));
  else process.exit(0);
}
