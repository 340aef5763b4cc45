import "server-only";
import { sql } from "drizzle-orm";
import type { ServiceContext } from "../context";
import { ServiceError } from "../errors";

/**
 * The task `claimTask` without a taskId would take for the calling agent right now, without taking
 * it: its highest-priority pending task whose dependencies are all completed (the order and the
 * readiness test of claim-task.ts's claimNext), or null. Read only; for the MCP prompt
 * start_next_task, which tells the agent what to do next without claiming for it.
 */
export function nextClaimableTaskId(ctx: ServiceContext): string | null {
  const { actor } = ctx;
  if (actor.kind !== "agent") throw new ServiceError("forbidden", "Only an agent has tasks to claim");
  const row = ctx.db.get<{ id: string } | undefined>(sql`
    SELECT t.id FROM tasks t
    WHERE t.assigned_agent = ${actor.name} AND t.status = 'pending'
      AND NOT EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks dt ON dt.id = d.depends_on_task_id
                      WHERE d.task_id = t.id AND dt.status <> 'completed')
    ORDER BY t.priority_rank, t.created_at, t.id LIMIT 1`);
  return row?.id ?? null;
}
