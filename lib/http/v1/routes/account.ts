import { createRoute, z } from "@hono/zod-openapi";
import { agentIdentity, agentSummary, getAgent, getAgentFor, getOverview, getShellCounts, listAgentsFor, listEvents } from "@/lib/services";
import { jsonOk, readErrors, type V1App } from "../route-kit";
import { ActorKind, Agent, agentIdentityShape, AgentNameParam, AgentSeen, Event, Instruction, Role, Task, qInt, qLimit } from "../schemas";

const Me = z
  .looseObject({
    kind: ActorKind,
    name: z.string(),
    id: z.string().optional().openapi({ description: "person" }),
    email: z.string().optional().openapi({ description: "person" }),
    role: Role.optional().openapi({ description: "person" }),
    tokenId: z.string().nullable().optional().openapi({ description: "agent: the token this request used" }),
    agent: z
      .looseObject({
        ...agentIdentityShape,
        capabilities: z.array(z.string()),
        tools: z.array(z.string()),
        leaseMinutes: z.number().int(),
        steps: z.array(z.object({ position: z.number().int(), title: z.string() })),
      })
      .optional()
      .openapi({ description: "agent: its definition, in short" }),
  })
  .openapi("Me");

const meRoute = createRoute({
  method: "get",
  path: "/me",
  operationId: "getMe",
  tags: ["Agent work", "Account"],
  summary: "Who am I",
  description: "For an agent token: the agent's name and a summary of its definition (its Response Approach steps). For a person: id, email, name, role.",
  responses: { 200: jsonOk(Me, "The caller"), ...readErrors },
});

/** An agent in short (`view=summary`): what a list shows, without the definition's long parts. */
const AgentSummary = z
  .looseObject({
    ...agentIdentityShape,
    color: z.string().nullable(),
    active: z.boolean(),
    leaseMinutes: z.number().int(),
    load: z.record(z.string(), z.number()),
    unread: z.number().int(),
    stepCount: z.number().int(),
  })
  .openapi("AgentSummary");

const agentsRoute = createRoute({
  method: "get",
  path: "/agents",
  operationId: "listAgents",
  tags: ["Agents"],
  summary: "List agents with their load",
  description:
    "People see every agent with its load and unread count. An agent sees itself that way, and only the public face of the others (name, description, capabilities, Response Approach). `view=summary` leaves out the definitions' long parts (Response Approach, memory, resources, tools) from the agents seen whole, with a `stepCount` instead; public faces stay as they are.",
  request: { query: z.strictObject({ view: z.enum(["full", "summary"]).optional().openapi({ description: "full (default) or summary" }) }) },
  responses: { 200: jsonOk(z.object({ items: z.array(z.union([AgentSeen, AgentSummary])) }), "Agents"), ...readErrors },
});

const agentRoute = createRoute({
  method: "get",
  path: "/agents/{agentName}",
  operationId: "getAgent",
  tags: ["Agents"],
  summary: "Get an agent",
  description: "As in the list: another agent's token gets only the public face (name, description, capabilities, Response Approach).",
  request: { params: AgentNameParam },
  responses: { 200: jsonOk(AgentSeen, "The agent"), ...readErrors },
});

const overviewRoute = createRoute({
  method: "get",
  path: "/overview",
  operationId: "getOverview",
  tags: ["Overview"],
  summary: "Everything the overview page shows (people)",
  responses: {
    200: jsonOk(
      z
        .looseObject({
          openInstructions: z.object({ count: z.number().int(), items: z.array(Instruction) }),
          taskCounts: z.record(z.string(), z.number().int()),
          awaitingReview: z.number().int(),
          unreadInPeopleInbox: z.number().int(),
          agents: z.array(Agent),
          staleTasks: z.array(Task),
          activity: z.array(Event),
        })
        .openapi("Overview"),
      "The overview",
    ),
    ...readErrors,
  },
});

const countsRoute = createRoute({
  method: "get",
  path: "/counts",
  operationId: "getShellCounts",
  tags: ["Overview"],
  summary: "Sidebar badges",
  responses: { 200: jsonOk(z.object({ awaitingReview: z.number().int(), unread: z.number().int() }), "Counts"), ...readErrors },
});

const eventsRoute = createRoute({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tags: ["Overview"],
  summary: "The audit log (people)",
  description: "Newest first, or oldest first after `afterId` (to catch up). Page with beforeId=nextBeforeId or afterId=nextAfterId.",
  request: { query: z.strictObject({ afterId: qInt, beforeId: qInt, instructionId: z.string().max(64).optional(), limit: qLimit }) },
  responses: {
    200: jsonOk(z.object({ items: z.array(Event), nextBeforeId: z.number().int().nullable().optional(), nextAfterId: z.number().int().nullable().optional() }).openapi("AuditPage"), "Events"),
    ...readErrors,
  },
});

export function registerAccountRoutes(app: V1App) {
  app.openapi(meRoute, (c) => {
    const actor = c.get("actor");
    if (actor.kind === "person") return c.json({ kind: "person" as const, id: actor.id, email: actor.email, name: actor.name, role: actor.role }, 200);
    if (actor.kind === "system") return c.json({ kind: "system" as const, name: actor.name }, 200);
    const a = getAgent(c.get("ctx"), actor.name);
    return c.json(
      {
        kind: "agent" as const,
        name: a.name,
        tokenId: actor.tokenId ?? null,
        agent: {
          ...agentIdentity(a),
          capabilities: a.capabilities,
          tools: a.tools,
          leaseMinutes: a.leaseMinutes,
          steps: a.steps.map((s) => ({ position: s.position, title: s.title })),
        },
      },
      200,
    );
  });
  app.openapi(agentsRoute, (c) => {
    const items = listAgentsFor(c.get("ctx"));
    if (c.req.valid("query").view !== "summary") return c.json({ items }, 200);
    // Only the agents seen whole carry a load: a public face is already short.
    return c.json({ items: items.map((a) => ("load" in a ? agentSummary(a) : a)) }, 200);
  });
  app.openapi(agentRoute, (c) => c.json(getAgentFor(c.get("ctx"), c.req.valid("param").agentName), 200));
  app.openapi(overviewRoute, (c) => c.json(getOverview(c.get("ctx")), 200));
  app.openapi(countsRoute, (c) => c.json(getShellCounts(c.get("ctx")), 200));
  app.openapi(eventsRoute, (c) => {
    const q = c.req.valid("query");
    const limit = q.limit ?? 50;
    const items = listEvents(c.get("ctx"), { ...q, limit });
    const full = items.length === limit;
    const last = items[items.length - 1];
    return c.json(q.afterId !== undefined ? { items, nextAfterId: full && last ? last.id : null } : { items, nextBeforeId: full && last ? last.id : null }, 200);
  });
}
