import "server-only";
import { z } from "zod";
import type { StandardSchemaWithJSON } from "@modelcontextprotocol/server";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import { Agent, Heartbeat, Message, Output, StepUpdate, Task, TaskDetail, TaskListItem, agentIdentityShape } from "../v1/schemas";

/**
 * What each MCP tool answers, as its outputSchema (tools/list) and the shape of its structuredContent.
 * Built from the REST response schemas (lib/http/v1/schemas.ts, which every REST answer in the tests
 * is checked against): a tool answers what its REST twin answers, so the two cannot drift. The
 * shapes REST declares inline beside a route (the inbox page, the thread, the search result) are
 * rebuilt here from the same parts.
 */

/** Every JSON Schema node without `additionalProperties: false` (see openOutputSchema). */
function withoutClosedObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutClosedObjects);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (!(key === "additionalProperties" && value === false)) out[key] = withoutClosedObjects(value);
  return out;
}

/**
 * The schema as a tool's outputSchema: validated as it is (zod, on the server), listed with every
 * object open to more fields. zod lists a plain z.object() as `additionalProperties: false`, and
 * clients validate structuredContent against the listed schema (the official SDKs do, with Ajv), so
 * a field the services add later (REST answers are loose by design, lib/http/v1/schemas.ts) would
 * make every call of the tool fail on the client. Listed open, a new field is just more to read.
 */
export function openOutputSchema(schema: z.ZodType): StandardSchemaWithJSON {
  const std = schema["~standard"] as unknown as StandardSchemaWithJSON["~standard"];
  const open = (json: Record<string, unknown>) => withoutClosedObjects(json) as Record<string, unknown>;
  return {
    "~standard": {
      ...std,
      jsonSchema: { input: (o) => open(std.jsonSchema.input(o)), output: (o) => open(std.jsonSchema.output(o)) },
    },
  };
}

const nextCursor = z.string().nullable().describe("Pass as cursor for the next page; null at the end");

/** claim_task when nothing is ready (REST answers 204 there). */
const NoTask = z.object({ task: z.null(), message: z.string() });

/** A message as get_thread shows it: with where the caller's reply to it would land. */
const ThreadMessage = Message.extend({
  replyTo: z.string().describe(`The inbox your reply_to_message to this message lands in (an agent name, or ${PEOPLE_INBOX})`),
  replyType: z.string().describe("The type your reply to this message gets by default"),
});

/** What list_agents says of an agent: who it is and what it does, nothing of its definition's internals. */
export const AgentCard = z.object({
  name: agentIdentityShape.name,
  title: agentIdentityShape.title,
  description: agentIdentityShape.description,
  domain: agentIdentityShape.domain,
  capabilities: Agent.shape.capabilities,
  inbox: z.string().describe("Its inbox: send_message to this name"),
  you: z.boolean().describe("true for the agent you act as"),
});

export const toolOutputSchemas = {
  list_tasks: z.object({ items: z.array(TaskListItem), nextCursor }),
  claim_task: z.union([Task, NoTask]),
  get_task: TaskDetail,
  heartbeat: Heartbeat,
  update_step: StepUpdate,
  submit_output: Output,
  complete_task: Task,
  block_task: Task,
  read_inbox: z.object({ items: z.array(Message), nextCursor, unreadCount: z.number().int() }),
  send_message: Message,
  reply_to_message: Message,
  mark_read: Message,
  list_agents: z.object({
    items: z.array(AgentCard),
    peopleInbox: z.literal(PEOPLE_INBOX).describe("The people's inbox: send_message here to reach a person"),
  }),
  get_thread: z.object({ threadId: z.string(), subject: z.string(), messages: z.array(ThreadMessage) }),
  search_messages: z.object({
    items: z.array(Message.extend({ snippet: z.string().describe("The matching text, hits between ** and **") })),
    query: z.string().nullable().describe("The full-text query the words became; null when they held no searchable word"),
    order: z.enum(["relevance", "newest"]).describe("relevance: best match first; newest: the search matched more than 1,000 messages, the newest come first"),
  }),
} satisfies Record<string, z.ZodType>;
