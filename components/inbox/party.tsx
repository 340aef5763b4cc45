"use client";
import * as React from "react";
import { Cog, Megaphone, User, Users } from "lucide-react";
import { AgentName } from "@/components/ui/agent-swatch";
import { cn } from "@/components/ui/cn";
import { PEOPLE_INBOX } from "@/lib/queries/links";
import { inboxLabel, isBroadcastInbox, useInboxEnv } from "./inbox-context";

/** Who sent a message: an agent (with its swatch), a person, or the system. */
export function Sender({ from, className }: { from: { kind: string; name: string }; className?: string }) {
  const { agentColors } = useInboxEnv();
  if (from.kind === "agent") return <AgentName name={from.name} color={agentColors[from.name]} className={cn("text-[inherit]", className)} />;
  const Icon = from.kind === "person" ? User : Cog;
  return (
    <span className={cn("inline-flex min-w-0 items-center gap-1.5", className)}>
      <Icon aria-hidden className="size-3 shrink-0 text-muted-foreground" />
      <span className="truncate">{from.kind === "system" ? from.name.replace(/^system:/, "") : from.name}</span>
      <span className="sr-only">({from.kind})</span>
    </span>
  );
}

/** Where a message went: the people's inbox, an agent's, or a broadcast channel. */
export function Recipient({ inbox, className }: { inbox: string; className?: string }) {
  const { agentColors } = useInboxEnv();
  if (inbox === PEOPLE_INBOX) {
    return (
      <span className={cn("inline-flex min-w-0 items-center gap-1.5", className)} title="The people's inbox (hitl)">
        <Users aria-hidden className="size-3 shrink-0 text-muted-foreground" />
        <span className="truncate">people</span>
      </span>
    );
  }
  if (isBroadcastInbox(inbox)) {
    return (
      <span className={cn("inline-flex min-w-0 items-center gap-1.5", className)} title={inbox === "broadcast" ? "Broadcast to every agent" : `Broadcast channel ${inboxLabel(inbox)}`}>
        <Megaphone aria-hidden className="size-3 shrink-0 text-muted-foreground" />
        <span className="truncate">{inboxLabel(inbox)}</span>
      </span>
    );
  }
  return <AgentName name={inbox} color={agentColors[inbox]} className={cn("text-[inherit]", className)} />;
}
