import "server-only";
import { asc, eq, sql } from "drizzle-orm";
import { dialect } from "@/db/engine";
import { agents, inboxUnread, tasks } from "@/db/schema";
import { openTaskStatuses as openStatuses } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "../context";
import { agentDto } from "../dto";
import { notFound } from "../errors";
import { agentWorkflows } from "../tasks/task-steps";
import { derivePermissions, permissionsView } from "../access/memory-permissions";


/** Each agent with its load: open tasks by status and unread messages in its inbox. */
export function listAgents(ctx: ServiceContext, q: { includeInactive?: boolean } = {}) {
  const rows = ctx.db
    .select()
    .from(agents)
    .where(q.includeInactive ? undefined : eq(agents.active, true))
    .orderBy(asc(agents.name))
    .all();
  // One pass over the (assigned_agent, status, ...) index, which covers the query. The unary + keeps
  // the planner off the (status, lease_expires_at) index: from there it read every open task's row
  // (50,000 in the large bench dataset) and sorted them to group: 246 ms → 9 ms.
  const load = ctx.db
    .select({ agent: tasks.assignedAgent, status: tasks.status, n: sql<number>`count(*)` })
    .from(tasks)
    .where(sql`${dialect(ctx.db).noIndex(tasks.status)} IN (${sql.join(openStatuses.map((st) => sql`${st}`), sql`, `)})`)
    .groupBy(tasks.assignedAgent, tasks.status)
    .all();
  // Kept per inbox by triggers on messages (migration 0008) instead of counted here.
  const unread = ctx.db.select({ inbox: inboxUnread.inbox, n: inboxUnread.unread }).from(inboxUnread).all();
  return rows.map((a) => {
    const mine = load.filter((l) => l.agent === a.name);
    const byStatus = Object.fromEntries(openStatuses.map((s) => [s, mine.find((l) => l.status === s)?.n ?? 0])) as Record<(typeof openStatuses)[number], number>;
    return {
      ...agentDto(a),
      // What its Memory Ownership lets it do (docs/permissions.md), for the agent page's card.
      permissions: permissionsView(derivePermissions(a.memory, a.name)),
      load: { ...byStatus, open: Object.values(byStatus).reduce((x, y) => x + y, 0) },
      unread: unread.find((u) => u.inbox === a.name)?.n ?? 0,
    };
  });
}
export type AgentListItem = ReturnType<typeof listAgents>[number];

/**
 * What pickers, filters and swatches in the pages need of an agent. The definition's long parts
 * (the Response Approach with its guidance, memory, resources) stay on the server: with 100 agents
 * they were 200 kB of every task page's HTML (docs/benchmarks.md).
 */
export function agentSummary(a: AgentListItem) {
  const { steps, stepsSource: _stepsSource, memory: _memory, permissions: _permissions, resources: _resources, extra: _extra, capabilities: _capabilities, tools: _tools, sourcePath: _sourcePath, ...summary } = a;
  // The names of the agent's alternative workflows ([] with a single procedure): what a new task may pick (createTask `workflow`).
  return { ...summary, stepCount: steps.length, workflows: agentWorkflows(a).map((w) => w.name) };
}
export type AgentSummary = ReturnType<typeof agentSummary>;

export function getAgent(ctx: ServiceContext, name: string) {
  const a = ctx.db.select().from(agents).where(eq(agents.name, name)).get();
  if (!a) throw notFound("Agent", name);
  const all = listAgents(ctx, { includeInactive: true });
  return all.find((x) => x.name === a.name)!;
}

/** What any agent may know of another: who it is, what it can do, and the steps it works through. */
export function publicAgent(a: AgentListItem) {
  return { name: a.name, description: a.description, capabilities: a.capabilities, steps: a.steps };
}
export type PublicAgent = ReturnType<typeof publicAgent>;

const seenBy = (ctx: ServiceContext, a: AgentListItem): AgentListItem | PublicAgent =>
  ctx.actor.kind === "agent" && ctx.actor.name !== a.name ? publicAgent(a) : a;

/**
 * The agents as the caller may see them (the REST list): people, and an agent about itself, get
 * everything with load and unread counts; an agent gets only the public face of the others.
 */
export function listAgentsFor(ctx: ServiceContext): (AgentListItem | PublicAgent)[] {
  return listAgents(ctx).map((a) => seenBy(ctx, a));
}

/** One agent as the caller may see it (see listAgentsFor); unknown names are not found. */
export function getAgentFor(ctx: ServiceContext, name: string): AgentListItem | PublicAgent {
  return seenBy(ctx, getAgent(ctx, name));
}
