import "server-only";
import { and, desc, eq, inArray, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import { instructions, tasks, PEOPLE_INBOX } from "@/db/schema";
import { activeInstructionPhases } from "@/lib/domain/vocabulary";
import type { ServiceContext } from "./context";
import { nowOf } from "./context";
import { instructionDto, taskDto } from "./dto";
import { requirePerson } from "./policy";
import { listAgents } from "./agents/queries";
import { unreadCount } from "./messages/queries";
import { taskCounts } from "./tasks/queries";
import { listEvents } from "./events-queries";
import { countAwaitingReview } from "./outputs/queries";

/** `count(*)` of the rows of `table` matching `where`. */
function countWhere(ctx: ServiceContext, table: typeof instructions, where: SQL | undefined): number {
  return (
    ctx.db
      .select({ n: sql<number>`count(*)` })
      .from(table)
      .where(where)
      .get()?.n ?? 0
  );
}

/** Everything the overview page shows, each part a bounded, indexed query. */
export function getOverview(ctx: ServiceContext) {
  if (ctx.actor.kind === "agent") requirePerson(ctx.actor);
  const now = nowOf(ctx);
  const open = ctx.db
    .select()
    .from(instructions)
    .where(inArray(instructions.phase, [...activeInstructionPhases]))
    .orderBy(desc(instructions.createdAt))
    .limit(8)
    .all();
  const openCount = countWhere(ctx, instructions, inArray(instructions.phase, [...activeInstructionPhases]));
  // Only work in progress has a running lease (a blocked task waits for a person): one walk of the
  // (status, lease_expires_at) index.
  const stale = ctx.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.status, "in_progress"), isNotNull(tasks.leaseExpiresAt), lt(tasks.leaseExpiresAt, now)))
    .orderBy(tasks.leaseExpiresAt, tasks.id)
    .limit(20)
    .all();
  // The review queue's count: what a person can decide on now.
  const awaiting = countAwaitingReview(ctx);
  return {
    openInstructions: { count: openCount, items: open.map(instructionDto) },
    taskCounts: taskCounts(ctx),
    awaitingReview: awaiting,
    unreadInPeopleInbox: unreadCount(ctx, PEOPLE_INBOX),
    agents: listAgents(ctx),
    staleTasks: stale.map((t) => taskDto(t, now)),
    // Run log flushes are noise in an activity feed.
    activity: listEvents(ctx, { limit: 25, excludeVerbs: ["run.output"] }),
  };
}
export type Overview = ReturnType<typeof getOverview>;

/** The sidebar's badges, cheap enough to refresh on every change. */
export function getShellCounts(ctx: ServiceContext) {
  if (ctx.actor.kind === "agent") requirePerson(ctx.actor);
  // The review queue's count: what a person can decide on now.
  const awaiting = countAwaitingReview(ctx);
  return { awaitingReview: awaiting, unread: unreadCount(ctx, PEOPLE_INBOX) };
}
