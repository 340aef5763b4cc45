import type { Metadata } from "next";
import { Markdown } from "@/components/markdown/markdown";
import { agentSummary, getTask, listAgents, listEvents } from "@/lib/services";
import { taskTimeline } from "@/lib/services/charts";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { TaskView } from "@/components/tasks/task-view";
import { TaskTimelineChart } from "@/components/charts/task-timeline";
import { ChartRefresh } from "@/components/charts/chart-refresh";
import { orNotFound, titleOr } from "@/app/(dashboard)/page-data";

type Props = { params: Promise<{ taskId: string }> };

async function load(taskId: string) {
  const ctx = await getPageContext();
  return { ctx, task: orNotFound(() => getTask(ctx, taskId), ["not_found", "forbidden"]) };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId } = await params;
  return titleOr("Task", async () => (await load(decodeURIComponent(taskId))).task.title);
}

export default async function TaskPage({ params }: Props) {
  const { taskId } = await params;
  const { ctx, task } = await load(decodeURIComponent(taskId));
  const events = listEvents(ctx, { taskId: task.id, limit: 200 });
  const agents = listAgents(ctx).map(agentSummary);
  // Drawn here on the server; ChartRefresh asks for a fresh render when this task's steps, runs or
  // outputs change, and each minute while it is open (what is under way is drawn up to now).
  const open = task.status !== "completed" && task.status !== "cancelled";
  const drawn = taskTimeline(ctx, task.id);
  const timeline = (
    <>
      <ChartRefresh scope={{ kind: "task", taskId: task.id }} drawnAt={drawn.drawnAt} minIntervalMs={5_000} periodMs={open ? 60_000 : undefined} />
      <TaskTimelineChart data={drawn} />
    </>
  );
  return (
    <PageBody>
      <SetBreadcrumbs items={[{ label: "Tasks", href: "/tasks" }, { label: task.instructionId, href: `/instructions/${encodeURIComponent(task.instructionId)}`, mono: true }, { label: task.title }]} />
      <TaskView initialTask={task} initialEvents={events} agents={agents} description={{ text: task.description, node: <Markdown>{task.description}</Markdown> }} timeline={timeline} />
    </PageBody>
  );
}
