"use client";
import * as React from "react";
import { useRouter, useSearchParams } from "next/navigation";
import { toast } from "sonner";
import { Archive, ArchiveRestore, Mail, MailOpen } from "lucide-react";
import { hrefs } from "@/lib/queries/links";
import { Button } from "@/components/ui/button";
import { Kbd } from "@/components/ui/kbd";
import { ErrorState } from "@/components/ui/error-state";
import { Tooltip } from "@/components/ui/tooltip";
import { SetBreadcrumbs } from "@/components/shell/breadcrumbs";
import { autoMarksRead, filtersOf, inboxLabel, useInboxEnv } from "./inbox-context";
import { MessageCard, type TaskRef } from "./message-card";
import type { RenderedMarkdown } from "@/components/markdown/live-markdown";
import { Recipient } from "./party";
import { ReplyBox, type ReplyBoxHandle } from "./reply-box";
import { useMarkMessages, useReply, useThread, type ThreadData } from "@/lib/queries/messages";
import { useShortcuts } from "./use-shortcuts";

type ThreadMessage = ThreadData["messages"][number];

/**
 * The message the reply box answers: the newest one addressed to this inbox, else the newest from
 * someone else. Where the reply lands is the server's answer on that message (`replyTo`).
 */
function replyTarget(messages: ThreadMessage[], inbox: string, me: string): ThreadMessage | null {
  const real = messages.filter((m) => !m.id.startsWith("pending-"));
  for (let i = real.length - 1; i >= 0; i--) if (real[i].to === inbox) return real[i];
  for (let i = real.length - 1; i >= 0; i--) if (real[i].from.name !== me) return real[i];
  return real[real.length - 1] ?? null;
}

export function ThreadView({ initial, tasks, bodies = {} }: { initial: ThreadData; tasks: Record<string, TaskRef>; bodies?: Record<string, RenderedMarkdown> }) {
  const env = useInboxEnv();
  const { inbox, me, canWrite } = env;
  const threadId = initial.threadId;
  const router = useRouter();
  const sp = useSearchParams();
  const archivedView = filtersOf(sp).archived;
  const carried = sp.toString() ? `?${sp}` : "";
  const replyRef = React.useRef<ReplyBoxHandle>(null);
  const mark = useMarkMessages();

  const thread = useThread(threadId, initial);
  const data = thread.data ?? initial;
  const messages = data.messages;
  const mine = messages.filter((m) => m.to === inbox && !m.pending);
  const unreadMine = mine.filter((m) => !m.readAt);

  // Opening a thread marks what it holds for this inbox as read (once per opening, so `u` sticks).
  const autoReadDone = React.useRef<string | null>(null);
  const markOnOpen = React.useEffectEvent(() => {
    if (!autoMarksRead(inbox) || !canWrite) return;
    const unread = data.messages.filter((m) => m.to === inbox && !m.readAt && !m.pending);
    if (unread.length) mark.mutate({ messages: unread, action: "read" });
  });
  React.useEffect(() => {
    if (autoReadDone.current === threadId) return;
    autoReadDone.current = threadId;
    markOnOpen();
  }, [threadId]);

  const toggleUnread = () => {
    if (!canWrite || mine.length === 0) return;
    if (unreadMine.length) mark.mutate({ messages: unreadMine, action: "read" });
    else mark.mutate({ messages: [mine[mine.length - 1]], action: "unread", notify: "Marked unread" });
  };

  const toggleArchive = () => {
    if (!canWrite) return;
    const action = archivedView ? "unarchive" : "archive";
    const targets = mine.filter((m) => (action === "archive" ? !m.archivedAt : !!m.archivedAt));
    if (targets.length === 0) {
      toast.info(action === "archive" ? "Nothing of this thread is left in the inbox" : "Nothing of this thread is archived");
      return;
    }
    // Move on to the neighbouring thread, as a mail client does.
    const order = env.threadOrder();
    const i = order.indexOf(threadId);
    const next = i >= 0 ? (order[i + 1] ?? order[i - 1]) : undefined;
    mark.mutate({ messages: targets, action, notify: action === "archive" ? "Archived" : "Moved back to the inbox" });
    router.push(next ? `${hrefs.thread(inbox, next)}${carried}` : `${hrefs.inbox(inbox)}${carried}`);
  };

  const reply = useReply(threadId, me.email, (sent) => toast.success(`Reply sent to ${inboxLabel(sent.to)}`));

  const target = replyTarget(messages, inbox, me.email);

  useShortcuts({
    r: () => replyRef.current?.focus(),
    e: toggleArchive,
    u: toggleUnread,
  });

  const writeReason = canWrite ? undefined : "Viewers have read-only access.";
  const notHere = mine.length === 0 ? `No message of this thread is in ${inboxLabel(inbox)}'s inbox.` : undefined;
  const isArchived = mine.length > 0 && mine.every((m) => m.archivedAt);

  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="thread-view" data-thread-id={threadId}>
      <SetBreadcrumbs items={[{ label: "Inbox", href: hrefs.inbox() }, { label: inboxLabel(inbox), href: hrefs.inbox(inbox) }, { label: data.subject || "(no subject)" }]} />
      <div className="flex flex-wrap items-start gap-2 border-b px-4 py-3">
        <div className="min-w-0 flex-1">
          <h2 className="text-base font-semibold tracking-tight">{data.subject || "(no subject)"}</h2>
          <p className="text-xs text-muted-foreground">
            {messages.length} {messages.length === 1 ? "message" : "messages"}
            {isArchived && " · archived"}
          </p>
        </div>
        <div className="flex shrink-0 items-center gap-1.5">
          <Tooltip content={writeReason ?? notHere ?? (unreadMine.length ? "Mark read (u)" : "Mark unread (u)")}>
            <span>
              <Button size="sm" variant="outline" onClick={toggleUnread} disabled={!canWrite || !!notHere} aria-keyshortcuts="u">
                {unreadMine.length ? <MailOpen /> : <Mail />}
                {unreadMine.length ? "Mark read" : "Mark unread"} <Kbd>u</Kbd>
              </Button>
            </span>
          </Tooltip>
          <Tooltip content={writeReason ?? notHere ?? (archivedView ? "Back to the inbox (e)" : "Archive (e)")}>
            <span>
              <Button size="sm" variant="outline" onClick={toggleArchive} disabled={!canWrite || !!notHere} aria-keyshortcuts="e">
                {archivedView ? <ArchiveRestore /> : <Archive />}
                {archivedView ? "Unarchive" : "Archive"} <Kbd>e</Kbd>
              </Button>
            </span>
          </Tooltip>
        </div>
      </div>
      <div className="min-h-0 flex-1 overflow-y-auto [scrollbar-width:thin]">
        <div className="mx-auto grid max-w-3xl gap-3 px-4 py-4">
          {thread.error && <ErrorState compact title="The thread could not be refreshed" error={thread.error} onRetry={() => void thread.refetch()} />}
          <ol className="grid gap-3" aria-label="Messages">
            {messages.map((m) => (
              <li key={m.id}>
                <MessageCard message={m} task={m.taskId ? tasks[m.taskId] : undefined} inThisInbox={m.to === inbox} pending={m.pending} rendered={bodies[m.id]} />
              </li>
            ))}
          </ol>
          {target && (
            <ReplyBox
              ref={replyRef}
              disabled={!canWrite}
              disabledReason={writeReason}
              to={
                <span className="inline-flex items-center gap-1">
                  Reply to <Recipient inbox={target.replyTo} className="text-xs text-foreground" />
                </span>
              }
              onSend={(body, restore) => reply.mutate({ target, body, restore })}
            />
          )}
        </div>
      </div>
    </div>
  );
}
