import { priorities as priorityList } from "@/lib/domain/vocabulary";
import type { Metadata } from "next";
import { agentSummary, listAgents, listInstructions, taskBoard, taskCard, type ListTasksQuery } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { TaskBoard, type BoardFiltersValue } from "@/components/tasks/board";
import { BOARD_COLUMN_PAGE } from "@/components/tasks/board-page-size";

export const metadata: Metadata = { title: "Tasks" };

const priorities: ReadonlySet<string> = new Set(priorityList);
const one = (v: string | string[] | undefined) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

export default async function TasksPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await getPageContext();
  const sp = await searchParams;
  const priority = one(sp.priority);
  const filters: BoardFiltersValue = {
    agent: one(sp.agent),
    instruction: one(sp.instruction),
    priority: priority && priorities.has(priority) ? priority : undefined,
  };
  const columns = taskBoard(ctx, {
    agent: filters.agent,
    instructionId: filters.instruction,
    priority: filters.priority as ListTasksQuery["priority"],
    perColumn: BOARD_COLUMN_PAGE,
  }).map((c) => ({ ...c, items: c.items.map(taskCard) }));
  const agents = listAgents(ctx).map(agentSummary);
  const instructions = listInstructions(ctx, { limit: 100 }).items.map((i) => ({ id: i.id, title: i.title, phase: i.phase }));
  return (
    <div className="flex h-full min-h-0 flex-col px-6 pt-5 pb-3">
      <div className="pb-3">
        <h1 className="text-lg font-semibold tracking-tight">Tasks</h1>
        <p className="mt-0.5 text-xs text-muted-foreground">Drag a card, or use its move menu, to change its column. Agents move their own tasks as they work.</p>
      </div>
      <TaskBoard key={JSON.stringify(filters)} columns={columns} filters={filters} agents={agents} instructions={instructions} />
    </div>
  );
}
