import type * as React from "react";
import Link from "next/link";
import { MessageTypeChip } from "@/components/ui/message-type-chip";
import { hrefs } from "@/lib/queries/links";
import { cn } from "@/components/ui/cn";

/** What a message summary line needs to show and link to. */
export interface MessageSummary {
  to: string;
  threadId: string;
  type: React.ComponentProps<typeof MessageTypeChip>["type"];
  from: { name: string };
  subject: string;
}

/** A message in a side list (task, instruction): type, sender → inbox, then the subject; opens its thread. */
export function MessageLink({ message: m, className, extra }: { message: MessageSummary; className?: string; extra?: React.ReactNode }) {
  return (
    <Link href={hrefs.thread(m.to, m.threadId)} className={cn("grid gap-0.5 hover:bg-accent", className)}>
      <span className="flex items-center gap-1.5 text-xs text-muted-foreground">
        <MessageTypeChip type={m.type} />
        <span className="truncate">
          {m.from.name} → {m.to}
        </span>
        {extra}
      </span>
      <span className="truncate text-sm">{m.subject}</span>
    </Link>
  );
}
