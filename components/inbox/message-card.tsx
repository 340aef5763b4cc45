"use client";
import * as React from "react";
import Link from "next/link";
import { CornerDownRight } from "lucide-react";
import type { MessageDto } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { LiveMarkdown, type RenderedMarkdown } from "@/components/markdown/live-markdown";
import { MessageTypeChip } from "@/components/ui/message-type-chip";
import { PriorityLabel } from "@/components/ui/priority-dot";
import { RelativeTime } from "@/components/ui/relative-time";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";
import { Recipient, Sender } from "./party";

export interface TaskRef {
  title: string;
  ref: string;
}

/** One message of a thread. The body is agent-written: it goes through the sanitising Markdown only. */
export function MessageCard({
  message: m,
  task,
  inThisInbox,
  pending,
  rendered,
}: {
  message: MessageDto;
  /** The body as rendered by the page on the server (messages that arrive later render on demand). */
  rendered?: RenderedMarkdown;
  task?: TaskRef;
  /** Addressed to the inbox being read (its read state is this inbox's). */
  inThisInbox: boolean;
  pending?: boolean;
}) {
  const unread = inThisInbox && !m.readAt;
  return (
    <article
      id={`msg-${m.id}`}
      aria-labelledby={`msg-${m.id}-from`}
      data-testid={`message-${m.id}`}
      data-unread={unread ? "true" : "false"}
      className={cn(
        "scroll-mt-4 rounded-lg border bg-card transition-opacity",
        unread && "border-status-progress/40 shadow-[inset_3px_0_0_var(--status-progress)]",
        pending && "opacity-60",
        m.archivedAt && "bg-muted/40",
      )}
    >
      <header className="flex flex-wrap items-center gap-x-2 gap-y-1 border-b px-3 py-2 text-xs">
        <span id={`msg-${m.id}-from`} className="flex min-w-0 items-center gap-1.5 text-sm font-medium">
          <Sender from={m.from} />
          <span className="text-muted-foreground" aria-label="to">
            →
          </span>
          <Recipient inbox={m.to} className="font-normal text-muted-foreground" />
        </span>
        <MessageTypeChip type={m.type} />
        {m.priority !== "normal" && <PriorityLabel priority={m.priority} />}
        <span className="ml-auto flex items-center gap-2 text-muted-foreground">
          {pending ? (
            <span aria-live="polite">Sending…</span>
          ) : (
            <>
              {inThisInbox && (unread ? <span className="font-medium text-status-progress">unread</span> : m.readAt ? <RelativeTime date={m.readAt} prefix="read " /> : null)}
              {m.answeredAt && <span className="text-status-done">answered</span>}
              {m.archivedAt && <span>archived</span>}
              <RelativeTime date={m.createdAt} className="text-foreground/80" />
            </>
          )}
        </span>
      </header>
      {(m.taskId || m.instructionId) && (
        <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5 border-b bg-muted/30 px-3 py-1 text-xs text-muted-foreground">
          <CornerDownRight aria-hidden className="size-3" />
          {m.taskId ? (
            <>
              <span>About</span>
              <Link href={hrefs.task(m.taskId)} className="min-w-0 truncate font-medium text-foreground hover:underline">
                {task ? task.title : <Mono>{m.taskId}</Mono>}
              </Link>
              {m.stepPosition != null && (
                <Link href={`${hrefs.task(m.taskId)}#step-${m.stepPosition}`} className="hover:underline">
                  step {m.stepPosition}
                </Link>
              )}
            </>
          ) : (
            m.instructionId && (
              <>
                <span>About instruction</span>
                <Link href={hrefs.instruction(m.instructionId)} className="hover:underline">
                  <Mono>{m.instructionId}</Mono>
                </Link>
              </>
            )
          )}
        </p>
      )}
      <div className="px-3 py-2.5">{m.body.trim() ? <LiveMarkdown text={m.body} rendered={rendered} /> : <p className="text-sm text-muted-foreground italic">(no text)</p>}</div>
    </article>
  );
}
