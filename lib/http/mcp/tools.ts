import "server-only";
import { z } from "zod";
import { McpServer, type CallToolResult } from "@modelcontextprotocol/server";
import { getLogger } from "@/lib/log";
import { PEOPLE_INBOX, priorities } from "@/lib/domain/vocabulary";
import {
  BlockTaskInput,
  ClaimTaskInput,
  CompleteTaskInput,
  HeartbeatInput,
  MarkMessageInput,
  MoveTaskInput,
  ReplyToMessageInput,
  SendMessageInput,
  SubmitOutputInput,
  UpdateStepInput,
  blockTask,
  claimTask,
  completeTask,
  getTask,
  heartbeatTask,
  HIT_END,
  HIT_START,
  getThread,
  isServiceError,
  listAgents,
  listInbox,
  listTasks,
  markMessage,
  replyToMessage,
  searchMessages,
  sendMessage,
  submitOutput,
  updateStep,
  type ServiceContext,
} from "@/lib/services";
import { ThreadIdParam } from "../v1/schemas";
import { openOutputSchema, toolOutputSchemas } from "./output-schemas";
import { MCP_PROMPT_NAMES, registerPrompts } from "./prompts";

/** The tool names are a contract with agents' prompts and configs: do not rename. */
export const MCP_TOOL_NAMES = [
  "list_tasks",
  "claim_task",
  "get_task",
  "heartbeat",
  "update_step",
  "submit_output",
  "complete_task",
  "block_task",
  "read_inbox",
  "send_message",
  "reply_to_message",
  "mark_read",
  "list_agents",
  "get_thread",
  "search_messages",
] as const;

export const SERVER_INSTRUCTIONS = `AgentDesk is where people assign work to AI agents and follow it live. You act as one agent (the one your token belongs to).
How work flows:
1. claim_task takes your next pending task (or a given one) and gives you a lease; keep lease.token and pass it as leaseToken on writes.
2. get_task shows the task: description, acceptance criteria, files, and its numbered steps (your Response Approach).
3. For each step, update_step to in_progress when you start and to done (with a short note) when finished. People watch these notes live.
4. submit_output hands in your work product (markdown, code, yaml, json, text) for review; every submission is a new version.
5. complete_task when every step is done or skipped. Tasks needing review go to in_review; requested changes arrive in your inbox.
Talk to others with send_message (another agent by name, or "${PEOPLE_INBOX}" for the people), read_inbox, reply_to_message and mark_read.
Find your way: list_agents says who the other agents are and what they do; get_thread shows a whole conversation; search_messages searches your inbox.
The prompts ${MCP_PROMPT_NAMES.join(" and ")} say what to do now: your next task with the steps to report, or your unread messages with how to answer each.
Errors come back as "code: message", e.g. "illegal_transition: Step 3 is done and cannot become in progress" or "lease_lost: ...".`;

// Input schemas: the service verbs' own fields (as REST's bodies take them, lib/http/v1/route-kit's
// bodyFrom), each with a description written for a model that has never seen AgentDesk. The verbs
// validate again and own the rules (refinements such as "code needs its language" live there).

/**
 * The named fields of a service input schema, each described for the model. Only the fields named
 * here are offered; a field that is not in the service schema does not type-check.
 */
function fieldsOf<S extends z.ZodRawShape, K extends keyof S & string>(shape: S, described: Record<K, string>): Pick<S, K> {
  const out: Record<string, z.ZodType> = {};
  for (const [k, text] of Object.entries(described) as [K, string][]) out[k] = (shape[k] as unknown as z.ZodType).describe(text);
  return out as unknown as Pick<S, K>;
}

const TASK_ID = "The task id, e.g. tsk_01jd3k5m8q... (from list_tasks or claim_task)";
const LEASE_TOKEN = "The lease.token you got from claim_task. If someone else has taken the task over since, the write is refused with lease_lost.";
const MESSAGE_ID = "The message id, e.g. msg_01jd3k5m8q... (from read_inbox)";
const MESSAGE_TYPE_HINT = "consultation (a question), review_request, escalation (needs a human decision), status_update, delegation, handoff, ...";
// The service also takes the protocol's `medium` (a preprocess, which JSON Schema cannot show): the
// tool lists the canonical priorities.
const priority = z.enum(priorities);
// Lists are read through query functions (no input schema): paging as REST's query takes it.
const cursor = z.string().optional().describe("nextCursor from a previous call, for the next page");
const limit = z.number().int().min(1).max(200).optional().describe("Page size (default 50)");

export const toolInputShapes = {
  list_tasks: {
    status: MoveTaskInput.shape.to.optional().describe("Only tasks in this status. pending = waiting to be claimed; in_progress = being worked on; in_review = waiting for a person"),
    cursor,
    limit,
  },
  claim_task: fieldsOf(ClaimTaskInput.shape, { taskId: "Claim this pending task. Leave out to get your highest-priority ready task." }),
  get_task: fieldsOf(HeartbeatInput.shape, { taskId: TASK_ID }),
  heartbeat: fieldsOf(HeartbeatInput.shape, { taskId: TASK_ID, leaseToken: LEASE_TOKEN }),
  update_step: fieldsOf(UpdateStepInput.shape, {
    taskId: TASK_ID,
    position: "The step number, from 1 (see the steps in get_task)",
    status: "in_progress when you start the step, done when it is finished; skipped or blocked need a note saying why",
    note: "What you did or found, in a sentence or two; required for skipped and blocked",
    expectedVersion: "Optional: the step's version you last saw; refused with version_conflict if it changed",
    leaseToken: LEASE_TOKEN,
  }),
  submit_output: fieldsOf(SubmitOutputInput.shape, {
    taskId: TASK_ID,
    format: "markdown for reports, code for source (then language is required), yaml, json or text",
    content: "The output itself",
    language: "Programming language of code output, e.g. typescript",
    files: "Files you created, changed or deleted for this output: path relative to the project root, action (created, modified, deleted), additions, deletions",
    stepPosition: "The step this output belongs to (default: the step in progress)",
    leaseToken: LEASE_TOKEN,
  }),
  complete_task: fieldsOf(CompleteTaskInput.shape, { taskId: TASK_ID, summary: "A short summary of what was done", leaseToken: LEASE_TOKEN }),
  block_task: fieldsOf(BlockTaskInput.shape, {
    taskId: TASK_ID,
    reason: "Why you cannot continue, and what would unblock you",
    blockerType: "Kind of blocker (default other)",
    leaseToken: LEASE_TOKEN,
  }),
  read_inbox: {
    unread: z.boolean().optional().describe("Only messages not yet marked read"),
    archived: z.boolean().optional().describe("Read the archive instead of the inbox"),
    type: z.string().max(40).optional().describe("Only this message type, e.g. consultation or review_response"),
    cursor,
    limit,
  },
  send_message: {
    ...fieldsOf(SendMessageInput.shape, {
      to: `Recipient: another agent's name (e.g. frontend-developer, security-specialist) or "${PEOPLE_INBOX}" for the people`,
      type: `${MESSAGE_TYPE_HINT} (default status_update)`,
      subject: "One line",
      body: "The message, markdown allowed",
      taskId: "The task it concerns (must be yours), so it shows on the task page",
      stepPosition: "The step it concerns (needs taskId)",
      instructionId: "The instruction it concerns, when no task is named",
      inReplyTo: "Prefer reply_to_message; the id of the message this answers",
      leaseToken: LEASE_TOKEN,
    }),
    priority: priority.optional().describe("Default normal"),
  },
  reply_to_message: {
    ...fieldsOf(ReplyToMessageInput.shape, {
      messageId: MESSAGE_ID,
      body: "Your answer, markdown allowed",
      type: "Default: the matching response type (consultation → consultation_response, review_request → review_response)",
      leaseToken: LEASE_TOKEN,
    }),
    priority: priority.optional().describe("Default: the priority of the message you answer"),
  },
  mark_read: fieldsOf(MarkMessageInput.shape, { messageId: MESSAGE_ID, read: "false marks it unread again (default true)" }),
  list_agents: {},
  get_thread: { threadId: ThreadIdParam.shape.threadId.describe("The threadId of a message (from read_inbox, get_task or search_messages)") },
  search_messages: {
    q: z.string().min(1).max(500).describe('Words to find in subjects and bodies; "quote a phrase", end a word with * for a prefix'),
    limit: z.number().int().min(1).max(100).optional().describe("At most this many hits (default 20)"),
  },
};

const descriptions: Record<(typeof MCP_TOOL_NAMES)[number], string> = {
  list_tasks:
    "List the tasks assigned to you, most recently changed first, with progress over their steps. Status: pending = waiting to be claimed; in_progress = you hold it; blocked; in_review = waiting for a person to review your output; completed; cancelled. Start work with claim_task.",
  claim_task:
    "Claim a task to work on. Without taskId you get your highest-priority pending task whose dependencies are completed; with taskId, that pending task. Claiming starts a lease (about 30 minutes) that each of your writes on the task renews; if it runs out the task goes back to pending. The answer is the task: keep lease.token and pass it as leaseToken on later writes. When nothing is ready the answer says so (task: null); that is not an error. Then call get_task to read the steps.",
  get_task:
    "Read one of your tasks in full: description, acceptance criteria, files to modify or create, the instruction it belongs to, its numbered steps (title, guidance, status, note), the outputs and reviews so far, and the messages about it.",
  heartbeat:
    "Extend the lease on a task you are working on without changing anything. Your other writes on the task (update_step, submit_output, messages about it) renew the lease already; call this only during long silent work.",
  update_step:
    "Report progress on one step of a task you hold. Steps are numbered from 1 (see get_task). Set in_progress when you start a step and done when it is finished (a step may also go straight to done). skipped and blocked need a note saying why; blocking a step blocks the task until you set that step back to in_progress. done and skipped are final. Add a short note on what you did: people follow it live.",
  submit_output:
    "Hand in your work product for a task you hold, for a person to review: a markdown report, code (with language), YAML, JSON or plain text, and the files you touched. Each submission is a new version; an earlier version still waiting for review is superseded. A task that needs review cannot be completed without an output.",
  complete_task:
    "Say you have finished a task. Every step must be done or skipped first. A task that needs review goes to in_review: a person approves it, or requests changes, which arrive in your inbox as a review_response while the task returns to in_progress. An autonomous task is completed at once.",
  block_task: `Mark a task you hold as blocked when you cannot go on (missing dependency, failing test, unclear requirement), with the reason; people see it on the board. To ask for help, also send_message to "${PEOPLE_INBOX}" with type escalation.`,
  read_inbox:
    "Read your inbox, newest first: messages from other agents and from people (consultations, review requests and responses, delegations, ...). Each has an id (for reply_to_message and mark_read), threadId, from, type, subject, body and the task and step it concerns. unreadCount says how many are unread.",
  send_message: `Send a message to another agent's inbox (by name) or to the people ("${PEOPLE_INBOX}"). Choose the type: consultation to ask a question, review_request to ask for a review, escalation when a person must decide, status_update to inform. Name the taskId (and stepPosition) it concerns. To answer a message you received, use reply_to_message.`,
  reply_to_message:
    "Reply to a message in its thread. The reply goes to the original sender; its type defaults to the matching response (consultation → consultation_response, review_request → review_response), and the original is marked answered.",
  mark_read: "Mark a message in your inbox as read (read: false marks it unread again).",
  list_agents: `Who is there to work with: every active agent with its title, what it does (description, domain, capabilities) and its inbox name (send_message to it). The people are reached at "${PEOPLE_INBOX}". Use it to pick whom to consult or ask for a review.`,
  get_thread:
    "Read a whole conversation, oldest first: every message of the thread you may see (those sent to you or by you), each with replyTo and replyType: where your reply_to_message to it would land and as what type.",
  search_messages:
    "Full-text search over your inbox (messages sent to you): words match subjects and bodies, best match first. Each hit is the message with a snippet marking the matches with **. Then get_thread for the conversation around a hit.",
};

type ToolName = (typeof MCP_TOOL_NAMES)[number];
type ToolAnnotations = { readOnlyHint: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint: boolean };
/** Each tool's title, hints and service call, by name; its description and input schema are in the tables above. */
type ToolTable = { [K in ToolName]: { title: string; annotations: ToolAnnotations; call: (args: z.infer<z.ZodObject<(typeof toolInputShapes)[K]>>) => unknown } };

/** Snippets mark hits with control characters (for the pages); a model reads markdown bold. */
const markHits = (snippet: string) => snippet.replaceAll(HIT_START, "**").replaceAll(HIT_END, "**");

function ok(value: unknown): CallToolResult {
  const structured = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : { result: value };
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: structured };
}

/** The MCP side of the one error mapper: a service error is a tool result with isError and `code: message`. */
export function toolError(err: unknown): CallToolResult {
  if (isServiceError(err)) {
    const fields = err.fields ? ` ${JSON.stringify(err.fields)}` : "";
    return { isError: true, content: [{ type: "text", text: `${err.code}: ${err.message}${fields}` }] };
  }
  getLogger().error({ err }, "MCP tool failed");
  return { isError: true, content: [{ type: "text", text: "internal: Something went wrong on our side; nothing was changed." }] };
}

function run<A>(fn: (args: A) => unknown) {
  return async (args: A): Promise<CallToolResult> => {
    try {
      return ok(fn(args));
    } catch (err) {
      return toolError(err);
    }
  };
}

/**
 * The SDK answers arguments that fail the input schema with its own text ("MCP error -32602: Input
 * validation error: ..."). Agents branch on our codes, so that text is rewritten to
 * `validation_failed: ...`. Relies on McpServer's (private) createToolError; without it, nothing changes.
 */
function codedSdkErrors(server: McpServer) {
  const target = server as unknown as { createToolError?: (message: string) => CallToolResult };
  if (typeof target.createToolError !== "function") return;
  target.createToolError = (message: string) => {
    const text = message.replace(/^MCP error -?\d+:\s*/, "");
    if (/^Output validation error/i.test(text)) {
      // Our answer broke the tool's own outputSchema: a bug of ours, and the action may have happened.
      getLogger().error({ reason: text }, "MCP tool answer does not match its outputSchema");
      return { isError: true, content: [{ type: "text", text: `internal: ${text}. What the tool did stands; read the state again (get_task, read_inbox) before retrying.` }] };
    }
    const code = /validation error|invalid arguments/i.test(text) ? "validation_failed" : /not found/i.test(text) ? "not_found" : "internal";
    return { isError: true, content: [{ type: "text", text: `${code}: ${text}` }] };
  };
}

/** One MCP server for one request (stateless): every tool acts as the request's actor. */
export function createMcpServer(ctx: ServiceContext): McpServer {
  // listChanged: false: the tools and prompts never change, so 2026-07-28 clients have no list to subscribe to.
  const server = new McpServer({ name: "agentdesk", version: "1.0.0" }, { capabilities: { tools: { listChanged: false }, prompts: { listChanged: false } }, instructions: SERVER_INSTRUCTIONS });
  codedSdkErrors(server);
  const ro = { readOnlyHint: true, openWorldHint: false } as const;
  const rw = { readOnlyHint: false, destructiveHint: false, openWorldHint: false } as const;
  const ownInbox = ctx.actor.kind === "agent" ? ctx.actor.name : PEOPLE_INBOX;

  const tools: ToolTable = {
    list_tasks: { title: "List my tasks", annotations: ro, call: (a) => listTasks(ctx, a) },
    claim_task: {
      title: "Claim a task",
      annotations: rw,
      call: (a) => {
        const task = claimTask(ctx, a);
        return task ? task : { task: null, message: "No task is ready for you right now (none pending, or their dependencies are not completed)." };
      },
    },
    get_task: { title: "Read a task", annotations: ro, call: (a) => getTask(ctx, a.taskId) },
    heartbeat: { title: "Extend the lease", annotations: { ...rw, idempotentHint: true }, call: (a) => heartbeatTask(ctx, a) },
    update_step: { title: "Report a step", annotations: rw, call: (a) => updateStep(ctx, a) },
    submit_output: { title: "Submit an output", annotations: rw, call: (a) => submitOutput(ctx, a) },
    complete_task: { title: "Complete a task", annotations: rw, call: (a) => completeTask(ctx, a) },
    block_task: { title: "Block a task", annotations: rw, call: (a) => blockTask(ctx, a) },
    read_inbox: { title: "Read my inbox", annotations: ro, call: (a) => listInbox(ctx, { ...a, inbox: ownInbox }) },
    send_message: { title: "Send a message", annotations: rw, call: (a) => sendMessage(ctx, a) },
    reply_to_message: { title: "Reply to a message", annotations: rw, call: (a) => replyToMessage(ctx, a) },
    mark_read: { title: "Mark a message read", annotations: { ...rw, idempotentHint: true }, call: (a) => markMessage(ctx, { messageId: a.messageId, read: a.read ?? true }) },
    list_agents: {
      title: "Who is there",
      annotations: ro,
      call: () => ({
        items: listAgents(ctx).map((a) => ({
          name: a.name,
          title: a.title,
          description: a.description,
          domain: a.domain,
          capabilities: a.capabilities,
          inbox: a.name,
          you: ctx.actor.kind === "agent" && ctx.actor.name === a.name,
        })),
        peopleInbox: PEOPLE_INBOX,
      }),
    },
    get_thread: { title: "Read a thread", annotations: ro, call: (a) => getThread(ctx, a.threadId) },
    search_messages: {
      title: "Search my messages",
      annotations: ro,
      call: (a) => {
        const found = searchMessages(ctx, a);
        return { ...found, items: found.items.map((m) => ({ ...m, snippet: markHits(m.snippet) })) };
      },
    },
  };
  // Registered in MCP_TOOL_NAMES order, which is the order tools/list answers in.
  for (const name of MCP_TOOL_NAMES) {
    const { title, annotations, call } = tools[name] as ToolTable[ToolName];
    const inputSchema = z.object(toolInputShapes[name] as z.ZodRawShape);
    const outputSchema = openOutputSchema(toolOutputSchemas[name]);
    server.registerTool(name, { title, description: descriptions[name], inputSchema, outputSchema, annotations }, run(call as (a: z.infer<typeof inputSchema>) => unknown));
  }
  registerPrompts(server, ctx);
  return server;
}
