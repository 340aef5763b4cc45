import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import {
  ReplyToMessageInput,
  SendMessageInput,
  getAgent,
  getMessage,
  isChannelInbox,
  getThread,
  listInbox,
  listInboxes,
  markMessage,
  replyToMessage,
  searchMessages,
  sendMessage,
} from "@/lib/services";
import type { ServiceContext } from "@/lib/services";
import { PEOPLE_INBOX, peopleAliases } from "@/lib/domain/vocabulary";
import { bodyFrom, jsonBody, jsonOk, optionalJsonBody, readErrors, writeErrors, type V1App } from "../route-kit";
import { AgentNameParam, Message, MessageIdParam, ThreadIdParam, qBool, qCursor, qLimit } from "../schemas";

const tags = ["Messages"];

const InboxPage = z.object({ items: z.array(Message), nextCursor: z.string().nullable(), unreadCount: z.number().int() }).openapi("InboxPage");

const inboxQuery = z.strictObject({
  unread: qBool.openapi({ description: "Only unread messages" }),
  archived: qBool.openapi({ description: "The archive instead of the inbox" }),
  type: z.string().max(40).optional().openapi({ description: "Only this message type, e.g. consultation" }),
  cursor: qCursor,
  limit: qLimit,
});

const myInboxRoute = createRoute({
  method: "get",
  path: "/inbox",
  operationId: "readInbox",
  tags: ["Agent work", ...tags],
  summary: "My inbox",
  description: `An agent reads its own inbox; a person reads the people's inbox (\`${PEOPLE_INBOX}\`). Newest first.`,
  request: { query: inboxQuery },
  responses: { 200: jsonOk(InboxPage, "A page of messages"), ...readErrors },
});

const inboxRoute = createRoute({
  method: "get",
  path: "/inbox/{agentName}",
  operationId: "listInbox",
  tags,
  summary: "An inbox by name",
  description: `Any inbox for people (\`${PEOPLE_INBOX}\` is the people's, \`broadcast\` the broadcast folder, \`broadcast:{channel}\` a broadcast channel); an agent may only read its own and the channels it is a member of (403 otherwise).`,
  request: { params: AgentNameParam, query: inboxQuery },
  responses: { 200: jsonOk(InboxPage, "A page of messages"), ...readErrors },
});

const inboxesRoute = createRoute({
  method: "get",
  path: "/inboxes",
  operationId: "listInboxes",
  tags,
  summary: "Every inbox with its unread count",
  responses: { 200: jsonOk(z.object({ items: z.array(z.object({ inbox: z.string(), unread: z.number().int() })) }), "Inboxes"), ...readErrors },
});

const sendRoute = createRoute({
  method: "post",
  path: "/messages",
  operationId: "sendMessage",
  tags: ["Agent work", ...tags],
  summary: "Send a message",
  description: `To an agent's inbox by name, to the people (\`${PEOPLE_INBOX}\`, or one of ${peopleAliases.filter((a) => a !== PEOPLE_INBOX).join(", ")}), or to a broadcast channel (\`broadcast:{channel}\`: reviewers and admins, and agents that are members of it and whose Memory Ownership posts broadcasts). Types used by the protocol: consultation, review_request, escalation, status_update, delegation... Name the task (and step) it concerns so it shows on the task page.`,
  request: { body: jsonBody(bodyFrom(SendMessageInput.shape)) },
  responses: { 201: jsonOk(Message, "The message"), ...writeErrors },
});

const getMessageRoute = createRoute({
  method: "get",
  path: "/messages/{messageId}",
  operationId: "getMessage",
  tags,
  summary: "Get a message",
  request: { params: MessageIdParam },
  responses: { 200: jsonOk(Message, "The message"), ...readErrors },
});

const replyRoute = createRoute({
  method: "post",
  path: "/messages/{messageId}/reply",
  operationId: "replyToMessage",
  tags: ["Agent work", ...tags],
  summary: "Reply in the thread",
  description: "Goes to the sender's inbox, in the same thread; the type defaults to the matching response type (consultation → consultation_response).",
  request: { params: MessageIdParam, body: jsonBody(bodyFrom(ReplyToMessageInput.shape, ["messageId"])) },
  responses: { 201: jsonOk(Message, "The reply"), ...writeErrors },
});

const markRoute = (action: "read" | "unread" | "archive" | "unarchive") =>
  createRoute({
    method: "post",
    path: `/messages/{messageId}/${action}`,
    operationId: `mark${action[0].toUpperCase()}${action.slice(1)}`,
    tags: action === "read" ? ["Agent work", ...tags] : tags,
    summary: `Mark a message ${action === "archive" ? "archived" : action === "unarchive" ? "not archived" : action}`,
    request: { params: MessageIdParam, body: optionalJsonBody(z.strictObject({})) },
    responses: { 200: jsonOk(Message, "The message"), ...writeErrors },
  });

const threadRoute = createRoute({
  method: "get",
  path: "/threads/{threadId}",
  operationId: "getThread",
  tags,
  summary: "A whole thread, oldest first",
  request: { params: ThreadIdParam },
  responses: {
    200: jsonOk(
      z
        .object({
          threadId: z.string(),
          subject: z.string(),
          messages: z.array(
            Message.extend({
              replyTo: z.string().openapi({ description: "The inbox the caller's reply to this message lands in (agent name or hitl)" }),
              replyType: z.string().openapi({ description: "The type the caller's reply to this message gets" }),
            }).openapi("ThreadMessage"),
          ),
        })
        .openapi("Thread"),
      "The thread",
    ),
    ...readErrors,
  },
});

const searchRoute = createRoute({
  method: "get",
  path: "/search",
  operationId: "searchMessages",
  tags,
  summary: "Full-text search over messages",
  description:
    "Words are matched as typed (quote a phrase, end a word with * for a prefix) in subjects and bodies. Snippets mark hits with \\u0002 … \\u0003. An agent searches its own inbox only. Up to 1,000 matches are ranked by relevance; a query that matches more returns the newest first (`order`).",
  request: {
    query: z.strictObject({
      q: z.string().min(1).max(500),
      inbox: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
    }),
  },
  responses: {
    200: jsonOk(
      z
        .object({
          items: z.array(Message.extend({ snippet: z.string() })),
          query: z.string().nullable(),
          order: z.enum(["relevance", "newest"]).openapi({ description: "relevance: ranked (bm25); newest: the query matched more than 1,000 messages, the newest come first" }),
        })
        .openapi("SearchResult"),
      "Hits, best first",
    ),
    ...readErrors,
  },
});

function ownInbox(ctx: ServiceContext): string {
  return ctx.actor.kind === "agent" ? ctx.actor.name : PEOPLE_INBOX;
}

export function registerMessageRoutes(app: V1App) {
  app.openapi(myInboxRoute, (c) => {
    const ctx = c.get("ctx");
    return c.json(listInbox(ctx, { ...c.req.valid("query"), inbox: ownInbox(ctx) }), 200);
  });
  app.openapi(inboxRoute, (c) => {
    const ctx = c.get("ctx");
    const { agentName } = c.req.valid("param");
    const page = listInbox(ctx, { ...c.req.valid("query"), inbox: agentName });
    // An agent reading another inbox was refused above (403); an unknown inbox is a 404. A broadcast
    // channel (`broadcast:{channel}`) is an inbox of its own: listInbox checked who may read it.
    if (agentName !== PEOPLE_INBOX && agentName !== "broadcast" && !isChannelInbox(agentName)) getAgent(ctx, agentName);
    return c.json(page, 200);
  });
  app.openapi(inboxesRoute, (c) => c.json({ items: listInboxes(c.get("ctx")) }, 200));
  app.openapi(sendRoute, (c) => c.json(sendMessage(c.get("ctx"), c.req.valid("json")), 201));
  app.openapi(getMessageRoute, (c) => c.json(getMessage(c.get("ctx"), c.req.valid("param").messageId), 200));
  app.openapi(replyRoute, (c) => c.json(replyToMessage(c.get("ctx"), { ...c.req.valid("json"), messageId: c.req.valid("param").messageId }), 201));
  const marks = { read: { read: true }, unread: { read: false }, archive: { archived: true }, unarchive: { archived: false } } as const;
  for (const action of ["read", "unread", "archive", "unarchive"] as const) {
    app.openapi(markRoute(action), (c) => c.json(markMessage(c.get("ctx"), { messageId: c.req.valid("param").messageId, ...marks[action] }), 200));
  }
  app.openapi(threadRoute, (c) => c.json(getThread(c.get("ctx"), c.req.valid("param").threadId), 200));
  app.openapi(searchRoute, (c) => c.json(searchMessages(c.get("ctx"), c.req.valid("query")), 200));
}
