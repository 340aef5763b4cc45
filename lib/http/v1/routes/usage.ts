import "server-only";
import { createRoute, z } from "@hono/zod-openapi";
import { getAgent, type ServiceContext } from "@/lib/services";
import { agentUsage, listAgentRuns, requireUsageReader, usageOverview } from "@/lib/services/runs";
import { jsonOk, readErrors, type V1App } from "../route-kit";
import { AgentNameParam, UsageTotals } from "../schemas";
import { Run } from "./runs";

const tags = ["Usage"];

const Day = z.string().openapi({ format: "date", example: "2026-11-26", description: "A UTC day (the day the run started)" });
const daysQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).optional().openapi({ description: "How many days back, today (UTC) included (default 14)" }),
});
const DayUsage = UsageTotals.extend({ day: Day }).openapi("DayUsage");

const overviewRoute = createRoute({
  method: "get",
  path: "/usage",
  operationId: "getUsage",
  tags,
  summary: "Tokens and cost of every agent (people)",
  description:
    "What the runs reported (claude-code: stream-json usage and Claude Code's cost estimate) over the last `days` days: the total, day by day (only days with runs), and by agent, most expensive first. Agents get 403 `forbidden`.",
  request: { query: daysQuery },
  responses: {
    200: jsonOk(
      UsageTotals.extend({
        days: z.number().int(),
        since: Day.openapi({ description: "The first day counted" }),
        byDay: z.array(DayUsage),
        byAgent: z.array(UsageTotals.extend({ agent: z.string() })),
      }).openapi("UsageOverview"),
      "Usage",
    ),
    ...readErrors,
  },
});

const agentUsageRoute = createRoute({
  method: "get",
  path: "/agents/{agentName}/usage",
  operationId: "getAgentUsage",
  tags,
  summary: "An agent's tokens and cost (people, or the agent itself)",
  description: "The totals since the agent's first run, and the last `days` days day by day (only days with runs). Another agent's token gets 403 `forbidden`.",
  request: { params: AgentNameParam, query: daysQuery },
  responses: {
    200: jsonOk(
      UsageTotals.extend({
        agent: z.string(),
        days: z.number().int(),
        byDay: z.array(DayUsage),
      }).openapi("AgentUsage"),
      "Usage of the agent",
    ),
    ...readErrors,
  },
});

const agentRunsRoute = createRoute({
  method: "get",
  path: "/agents/{agentName}/runs",
  operationId: "listAgentRuns",
  tags: ["Runs"],
  summary: "An agent's runs (people, or the agent itself)",
  description: "Newest first, with the runs without a task (the agent woken to answer messages: `taskId` null). Another agent's token gets 403 `forbidden`.",
  request: {
    params: AgentNameParam,
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional().openapi({ description: "How many (default 20)" }) }),
  },
  responses: { 200: jsonOk(z.object({ items: z.array(Run) }).openapi("AgentRunList"), "The runs"), ...readErrors },
});

/** The agent, checked: the caller may read it (403), and it exists (404). */
function readableAgent(ctx: ServiceContext, name: string): string {
  requireUsageReader(ctx.actor, name);
  return getAgent(ctx, name).name;
}

export function registerUsageRoutes(app: V1App) {
  app.openapi(overviewRoute, (c) => {
    const ctx = c.get("ctx");
    const days = c.req.valid("query").days ?? 14;
    return c.json({ days, ...usageOverview(ctx, days) }, 200);
  });
  app.openapi(agentUsageRoute, (c) => {
    const ctx = c.get("ctx");
    const agent = readableAgent(ctx, c.req.valid("param").agentName);
    const days = c.req.valid("query").days ?? 14;
    return c.json({ agent, days, ...agentUsage(ctx, agent, days) }, 200);
  });
  app.openapi(agentRunsRoute, (c) => {
    const ctx = c.get("ctx");
    const agent = readableAgent(ctx, c.req.valid("param").agentName);
    return c.json(listAgentRuns(ctx, { agent, limit: c.req.valid("query").limit }), 200);
  });
}
