"use client";
import * as React from "react";
import Link from "next/link";
import { SearchX } from "lucide-react";
import { useMessageSearch } from "@/lib/queries/messages";
import { hrefs } from "@/lib/queries/links";
import { MessageTypeChip } from "@/components/ui/message-type-chip";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { SkeletonRows } from "@/components/ui/skeleton";
import { cn } from "@/components/ui/cn";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { inboxLabel, useInboxEnv } from "./inbox-context";
import { Recipient, Sender } from "./party";
import { splitSnippet } from "./snippet";

/** A snippet with its hits as <mark>: split on the control characters, never parsed as HTML. */
export function Highlighted({ snippet, className }: { snippet: string; className?: string }) {
  return <span className={className}>{splitSnippet(snippet).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <React.Fragment key={i}>{p.text}</React.Fragment>))}</span>;
}

export function SearchResults({ q, scopeAll }: { q: string; scopeAll: boolean }) {
  const { inbox } = useInboxEnv();
  const listRef = React.useRef<HTMLUListElement>(null);
  useListNavigation(listRef);
  const term = q.trim();
  const scope = scopeAll ? undefined : inbox;
  const search = useMessageSearch(term, scope);
  const where = scopeAll ? "all inboxes" : `${inboxLabel(inbox)}'s inbox`;

  let body: React.ReactNode;
  if (search.isPending) body = <SkeletonRows rows={5} className="p-3" rowClassName="h-14" />;
  else if (search.error) body = <ErrorState compact className="m-3" title="The search failed" error={search.error} onRetry={() => void search.refetch()} />;
  else if (!search.data.items.length)
    body = (
      <div className="p-3">
        <EmptyState compact icon={<SearchX />} title="No matches" description={`Nothing in ${where} matches “${term}”. Try fewer words, a word's start with * (refund*), or all inboxes.`} />
      </div>
    );
  else
    body = (
      <ul ref={listRef} className={cn("divide-y", search.isPlaceholderData && "opacity-60")}>
        {search.data.items.map((hit) => (
          <li key={hit.id}>
            <Link
              href={`${hrefs.thread(hit.to, hit.threadId)}?${new URLSearchParams({ q: term, ...(scopeAll ? { in: "all" } : {}) })}#msg-${hit.id}`}
              data-nav-item
              data-testid={`search-hit-${hit.id}`}
              className="grid gap-0.5 px-3 py-2 text-sm hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
            >
              <span className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
                <Sender from={hit.from} className="text-xs" />
                <span aria-label="to">→</span>
                <Recipient inbox={hit.to} className="text-xs" />
                <RelativeTime date={hit.createdAt} className="ml-auto shrink-0" />
              </span>
              <span className="flex min-w-0 items-center gap-1.5">
                <MessageTypeChip type={hit.type} className="shrink-0" />
                <span className="truncate font-medium">{hit.subject || "(no subject)"}</span>
              </span>
              <Highlighted snippet={hit.snippet} className="line-clamp-2 text-xs text-muted-foreground" />
            </Link>
          </li>
        ))}
      </ul>
    );

  return (
    <div className="min-h-0 flex-1 overflow-y-auto [scrollbar-width:thin]" data-testid="search-results" aria-live="polite" aria-busy={search.isFetching}>
      <p className="border-b px-3 py-1.5 text-[11px] text-muted-foreground">
        {search.data ? `${search.data.items.length}${search.data.items.length === 50 ? "+" : ""} results` : "Searching"} in {where}
      </p>
      {body}
    </div>
  );
}
