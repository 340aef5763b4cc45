import type { Metadata } from "next";
import { getThread, taskTitles } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { ThreadView } from "@/components/inbox/thread-view";
import { Markdown } from "@/components/markdown/markdown";
import type { RenderedMarkdown } from "@/components/markdown/live-markdown";
import type { TaskRef } from "@/components/inbox/message-card";
import { routeParam } from "@/components/inbox/params";
import { orNotFound, titleOr } from "@/app/(dashboard)/page-data";

type Params = Promise<{ agentName: string; threadId: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const ctx = await getPageContext();
  const { threadId } = await params;
  return titleOr("Thread", () => getThread(ctx, routeParam(threadId)).subject || "Thread");
}

export default async function ThreadPage({ params }: { params: Params }) {
  const ctx = await getPageContext();
  const { threadId } = await params;
  const thread = orNotFound(() => getThread(ctx, routeParam(threadId)));
  // The tasks the messages concern, by title (a thread rarely names more than one or two).
  // (A task deleted since, or hidden from this reader, is left out: its link shows the id.)
  const tasks: Record<string, TaskRef> = taskTitles(ctx, [...new Set(thread.messages.map((m) => m.taskId).filter((t): t is string => !!t))]);
  // Bodies rendered here, on the server: the renderer stays out of the page's JavaScript.
  const bodies: Record<string, RenderedMarkdown> = {};
  for (const m of thread.messages) if (m.body.trim()) bodies[m.id] = { text: m.body, node: <Markdown>{m.body}</Markdown> };
  return <ThreadView key={thread.threadId} initial={thread} tasks={tasks} bodies={bodies} />;
}
