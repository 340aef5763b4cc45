"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Megaphone, Users } from "lucide-react";
import { hrefs, PEOPLE_INBOX } from "@/lib/queries/links";
import { AgentSwatch } from "@/components/ui/agent-swatch";
import { Select } from "@/components/ui/select";
import { cn } from "@/components/ui/cn";
import { inboxLabel, isBroadcastInbox, useInboxEnv } from "./inbox-context";
import { useInboxes, type InboxEntry } from "@/lib/queries/messages";

function UnreadCount({ inbox, count }: { inbox: string; count: number }) {
  return (
    <>
      <span
        data-testid={`unread-count-${inbox}`}
        data-count={count}
        aria-hidden
        className={cn("ml-auto min-w-5 rounded-full px-1.5 text-center text-[11px] leading-5 font-medium tabular-nums", count ? "bg-status-progress/10 text-status-progress" : "text-transparent")}
      >
        {count > 999 ? "999+" : count}
      </span>
      <span className="sr-only">{count ? `, ${count} unread` : ", no unread messages"}</span>
    </>
  );
}

/** The people's inbox first, then each agent's, with unread counts. */
export function InboxPicker({ initial }: { initial: InboxEntry[] }) {
  const { inbox: current, agentColors } = useInboxEnv();
  const { data: inboxes } = useInboxes(initial);
  const people = inboxes.filter((i) => i.inbox === PEOPLE_INBOX);
  const channels = inboxes.filter((i) => isBroadcastInbox(i.inbox));
  const agents = inboxes.filter((i) => i.inbox !== PEOPLE_INBOX && !isBroadcastInbox(i.inbox));
  const item = (i: InboxEntry) => {
    const active = i.inbox === current;
    return (
      <li key={i.inbox}>
        <Link
          href={hrefs.inbox(i.inbox)}
          aria-current={active ? "page" : undefined}
          className={cn(
            "flex h-8 items-center gap-2 rounded-md px-2 text-sm transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring",
            active ? "bg-accent font-medium text-foreground" : "text-muted-foreground",
            i.unread > 0 && !active && "text-foreground",
          )}
        >
          {i.inbox === PEOPLE_INBOX ? (
            <Users aria-hidden className="size-3.5 shrink-0" />
          ) : isBroadcastInbox(i.inbox) ? (
            <Megaphone aria-hidden className="size-3.5 shrink-0" />
          ) : (
            <AgentSwatch color={agentColors[i.inbox]} name={i.inbox} />
          )}
          <span className="min-w-0 truncate">{i.inbox === PEOPLE_INBOX ? "People's inbox" : inboxLabel(i.inbox)}</span>
          <UnreadCount inbox={i.inbox} count={i.unread} />
        </Link>
      </li>
    );
  };
  return (
    <nav aria-label="Inboxes" className="grid gap-3 p-2" data-testid="inbox-picker">
      <ul className="grid gap-0.5">{people.map(item)}</ul>
      {agents.length > 0 && (
        <div className="grid gap-1">
          <h2 className="px-2 text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">Agents</h2>
          <ul className="grid gap-0.5">{agents.map(item)}</ul>
        </div>
      )}
      {channels.length > 0 && (
        <div className="grid gap-1" data-testid="inbox-channels">
          <h2 className="px-2 text-[11px] font-semibold tracking-wide text-muted-foreground uppercase">Channels</h2>
          <ul className="grid gap-0.5">{channels.map(item)}</ul>
        </div>
      )}
    </nav>
  );
}

/** The same choice as a select, for narrow screens where the picker column is hidden. */
export function InboxSelect({ initial, className }: { initial: InboxEntry[]; className?: string }) {
  const { inbox: current } = useInboxEnv();
  const router = useRouter();
  const { data: inboxes } = useInboxes(initial);
  return (
    <Select aria-label="Inbox" value={current} onChange={(e) => router.push(hrefs.inbox(e.target.value))} className={className}>
      {inboxes.map((i) => (
        <option key={i.inbox} value={i.inbox}>
          {inboxLabel(i.inbox)}
          {i.unread ? ` (${i.unread})` : ""}
        </option>
      ))}
    </Select>
  );
}
