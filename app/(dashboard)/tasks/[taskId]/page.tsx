import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { Markdown } from "@/components/markdown/markdown";
import { agentSummary, getTask, isServiceError, listAgents, listEvents } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { PageBody } from "@/components/shell/page-header";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { TaskView } from "@/components/tasks/task-view";

type Props = { params: Promise<{ taskId: string }> };

async function load(taskId: string) {
  const ctx = await getPageContext();
  try {
    return { ctx, task: getTask(ctx, taskId) };
  } catch (err) {
    if (isServiceError(err) && (err.code === "not_found" || err.code === "forbidden")) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { taskId } = await params;
  try {
    const { task } = await load(decodeURIComponent(taskId));
    return { title: task.title };
  } catch {
    return { title: "Task" };
  }
}

export default async function TaskPage({ params }: Props) {
  const { taskId } = await params;
  const { ctx, task } = await load(decodeURIComponent(taskId));
  const events = listEvents(ctx, { taskId: task.id, limit: 200 });
  const agents = listAgents(ctx).map(agentSummary);
  return (
    <PageBody>
      <SetBreadcrumbs
        items={[
          { label: "Tasks", href: "/tasks" },
          { label: task.instructionId, href: `/instructions/${encodeURIComponent(task.instructionId)}`, mono: true },
          { label: task.title },
        ]}
      />
      <TaskView initialTask={task} initialEvents={events} agents={agents} description={{ text: task.description, node: <Markdown>{task.description}</Markdown> }} />
    </PageBody>
  );
}
