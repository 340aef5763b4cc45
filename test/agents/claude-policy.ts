// A scripted "model" for the Anthropic stub (anthropic-stub.ts) that drives the AgentDesk MCP tools
// the way a backend-developer agent would, when the real Claude Code CLI runs against the stub.
//
// It is stateless: Claude Code resends the whole conversation on every request, so each decision is
// a function of that conversation only. The policy finds the latest user prompt (the last user
// message that is not made of tool results or system reminders), lists the tool calls made after it
// with their results, and emits the first call of its script that has not been made yet. Every call
// is made at most once per prompt (an error does not repeat it), so a run always ends.
//
// ## What the policy reads in the prompt (the markers lib/runners/prompt.ts must keep or add)
//
// - `Task id: \`tsk_…\`` (already written by buildTaskPrompt): the task to work on. Without this
//   line the prompt is not about one task (only an inbox round is possible then).
// - `## Your steps` with lines `N. **title**…` (already written): the step count, used only when
//   get_task cannot be read; the steps are otherwise taken from get_task's answer (their status too).
// - `## Files` with lines `- create \`path\`` / `- modify \`path\`` (already written): the files
//   named in the submitted output.
// - `Wake: <reason>` on a line of its own (NEW): why the agent was started again.
//     `Wake: changes_requested` → a revision round (the heading `## Changes a reviewer requested`,
//     already written, means the same);
//     `Wake: messages` → an inbox round only: answer the listed messages, do not walk the task.
//     Any other reason is a normal task round (e.g. `Wake: consultation_answered` continues the task).
// - `Round: N` on a line of its own (NEW, optional): the round number, quoted in notes and outputs.
// - The prompt must not start with "-": Claude Code 2.1.332 takes such an argv as an option
//   ("error: unknown option '- Task id: …'", exit 1). Put `Wake:` / `Round:` lines after the title.
// - `Answer these messages:` (NEW) followed by one line per message, each containing its id
//   (`msg_…`, anywhere on the line), up to the first blank line: every listed message is answered
//   with reply_to_message (then mark_read). With this marker and no `Task id:` line the round is an
//   inbox round. Without ids listed, the unread messages from read_inbox are answered instead.
//
// Tool results it reads: claim_task's and get_task's `lease.token` (passed as leaseToken on
// writes), get_task's `steps[]` (position, title, status), read_inbox's `items[]`.
//
// Deferred tools: when the AgentDesk tools are offered without schemas (Claude Code's ToolSearch:
// `defer_loading: true`, or named only in a system message), the first call is ToolSearch with
// `select:mcp__agentdesk__claim_task,…`.
import type { ContentBlock, MessagesRequest, Policy, PolicyTurn } from "./anthropic-stub";

export interface ClaudePolicyOptions {
  /** The MCP server's name in the config (tools are `mcp__<server>__<tool>`). Default agentdesk. */
  server?: string;
  /** The agent's name, used in notes and texts. Default backend-developer. */
  agent?: string;
  /** Call get_task after claiming (as the prompt asks). Default true. */
  getTask?: boolean;
  /** At step `atStep` (default 4), send a consultation to `to`, then block the task (default) or just stop, waiting for the answer. Once: not when get_task already shows a consultation of this agent on that step (a later wake walks on). */
  consult?: { to: string; atStep?: number; subject?: string; body?: string; then?: "block" | "stop" };
  /** At step `atStep` (default 1), escalate to the people (send_message to hitl, type escalation) and block the task with `reason`. */
  escalate?: { atStep?: number; reason?: string; blockerType?: "missing_dependency" | "failed_test" | "unclear_requirement" | "other" };
  /** Revision rounds: steps to mark skipped (with a note) instead of walking them; `rewalkDone` also reports steps already done (the server may refuse; that is tolerated). */
  revision?: { skip?: number[]; rewalkDone?: boolean };
  /** Inbox rounds: the reply text, and an optional new consultation sent after each reply (two agents with followUp to each other answer forever: loop-guard tests). */
  inbox?: { replyBody?: (messageId: string, prompt: string) => string; followUp?: { to: string; subject?: string; body?: string }; markRead?: boolean; readInbox?: boolean };
  /** The output's markdown (default: a short report naming the task, round, steps and files). */
  output?: (info: { taskId: string; round: number | null; revision: boolean; steps: StepInfo[] }) => string;
  /** Ends the run after this many tool calls after the prompt (safety). Default 100. */
  maxCalls?: number;
}

export interface StepInfo {
  position: number;
  title: string;
  status: string;
}

/** One tool call made after the latest prompt, with its result when there is one. */
export interface ToolCall {
  /** Short name: claim_task for mcp__agentdesk__claim_task; other tools as named (ToolSearch). */
  name: string;
  input: Record<string, unknown>;
  /** The result's text (null while unanswered). */
  text: string | null;
  isError: boolean;
  /** The result parsed as JSON, when it is JSON. */
  json: unknown;
}

export interface PromptInfo {
  text: string;
  taskId: string | null;
  wake: string | null;
  round: number | null;
  revision: boolean;
  inboxOnly: boolean;
  messageIds: string[];
  stepCount: number;
  files: { path: string; action: "created" | "modified" }[];
}

const NEEDED_TOOLS = ["claim_task", "get_task", "update_step", "submit_output", "complete_task", "block_task", "send_message", "reply_to_message", "mark_read", "read_inbox"];

// ---------------------------------------------------------------- reading the conversation

type Msg = MessagesRequest["messages"][number];

const blocksOf = (m: Msg): ContentBlock[] => (typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content);
const isReminder = (t: string) => /^\s*<(system-reminder|local-command|command-|user-prompt-submit-hook)/.test(t);

/** The text of a tool_result block (string, or text blocks joined). */
export function resultText(b: ContentBlock): string {
  const c = (b as { content?: unknown }).content;
  if (typeof c === "string") return c;
  if (Array.isArray(c)) return c.map((x: { type?: string; text?: string }) => (x.type === "text" ? (x.text ?? "") : "")).join("");
  return "";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const i = text.indexOf("{");
    const j = text.lastIndexOf("}");
    if (i >= 0 && j > i) {
      try {
        return JSON.parse(text.slice(i, j + 1));
      } catch {
        /* not JSON */
      }
    }
    return null;
  }
}

/** Index of the latest user prompt (a user message with real text and no tool results), or -1. */
export function latestPromptIndex(messages: Msg[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role !== "user") continue;
    const blocks = blocksOf(m);
    if (blocks.some((b) => b.type === "tool_result")) continue;
    if (blocks.some((b) => b.type === "text" && !isReminder((b as { text: string }).text))) return i;
  }
  return -1;
}

export function promptText(m: Msg): string {
  return blocksOf(m)
    .filter((b) => b.type === "text" && !isReminder((b as { text: string }).text))
    .map((b) => (b as { text: string }).text)
    .join("\n");
}

/** The tool calls made in messages[from..], paired with their results; names shortened for `server`'s tools. */
export function toolCallsSince(messages: Msg[], from: number, server = "agentdesk"): ToolCall[] {
  const calls: (ToolCall & { id: string })[] = [];
  const prefix = `mcp__${server}__`;
  for (const m of messages.slice(from)) {
    for (const b of blocksOf(m)) {
      if (m.role === "assistant" && b.type === "tool_use") {
        const u = b as { id: string; name: string; input: unknown };
        calls.push({ id: u.id, name: u.name.startsWith(prefix) ? u.name.slice(prefix.length) : u.name, input: (u.input ?? {}) as Record<string, unknown>, text: null, isError: false, json: null });
      } else if (b.type === "tool_result") {
        const r = b as { tool_use_id: string; is_error?: boolean };
        const call = calls.find((c) => c.id === r.tool_use_id);
        if (!call) continue;
        call.text = resultText(b);
        call.isError = !!r.is_error || /^(Error:|<tool_use_error>|[a-z_]+: )/.test(call.text.trim());
        call.json = parseJson(call.text);
      }
    }
  }
  return calls.map(({ id: _id, ...c }) => c);
}

/** What the prompt says, by the markers documented at the top of this file. */
export function readPrompt(text: string): PromptInfo {
  const taskId = /Task id:\s*`?(tsk_[A-Za-z0-9_-]+)/.exec(text)?.[1] ?? null;
  const wake = /^\s*[-*]?\s*Wake:\s*`?([A-Za-z_-]+)/m.exec(text)?.[1] ?? null;
  const roundMatch = /^\s*[-*]?\s*Round:\s*(\d+)/m.exec(text);
  const round = roundMatch ? Number(roundMatch[1]) : null;
  const revision = wake === "changes_requested" || /^#+\s*Changes a reviewer requested/m.test(text);

  const messageIds: string[] = [];
  const marker = /Answer these messages:?/i.exec(text);
  if (marker) {
    const rest = text.slice(marker.index + marker[0].length).replace(/^[^\n]*\n/, (first) => (/msg_/.test(first) ? first : ""));
    for (const line of rest.split("\n")) {
      if (!line.trim()) {
        if (messageIds.length) break;
        continue;
      }
      const ids = line.match(/\bmsg_[A-Za-z0-9_-]+/g);
      if (!ids) {
        if (messageIds.length) break;
        continue;
      }
      for (const id of ids) if (!messageIds.includes(id)) messageIds.push(id);
    }
  }
  const inboxOnly = wake === "messages" || (!!marker && !taskId);

  const stepsSection = /^#+\s*Your steps[^\n]*\n([\s\S]*?)(?=^#+\s|\s*$(?![\s\S]))/m.exec(text)?.[1] ?? "";
  const positions = [...stepsSection.matchAll(/^(\d+)\.\s+\*\*/gm)].map((m) => Number(m[1]));
  const stepCount = positions.length ? Math.max(...positions) : 0;

  const filesSection = /^#+\s*Files\s*\n([\s\S]*?)(?=^#+\s|(?![\s\S]))/m.exec(text)?.[1] ?? "";
  const files = [...filesSection.matchAll(/^-\s*(create|modify)\s+`([^`]+)`/gm)].map((m) => ({ path: m[2], action: m[1] === "create" ? ("created" as const) : ("modified" as const) }));

  return { text, taskId, wake, round, revision, inboxOnly, messageIds, stepCount, files };
}

// ---------------------------------------------------------------- the policy

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function leaseFrom(v: unknown): number | undefined {
  const t = obj(obj(v).lease).token;
  return typeof t === "number" ? t : undefined;
}

function stepsFrom(v: unknown): StepInfo[] | null {
  const steps = obj(v).steps;
  if (!Array.isArray(steps)) return null;
  return steps.map((s) => ({ position: Number(obj(s).position), title: String(obj(s).title ?? ""), status: String(obj(s).status ?? "pending") })).filter((s) => s.position > 0);
}

/** Tool names loaded by ToolSearch in this conversation (its results carry `tool_reference` blocks). */
function referencedTools(messages: Msg[]): Set<string> {
  const out = new Set<string>();
  for (const m of messages)
    for (const b of blocksOf(m)) {
      const c = (b as { content?: unknown }).content;
      if (b.type === "tool_result" && Array.isArray(c)) for (const x of c) if (obj(x).type === "tool_reference" && typeof obj(x).tool_name === "string") out.add(String(obj(x).tool_name));
    }
  return out;
}

/** Tool names Claude Code offers as deferred: `defer_loading` tools, and the names listed in its "deferred tools" system text. */
function deferredTools(body: MessagesRequest): Set<string> {
  const out = new Set((body.tools ?? []).filter((t) => t.defer_loading).map((t) => t.name));
  const texts = [JSON.stringify(body.system ?? ""), ...body.messages.filter((m) => m.role === "system" || m.role === "user").map((m) => JSON.stringify(m.content))];
  for (const t of texts) for (const n of t.match(/mcp__[A-Za-z0-9_-]+__[A-Za-z0-9_]+/g) ?? []) out.add(n);
  return out;
}

/**
 * The tools to select with ToolSearch first, or null: when ToolSearch is offered and some tool the
 * script needs is not loaded (absent from `tools`, or `defer_loading` and not yet referenced by a
 * ToolSearch result). One search per prompt: if it did not help, the calls are made anyway and fail.
 */
function needsToolSearch(body: MessagesRequest, server: string, calls: ToolCall[]): string[] | null {
  const tools = body.tools ?? [];
  if (!tools.some((t) => t.name === "ToolSearch")) return null;
  const full = (n: string) => `mcp__${server}__${n}`;
  const referenced = referencedTools(body.messages);
  const loaded = (n: string) => tools.some((t) => t.name === full(n) && t.input_schema && (!t.defer_loading || referenced.has(full(n))));
  const missing = NEEDED_TOOLS.filter((n) => !loaded(n)).map(full);
  if (missing.length === 0 || calls.some((c) => c.name === "ToolSearch")) return null;
  const deferred = deferredTools(body);
  const offered = missing.filter((n) => deferred.has(n));
  return offered.length ? offered : missing;
}

export function createClaudePolicy(options: ClaudePolicyOptions = {}): Policy {
  const server = options.server ?? "agentdesk";
  const agent = options.agent ?? "backend-developer";
  const maxCalls = options.maxCalls ?? 100;
  const tool = (name: string, input: Record<string, unknown>, text?: string): PolicyTurn => ({
    content: [...(text ? [{ type: "text" as const, text }] : []), { type: "tool_use" as const, name: name === "ToolSearch" ? name : `mcp__${server}__${name}`, input }],
  });
  const say = (text: string): PolicyTurn => ({ content: [{ type: "text", text }], stopReason: "end_turn" });

  return (body) => {
    const messages = body.messages ?? [];
    const at = latestPromptIndex(messages);
    // Side requests (titles, summaries) and anything without a prompt or tools: a short text.
    if (at < 0 || !(body.tools ?? []).length) return say("OK.");
    const prompt = readPrompt(promptText(messages[at]));
    const calls = toolCallsSince(messages, at + 1, server);
    if (calls.length >= maxCalls) return say(`Stopping after ${calls.length} tool calls.`);
    const last = calls.at(-1);
    if (last && last.text === null) return say("Waiting for the last tool result."); // should not happen: Claude Code sends results

    const search = needsToolSearch(body, server, calls);
    if (search) return tool("ToolSearch", { query: `select:${search.join(",")}`, max_results: search.length }, "Loading the AgentDesk tools.");

    const made = (name: string, match: (input: Record<string, unknown>) => boolean = () => true) => calls.find((c) => c.name === name && match(c.input));
    const taskId = prompt.taskId;
    const lease = () => {
      for (const c of [...calls].reverse()) {
        if ((c.name === "claim_task" || c.name === "get_task") && !c.isError) {
          const t = leaseFrom(c.json);
          if (t !== undefined) return t;
        }
      }
      return undefined;
    };
    const withLease = (input: Record<string, unknown>) => {
      const t = lease();
      return t === undefined ? input : { ...input, leaseToken: t };
    };

    // 1. Messages to answer (inbox rounds, or listed alongside a task).
    const ids = [...prompt.messageIds];
    const inboxOpts = options.inbox ?? {};
    if (prompt.inboxOnly || ids.length) {
      if (!ids.length && (inboxOpts.readInbox ?? true)) {
        const read = made("read_inbox");
        if (!read) return tool("read_inbox", { unread: true }, "Reading my inbox.");
        const items = obj(read.json).items;
        if (Array.isArray(items)) for (const m of items) if (typeof obj(m).id === "string" && !obj(m).answeredAt) ids.push(String(obj(m).id));
      }
      for (const id of ids) {
        if (!made("reply_to_message", (i) => i.messageId === id)) {
          const body = inboxOpts.replyBody?.(id, prompt.text) ?? `Answer from ${agent} to ${id}: the endpoint validates its input with zod and answers 201 with the created order.`;
          return tool("reply_to_message", { messageId: id, body }, `Answering ${id}.`);
        }
        if (inboxOpts.followUp && !made("send_message", (i) => i.inReplyTo === undefined && String(i.body ?? "").includes(id))) {
          const f = inboxOpts.followUp;
          return tool("send_message", { to: f.to, type: "consultation", subject: f.subject ?? `Follow-up on ${id}`, body: `${f.body ?? "One more question"} (after ${id})` });
        }
        if ((inboxOpts.markRead ?? true) && !made("mark_read", (i) => i.messageId === id)) return tool("mark_read", { messageId: id, read: true });
      }
      if (prompt.inboxOnly || !taskId) return say(ids.length ? `Answered ${ids.length} message(s): ${ids.join(", ")}.` : "No messages to answer.");
    }

    if (!taskId) return say("I found no task id in the prompt, so there is nothing to do.");

    // 2. Claim (a task already in progress answers illegal_transition: then get_task has the lease).
    const claim = made("claim_task");
    if (!claim) return tool("claim_task", { taskId }, `Claiming task ${taskId}.`);
    const getTaskCall = made("get_task");
    if (!getTaskCall && ((options.getTask ?? true) || claim.isError || lease() === undefined)) return tool("get_task", { taskId }, "Reading the task.");

    if (claim.isError && (!getTaskCall || getTaskCall.isError)) return say(`I cannot work on ${taskId}: claim_task answered "${claim.text}"${getTaskCall ? ` and get_task "${getTaskCall.text}"` : ""}.`);

    const steps: StepInfo[] = stepsFrom(getTaskCall?.json) ??
      stepsFrom(claim.json) ?? Array.from({ length: prompt.stepCount }, (_, i) => ({ position: i + 1, title: `Step ${i + 1}`, status: "pending" }));
    // The task's messages as get_task showed them when this prompt's work began.
    const taskMessages = (Array.isArray(obj(getTaskCall?.json).messages) ? (obj(getTaskCall?.json).messages as unknown[]) : []).map(obj);
    const roundText = prompt.round !== null ? ` (round ${prompt.round})` : prompt.revision ? " (revision)" : "";

    // 3. Steps, with the consultation or escalation when scripted.
    const stepMade = (position: number, status: string) => made("update_step", (i) => i.position === position && i.status === status);
    for (const s of steps) {
      const final = s.status === "done" || s.status === "skipped";
      if (final && !(prompt.revision && options.revision?.rewalkDone)) continue;

      const esc = options.escalate;
      if (esc && (esc.atStep ?? 1) === s.position && s.status !== "done") {
        if (s.status !== "in_progress" && !stepMade(s.position, "in_progress")) return tool("update_step", withLease({ taskId, position: s.position, status: "in_progress", note: `Starting ${s.title}${roundText}.` }));
        const reason = esc.reason ?? `Step ${s.position} needs a decision from a person: the requirement is unclear.`;
        if (!made("send_message", (i) => i.type === "escalation")) {
          return tool("send_message", withLease({ to: "hitl", type: "escalation", subject: `Blocked on ${s.title}`, body: reason, taskId, stepPosition: s.position }), "Escalating to the people.");
        }
        if (!made("block_task")) return tool("block_task", withLease({ taskId, reason, blockerType: esc.blockerType ?? "unclear_requirement" }));
        return say(`I blocked task ${taskId} at step ${s.position} and asked the people: ${reason}`);
      }

      const con = options.consult;
      // Once per task: not when get_task shows a consultation of ours on this step already (sent in an
      // earlier run; the answer is what woke us), unless it was sent after this prompt.
      const askedBefore = taskMessages.some((m) => m.type === "consultation" && obj(m.from).name === agent && m.stepPosition === s.position);
      if (con && (con.atStep ?? 4) === s.position && s.status !== "done" && (!askedBefore || made("send_message", (i) => i.type === "consultation"))) {
        if (!stepMade(s.position, "in_progress")) return tool("update_step", withLease({ taskId, position: s.position, status: "in_progress", note: `Consulting ${con.to} before ${s.title}.` }));
        if (!made("send_message", (i) => i.type === "consultation")) {
          return tool(
            "send_message",
            withLease({
              to: con.to,
              type: "consultation",
              subject: con.subject ?? `Question about ${s.title}`,
              body: con.body ?? `While working on step ${s.position} (${s.title}) of ${taskId} I need your input: which contract should the endpoint follow?`,
              taskId,
              stepPosition: s.position,
            }),
            `Asking ${con.to}.`,
          );
        }
        if ((con.then ?? "block") === "block" && !made("block_task")) return tool("block_task", withLease({ taskId, reason: `Waiting for ${con.to}'s answer to my consultation on step ${s.position}.`, blockerType: "missing_dependency" }));
        return say(`I asked ${con.to} about step ${s.position} of ${taskId} and I am waiting for the answer.`);
      }

      if (prompt.revision && options.revision?.skip?.includes(s.position)) {
        if (!stepMade(s.position, "skipped")) return tool("update_step", withLease({ taskId, position: s.position, status: "skipped", note: `Nothing to change here for the requested changes${roundText}.` }));
        continue;
      }
      if (s.status !== "in_progress" && !stepMade(s.position, "in_progress")) {
        return tool("update_step", withLease({ taskId, position: s.position, status: "in_progress", note: `Starting ${s.title || `step ${s.position}`}${roundText}.` }), `Step ${s.position}.`);
      }
      if (!stepMade(s.position, "done")) {
        return tool("update_step", withLease({ taskId, position: s.position, status: "done", note: `${agent} finished ${s.title || `step ${s.position}`}${roundText}: checked against the acceptance criteria.` }));
      }
    }

    // 4. Output, completion, final answer.
    if (!made("submit_output")) {
      const content =
        options.output?.({ taskId, round: prompt.round, revision: prompt.revision, steps }) ??
        [
          `# ${prompt.revision ? "Revised work" : "Work"} on ${taskId}${roundText}`,
          "",
          `By ${agent}.`,
          "",
          "## Steps",
          "",
          ...steps.map((s) => `- ${s.position}. ${s.title}${prompt.revision && options.revision?.skip?.includes(s.position) ? " (skipped)" : ""}`),
          "",
          ...(prompt.files.length ? ["## Files", "", ...prompt.files.map((f) => `- ${f.action} \`${f.path}\``), ""] : []),
        ].join("\n");
      return tool("submit_output", withLease({ taskId, format: "markdown", content, ...(prompt.files.length ? { files: prompt.files } : {}) }), "Handing in the output.");
    }
    const complete = made("complete_task");
    if (!complete) return tool("complete_task", withLease({ taskId, summary: `${prompt.revision ? "Addressed the requested changes" : "Walked every step and handed in a report"}${roundText}.` }));
    if (complete.isError) return say(`complete_task failed: ${complete.text}`);
    return say(`Done: task ${taskId} walked its ${steps.length} steps${roundText}, handed in an output and is complete.`);
  };
}

