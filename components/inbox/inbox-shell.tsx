"use client";
import * as React from "react";
import Link from "next/link";
import { useParams } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import type { MessageDto, Page } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { cn } from "@/components/ui/cn";
import { InboxProvider, inboxLabel, type InboxMe } from "./inbox-context";
import { InboxPicker, InboxSelect } from "./inbox-picker";
import { ThreadList } from "./thread-list";
import type { InboxEntry } from "@/lib/queries/messages";

/**
 * The mail-client frame: inbox picker · thread list · the thread (`children`, the route's page).
 * The list lives in the layout, so moving between threads keeps its scroll, loaded pages and focus.
 * On narrow screens the list and the thread take turns.
 */
export function InboxShell({
  inbox,
  me,
  canWrite,
  agentColors,
  inboxes,
  initialPage,
  children,
}: {
  inbox: string;
  me: InboxMe;
  canWrite: boolean;
  agentColors: Record<string, string | null>;
  inboxes: InboxEntry[];
  initialPage: Page<MessageDto> & { unreadCount: number };
  children: React.ReactNode;
}) {
  const params = useParams<{ threadId?: string }>();
  const open = !!params.threadId;
  const value = React.useMemo(() => ({ inbox, me, canWrite, agentColors }), [inbox, me, canWrite, agentColors]);
  return (
    <InboxProvider value={value}>
      <div className="flex h-full min-h-0">
        <aside aria-label="Inbox picker" className="hidden w-56 shrink-0 overflow-y-auto border-r bg-sidebar/40 [scrollbar-width:thin] xl:block">
          <InboxPicker initial={inboxes} />
        </aside>
        <section aria-label="Threads" className={cn("min-h-0 w-full flex-col border-r lg:flex lg:w-88 lg:shrink-0", open ? "hidden" : "flex")}>
          <div className="border-b p-2 xl:hidden">
            <InboxSelect initial={inboxes} />
          </div>
          <div className="min-h-0 flex-1">
            <ThreadList initialPage={initialPage} inboxes={inboxes.map((i) => i.inbox)} />
          </div>
        </section>
        <section aria-label="Thread" className={cn("min-h-0 min-w-0 flex-1 flex-col lg:flex", open ? "flex" : "hidden")}>
          {open && (
            <div className="border-b px-4 py-1.5 lg:hidden">
              <Link href={hrefs.inbox(inbox)} className="inline-flex items-center gap-1 text-xs text-muted-foreground hover:text-foreground">
                <ArrowLeft className="size-3.5" /> {inboxLabel(inbox)}
              </Link>
            </div>
          )}
          <div className="min-h-0 flex-1">{children}</div>
        </section>
      </div>
    </InboxProvider>
  );
}
