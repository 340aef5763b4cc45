import "server-only";
import type { RunPromptContext } from "@/lib/services/runs";
import { blockerTypes, PEOPLE_INBOX } from "@/lib/domain/vocabulary";

/**
 * The task prompt a runner hands to the agent program. It carries the work (task, criteria, files,
 * instruction, dependencies' outputs) and the protocol: which AgentDesk MCP tool to call at each
 * point, so that people can follow the run step by step. The tool names are the contract in
 * lib/http/mcp/tools.ts (MCP_TOOL_NAMES).
 */

/** Linux refuses a single argv string over 128 KiB; the claude-code preset passes the prompt as one. */
export const MAX_PROMPT_CHARS = 100_000;
const MAX_SECTION = 20_000;

function cut(text: string, max: number): string {
  const t = text.trim();
  return t.length > max ? `${t.slice(0, max)}\n\n[… truncated: ${t.length - max} more characters; call get_task for the full text]` : t;
}

function fence(content: string, lang = ""): string {
  // A fence longer than any backtick run inside, so content cannot close it early.
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}${lang}\n${content}\n${f}`;
}

/** A wake as the prompt tells it (lib/services/wakes). */
export interface PromptWake {
  kind: string;
  reason: string;
  causedBy: string;
  messageId: string | null;
}

export interface PromptOptions {
  runId: string;
  /** What woke the agent for this run (trigger "wake"), oldest first. */
  wakes?: PromptWake[];
  /** Characters of each dependency's output kept (default 8000; set where the context was read). */
  maxChars?: number;
}

type PromptTask = RunPromptContext["task"];

/**
 * The reviewer's latest request for changes, while it is still open: the task's latest review asks
 * for changes and no newer output has been handed in since. Whatever the task's status: a task
 * blocked after the review and run again is pending by then, and the agent must still see it.
 */
export function requestedChanges(task: Pick<PromptTask, "reviews" | "outputs">): { review: PromptTask["reviews"][number]; output: PromptTask["outputs"][number] } | null {
  const review = task.reviews.at(-1); // oldest first
  if (!review || review.decision !== "changes_requested") return null;
  const output = task.outputs.find((o) => o.id === review.outputId);
  if (!output) return null;
  if (task.outputs.some((o) => o.version > output.version)) return null;
  return { review, output };
}

export function buildTaskPrompt(c: RunPromptContext, opts: PromptOptions): string {
  const { task } = c;
  const agent = task.assignedAgent;
  const reviewed = task.authority === "review_required";
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);

  add(
    `# Task ${task.ref}: ${task.title}`,
    "",
    `You are the AgentDesk agent \`${agent}\`. A person assigned you this task in AgentDesk, where people follow your steps live, read your notes and review what you hand in.`,
    "",
    `- Task id: \`${task.id}\` (pass it as taskId to every tool)`,
    `- Instruction: \`${task.instructionId}\`${task.instruction ? ` — ${task.instruction.title}` : ""}`,
    `- Priority: ${task.priority} · type: ${task.type} · ${reviewed ? "a person reviews your output before the task completes" : "autonomous: the task completes when you complete it"}`,
    `- Current status: ${task.status.replace("_", " ")}`,
    `- Run: \`${opts.runId}\``,
    "",
  );

  const wakes = opts.wakes ?? [];
  if (wakes.length) {
    add("## Why you are running now", "", "AgentDesk woke you because:", "");
    for (const w of wakes) add(`- Wake: ${w.kind} — ${w.reason}${w.messageId ? ` (message \`${w.messageId}\`)` : ""}`);
    add("");
    const answers = task.messages.filter((m) => wakes.some((w) => w.messageId === m.id));
    if (answers.length) {
      add("The messages that woke you (read the whole thread with read_inbox if you need more):", "");
      for (const m of answers) add(`### \`${m.id}\` from ${m.from.name} (${m.type}): ${m.subject || "(no subject)"}`, "", fence(cut(m.body, 8000)), "");
    }
  }
  if (task.round > 1) {
    add(
      `## Round ${task.round}`,
      "",
      `This is round ${task.round} of the task: a reviewer sent the previous version back. The steps start again for this round: report each one again (in_progress, then done with a note on what you changed), and mark \`skipped\` with a note the ones this revision does not touch. Round ${task.round - 1}'s notes stay on the task page.`,
      "",
    );
  }

  if (task.description.trim()) add("## Description", "", cut(task.description, MAX_SECTION), "");

  add("## Acceptance criteria", "");
  if (task.acceptanceCriteria.length) task.acceptanceCriteria.forEach((a, i) => add(`${i + 1}. ${a}`));
  else add("None were given: use the description and your judgement.");
  add("");

  if (task.filesToModify.length || task.filesToCreate.length) {
    add("## Files", "");
    for (const f of task.filesToModify) add(`- modify \`${f}\``);
    for (const f of task.filesToCreate) add(`- create \`${f}\``);
    add("");
  }

  if (task.instruction) {
    add(`## The instruction this task belongs to: ${task.instruction.title}`, "");
    add(task.instruction.body.trim() ? cut(task.instruction.body, 8000) : "(no body)", "");
  }

  if (c.dependencies.length) {
    add("## Dependencies and their latest outputs", "");
    for (const d of c.dependencies) {
      add(`### ${d.ref} · ${d.title} (${d.status.replace("_", " ")}, by ${d.assignedAgent})`, "");
      if (!d.output) {
        add("No output was handed in.", "");
        continue;
      }
      const o = d.output;
      add(`Output v${o.version} (${o.format}${o.language ? `, ${o.language}` : ""}, ${o.status.replace(/_/g, " ")})${o.files.length ? ` — files: ${o.files.map((f) => f.path).join(", ")}` : ""}`, "");
      add(fence(o.content, o.format === "code" ? (o.language ?? "") : o.format === "markdown" || o.format === "text" ? "" : o.format));
      if (o.truncated) add("", `[… truncated; the full output is ${o.id}]`);
      add("");
    }
  }

  const changes = requestedChanges(task);
  if (changes) {
    const { review, output } = changes;
    add(
      "## Changes a reviewer requested",
      "",
      `${review.reviewer} reviewed your output v${output.version} (\`${output.id}\`) and requested changes. Address every point below, then hand in a new version with submit_output:`,
      "",
      fence(cut(review.comment || "(no comment)", 8000)),
      "",
    );
    // Comments on earlier versions still bind the work: a later round must not undo what an earlier review asked for.
    const earlier = task.reviews.filter((r) => r.decision === "changes_requested" && r.id !== review.id);
    if (earlier.length) {
      add("Earlier review comments (already addressed in later versions; keep them addressed):", "");
      for (const r of earlier) {
        const v = task.outputs.find((o) => o.id === r.outputId)?.version;
        add(`- on v${v ?? "?"} by ${r.reviewer}:`, "", fence(cut(r.comment || "(no comment)", 4000)), "");
      }
    }
  }

  add("## Your steps (Response Approach)", "");
  if (task.steps.length === 0) add("This task has no steps: do the work, then submit an output and complete the task.");
  for (const s of task.steps) {
    const state = s.status === "pending" ? "" : ` — currently ${s.status.replace("_", " ")}${s.note ? `: “${s.note.slice(0, 200)}”` : ""}`;
    add(`${s.position}. **${s.title}**${state}`);
    if (s.guidance.trim()) add(`   ${s.guidance.trim().replace(/\n/g, "\n   ")}`);
  }
  add("");

  const id = JSON.stringify(task.id);
  add(
    "## How to work: report every move with the AgentDesk MCP tools (server `agentdesk`)",
    "",
    `1. **claim_task** \`{"taskId": ${id}}\`. Keep \`lease.token\` from the answer and pass it as \`leaseToken\` on every write below. If it answers \`illegal_transition\` because the task is already in progress (you are resuming, e.g. after a reviewer requested changes), call **get_task** \`{"taskId": ${id}}\` and take \`lease.token\` from there.`,
    `2. **get_task** \`{"taskId": ${id}}\` to read the steps, messages and reviews as they are now.`,
    `3. Walk the steps in order. For each: **update_step** \`{"taskId": ${id}, "position": N, "status": "in_progress", "note": "what you are about to do"}\` when you start it, do the work, then **update_step** with \`"status": "done"\` and a note of one or two sentences on what you did or found. People read these notes live. A step already done or skipped stays as it is; a step already in progress only needs \`done\`. A step that does not apply: \`"status": "skipped"\` with a note saying why.`,
    `4. When you need another agent's input (e.g. a step says "consult"), **send_message** \`{"to": "<agent name>", "type": "consultation", "subject": "…", "body": "…", "taskId": ${id}, "stepPosition": N}\`, then **read_inbox** \`{"unread": true}\` for the answer. Answer questions sent to you with **reply_to_message** and mark them with **mark_read**.`,
    `5. **submit_output** \`{"taskId": ${id}, "format": "markdown" | "code" | "yaml" | "json" | "text", "content": "…", "files": [{"path": "…", "action": "created" | "modified"}], "stepPosition": N}\` with your work product${reviewed ? " (required: this task is reviewed)" : ""}. Each submission is a new version.`,
    `6. **complete_task** \`{"taskId": ${id}, "summary": "…"}\` once every step is done or skipped.${reviewed ? " The task then waits in review for a person." : ""}`,
    "",
    `If you are stuck (a dependency is missing, tests fail and you cannot fix them, the requirement is unclear): **block_task** \`{"taskId": ${id}, "reason": "what is wrong and what would unblock you", "blockerType": ${blockerTypes.map((b) => `"${b}"`).join(" | ")}}\` and **send_message** \`{"to": "${PEOPLE_INBOX}", "type": "escalation", "taskId": ${id}, …}\` to the people, then stop.`,
    'During long silent work, call **heartbeat** `{"taskId": …, "leaseToken": …}` every few minutes so your lease does not run out.',
    "",
    "Do not stop before you have called complete_task or block_task: a run that ends with the task unfinished is marked failed and the task is blocked for a person to look at.",
  );

  let text = lines.join("\n");
  if (text.length > MAX_PROMPT_CHARS) {
    text = `${text.slice(0, MAX_PROMPT_CHARS - 200)}\n\n[… prompt truncated; call get_task for everything]`;
  }
  return text;
}

/** The agent's definition body, for the system prompt (claude-code: --append-system-prompt). */
export function definitionPrompt(body: string | null | undefined): string {
  const b = body?.trim() ?? "";
  return b.length > MAX_SECTION * 2 ? b.slice(0, MAX_SECTION * 2) : b;
}

export interface MessagesPromptInput {
  agent: string;
  runId: string;
  wakes: PromptWake[];
  messages: { id: string; from: { kind: string; name: string }; type: string; subject: string; body: string; taskId: string | null; threadId: string; createdAt: string }[];
}

/**
 * The prompt of a run without a task: an agent woken because messages ask it to act (a
 * consultation, a delegation, a review request). It answers each one with reply_to_message.
 */
export function buildMessagesPrompt(c: MessagesPromptInput): string {
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add(
    `# Messages for ${c.agent}`,
    "",
    `You are the AgentDesk agent \`${c.agent}\`. Messages in your AgentDesk inbox ask you to act. There is no task of yours to claim in this run: answer the messages.`,
    "",
    `- Run: \`${c.runId}\``,
    "",
    "## Why you are running now",
    "",
  );
  for (const w of c.wakes) add(`- Wake: ${w.kind} — ${w.reason}${w.messageId ? ` (message \`${w.messageId}\`)` : ""}`);
  // One line per message first (the list to work through), then each one in full.
  add("", "## Answer these messages:", "");
  for (const m of c.messages) add(`- \`${m.id}\` from ${m.from.name} (${m.type.replace(/_/g, " ")}): ${m.subject || "(no subject)"}`);
  add("");
  for (const m of c.messages) {
    add(`### Message \`${m.id}\` from ${m.from.name} (${m.type}${m.taskId ? `, task \`${m.taskId}\`` : ""}): ${m.subject || "(no subject)"}`, "", fence(cut(m.body, 8000)), "");
  }
  add(
    "## How to answer: the AgentDesk MCP tools (server `agentdesk`)",
    "",
    '1. For each message above: **reply_to_message** `{"messageId": "<its id>", "body": "your answer"}`. The reply goes to whoever asked, in the same thread; be specific, they act on it.',
    '2. **mark_read** `{"messageId": "<its id>"}` once answered.',
    "3. If you cannot answer (you would need a task of your own, or a person's decision), say so in the reply and why.",
    "",
    "Stop when every message above has an answer.",
  );
  const text = lines.join("\n");
  return text.length > MAX_PROMPT_CHARS ? `${text.slice(0, MAX_PROMPT_CHARS - 200)}\n\n[… prompt truncated; read the rest with read_inbox]` : text;
}
