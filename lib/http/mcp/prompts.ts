import "server-only";
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type McpServer } from "@modelcontextprotocol/server";
import { getLogger } from "@/lib/log";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import { buildTaskPrompt } from "@/lib/runners/prompt";
import { getTask, getThread, isServiceError, listInbox, listTasks, taskCounts, unreadCount, type MessageDto, type ServiceContext } from "@/lib/services";
import { nextClaimableTaskId } from "@/lib/services/agents/next-task";

/**
 * MCP prompts (Claude Code shows them as slash commands, /mcp__agentdesk__<name>): what the agent
 * should do now. Read only: a prompt never claims or marks anything; it says which tool calls do.
 * Each is built for the request's actor through the service queries, so an agent sees its own
 * tasks and its own inbox only.
 */
export const MCP_PROMPT_NAMES = ["start_next_task", "go_through_inbox"] as const;

/** Unread messages listed by go_through_inbox, at most. */
const MAX_INBOX_MESSAGES = 30;
const MAX_BODY = 4000;
/** buildTaskPrompt names the run it was written for; a prompt is not a run, and the line goes. */
const NO_RUN = "no-run";

function fence(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  const f = "`".repeat(longest + 1);
  return `${f}\n${content}\n${f}`;
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}\n[… ${text.length - max} more characters: get_thread shows it whole]` : text);

function userText(description: string, text: string): GetPromptResult {
  return { description, messages: [{ role: "user", content: { type: "text", text } }] };
}

/** A service refusal as a JSON-RPC error with our `code: message`; anything else is logged and said briefly. */
function promptError(err: unknown): never {
  if (isServiceError(err)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `${err.code}: ${err.message}`);
  getLogger().error({ err }, "MCP prompt failed");
  throw new ProtocolError(ProtocolErrorCode.InternalError, "internal: Something went wrong on our side.");
}

/** The task the agent holds (in progress, most recently changed), or else the one claim_task would give it. */
export function startNextTask(ctx: ServiceContext): GetPromptResult {
  const { actor } = ctx;
  if (actor.kind !== "agent") return userText("Only agents have tasks", "start_next_task is for an AgentDesk agent's token: you are not acting as an agent, so there is no task of yours to start.");
  const held = listTasks(ctx, { status: "in_progress", limit: 1 }).items[0];
  const taskId = held?.id ?? nextClaimableTaskId(ctx);
  if (!taskId) return nothingToStart(ctx, actor.name);

  const task = getTask(ctx, taskId); // as the agent: its own task, or not found
  const intro = held
    ? `You already hold task \`${task.id}\` (in progress): carry on with it. Do not claim another task first. claim_task on it answers illegal_transition; take \`lease.token\` from get_task and continue from the first step that is not done or skipped.`
    : `This is the task claim_task gives you now (your highest-priority pending task whose dependencies are completed): task \`${task.id}\`. Nothing is claimed yet: step 1 below claims it.`;
  // Dependencies' outputs belong to other agents' tasks: the prompt names the dependencies (as
  // get_task does) and leaves their outputs out.
  const body = buildTaskPrompt({ task, agent: null, dependencies: [] }, { runId: NO_RUN }).replace(`- Run: \`${NO_RUN}\`\n`, "");
  const deps = task.dependsOn.length ? `\n\n## Dependencies\n\n${task.dependsOn.map((d) => `- ${d.ref} · ${d.title} (${d.status.replace("_", " ")}), \`${d.id}\``).join("\n")}` : "";
  return userText(`${held ? "Continue" : "Start"} ${task.ref}: ${task.title}`, `${intro}\n\n${body}${deps}`);
}

function nothingToStart(ctx: ServiceContext, agent: string): GetPromptResult {
  const counts = taskCounts(ctx);
  const unread = unreadCount(ctx, agent);
  const lines = [`# Nothing to start for \`${agent}\``, "", "No task of yours is in progress and none is ready to claim."];
  if (counts.pending) lines.push(`- ${counts.pending} pending task(s) wait for their dependencies to be completed (list_tasks with status pending shows them).`);
  if (counts.blocked) lines.push(`- ${counts.blocked} task(s) are blocked: a person looks at those.`);
  if (counts.in_review) lines.push(`- ${counts.in_review} task(s) wait for a person's review; requested changes arrive in your inbox.`);
  lines.push(
    unread ? `- ${unread} unread message(s) in your inbox: go through them (the go_through_inbox prompt, or read_inbox with unread: true).` : "- Your inbox has no unread messages.",
    "",
    "Stop here unless a message asks something of you.",
  );
  return userText("Nothing to start", lines.join("\n"));
}

/** What to do with a message of this type, in a sentence. */
function howToAnswer(type: string): string {
  switch (type) {
    case "consultation":
      return "A question for you: answer it with reply_to_message, specifically (they act on your answer).";
    case "review_request":
      return "A review asked of you: look at what it names (the task, the output, the files), then reply_to_message with your findings, each point actionable.";
    case "delegation":
    case "handoff":
      return "Work handed to you: if it came with a task of yours, start it (the start_next_task prompt); reply_to_message to confirm, or to ask what is unclear.";
    case "escalation":
      return "Someone needs a decision: reply_to_message with it, or say who can take it.";
    case "review_response":
      return "A reviewer's answer: if changes are requested, the task is back in progress for you (start_next_task). Reply only if something is unclear.";
    case "consultation_response":
      return "The answer to a question of yours: use it in the task and step it concerns. No reply needed unless you must ask again.";
    default:
      return "For your information: act on it if it concerns your work; reply_to_message only if something needs saying.";
  }
}

/** The actor's unread messages, oldest first, each with where a reply lands and how to answer it. */
export function goThroughInbox(ctx: ServiceContext): GetPromptResult {
  const inbox = ctx.actor.kind === "agent" ? ctx.actor.name : PEOPLE_INBOX;
  const page = listInbox(ctx, { inbox, unread: true, limit: MAX_INBOX_MESSAGES });
  if (page.items.length === 0) return userText("No unread messages", `# Inbox of \`${inbox}\`\n\nNo unread messages. Nothing to answer.`);

  // Where a reply would land: the thread's own rule (getThread), one read per thread.
  const threads = new Map<string, ReturnType<typeof getThread>>();
  const replyOf = (m: MessageDto) => {
    if (!threads.has(m.threadId)) threads.set(m.threadId, getThread(ctx, m.threadId));
    return threads.get(m.threadId)!.messages.find((t) => t.id === m.id);
  };
  const messages = [...page.items].reverse();
  const lines = [
    `# Inbox of \`${inbox}\`: ${page.unreadCount} unread message(s)`,
    "",
    page.unreadCount > messages.length
      ? `The oldest ${messages.length} of the newest unread are below; read_inbox with unread: true pages through the rest.`
      : "Every unread message is below, oldest first.",
    "Go through them in order. For each: read it (get_thread shows the conversation around it), act on it, answer it when it asks something (reply_to_message), then mark_read.",
    "",
  ];
  messages.forEach((m, i) => {
    const reply = replyOf(m);
    const concerns = [m.taskId && `task \`${m.taskId}\`${m.stepPosition ? ` step ${m.stepPosition}` : ""}`, m.instructionId && !m.taskId && `instruction \`${m.instructionId}\``]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `## ${i + 1}. \`${m.id}\` from ${m.from.name} (${m.type.replace(/_/g, " ")}, ${m.priority}): ${m.subject || "(no subject)"}`,
      "",
      `Sent ${m.createdAt} · thread \`${m.threadId}\`${concerns ? ` · about ${concerns}` : ""}`,
      "",
      fence(cut(m.body, MAX_BODY)),
      "",
      `How to answer: ${howToAnswer(m.type)}`,
      reply
        ? `reply_to_message \`{"messageId": "${m.id}", "body": "…"}\` lands in \`${reply.replyTo}\`'s inbox as a ${reply.replyType}. Then mark_read \`{"messageId": "${m.id}"}\`.`
        : `Then mark_read \`{"messageId": "${m.id}"}\`.`,
      "",
    );
  });
  lines.push("Stop when every message above is answered or marked read.");
  return userText(`${page.unreadCount} unread message(s)`, lines.join("\n"));
}

const prompts: Record<(typeof MCP_PROMPT_NAMES)[number], { title: string; description: string; build: (ctx: ServiceContext) => GetPromptResult }> = {
  start_next_task: {
    title: "Start my next task",
    description:
      "What to work on now: the task you hold, or else your next claimable task (not claimed for you), with its description, acceptance criteria, numbered steps and the tool calls that report each move.",
    build: startNextTask,
  },
  go_through_inbox: {
    title: "Go through my inbox",
    description: "Your unread messages, oldest first, each with who sent it, what it concerns, where a reply lands and how to answer it.",
    build: goThroughInbox,
  },
};

export function registerPrompts(server: McpServer, ctx: ServiceContext) {
  for (const name of MCP_PROMPT_NAMES) {
    const { title, description, build } = prompts[name];
    server.registerPrompt(name, { title, description }, () => {
      try {
        return build(ctx);
      } catch (err) {
        return promptError(err);
      }
    });
  }
}
