"use client";
import { PEOPLE_INBOX } from "@/lib/domain/vocabulary";
import * as React from "react";
import Link from "next/link";
import { useParams, useSearchParams } from "next/navigation";
import { Archive, Inbox as InboxIcon, Search, X } from "lucide-react";
import type { MessageDto, Page } from "@/lib/services";
import { useInboxList } from "@/lib/queries/messages";
import { hrefs } from "@/lib/queries/links";
import { MessageTypeChip, messageTypeLabel } from "@/components/ui/message-type-chip";
import { PriorityDot } from "@/components/ui/priority-dot";
import { RelativeTime } from "@/components/ui/relative-time";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { ListLoadMore } from "@/components/ui/load-more";
import { Select } from "@/components/ui/select";
import { Input } from "@/components/ui/input";
import { Button } from "@/components/ui/button";
import { SkeletonRows } from "@/components/ui/skeleton";
import { cn } from "@/components/ui/cn";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { filtersOf, inboxLabel, isBroadcastInbox, isDefaultFilters, useInboxEnv, type InboxFilters } from "./inbox-context";
import { setSearchParams } from "./url-state";
import { Recipient, Sender } from "./party";
import { firstLine } from "./snippet";
import { SearchResults } from "./search-results";
import { ComposeButton } from "./compose-button";
import { routeParam } from "./params";

/** The message types a person filters by most; any other type still works through the URL. */
const filterTypes = [
  "escalation",
  "consultation",
  "consultation_response",
  "review_request",
  "review_response",
  "delegation",
  "status_update",
  "reminder",
  "broadcast",
  "daily_report",
  "weekly_report",
  "handoff",
  "reply",
];

const priorityRank: Record<string, number> = { critical: 3, high: 2, normal: 1, low: 0 };

export interface ThreadRow {
  threadId: string;
  latest: MessageDto;
  unread: boolean;
  count: number;
  priority: string;
}

/** The inbox lists messages, newest first; the list shows each thread once, at its newest message. */
export function threadsOf(messages: MessageDto[]): ThreadRow[] {
  const rows = new Map<string, ThreadRow>();
  for (const m of messages) {
    const row = rows.get(m.threadId);
    if (!row) {
      rows.set(m.threadId, { threadId: m.threadId, latest: m, unread: !m.readAt, count: 1, priority: m.priority });
      continue;
    }
    row.count++;
    if (!m.readAt) row.unread = true;
    if ((priorityRank[m.priority] ?? 1) > (priorityRank[row.priority] ?? 1)) row.priority = m.priority;
  }
  return [...rows.values()];
}

/** `?unread=1&type=…` kept when moving between threads. */
function useCarriedQuery(): string {
  const sp = useSearchParams();
  const s = sp.toString();
  return s ? `?${s}` : "";
}

export function ThreadList({ initialPage, inboxes }: { initialPage: Page<MessageDto> & { unreadCount: number }; inboxes: string[] }) {
  const env = useInboxEnv();
  const sp = useSearchParams();
  const filters = filtersOf(sp);
  const q = sp.get("q") ?? "";
  const scopeAll = sp.get("in") === "all";

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div className="grid gap-2 border-b p-3">
        <div className="flex items-center justify-between gap-2">
          <h1 className="truncate text-sm font-semibold">{env.inbox === PEOPLE_INBOX ? "People's inbox" : isBroadcastInbox(env.inbox) ? inboxLabel(env.inbox) : `${inboxLabel(env.inbox)}'s inbox`}</h1>
          <ComposeButton inboxes={inboxes} />
        </div>
        <SearchBox initial={q} scopeAll={scopeAll} />
        {!q && <FilterBar filters={filters} />}
      </div>
      {q.trim() ? <SearchResults q={q} scopeAll={scopeAll} /> : <Threads key={JSON.stringify(filters)} filters={filters} initialPage={isDefaultFilters(filters) ? initialPage : undefined} />}
    </div>
  );
}

function SearchBox({ initial, scopeAll }: { initial: string; scopeAll: boolean }) {
  const [value, setValue] = React.useState(initial);
  // What this box last wrote to the URL: a different `q` came from outside (back button, a link).
  const [committed, setCommitted] = React.useState(initial);
  const [seen, setSeen] = React.useState(initial);
  if (initial !== seen) {
    setSeen(initial);
    if (initial !== committed) {
      setValue(initial);
      setCommitted(initial);
    }
  }
  const timer = React.useRef<ReturnType<typeof setTimeout> | null>(null);
  const commit = (v: string, replace = true) => {
    if (timer.current) clearTimeout(timer.current);
    const next = v.trim() ? v : "";
    setCommitted(next);
    setSearchParams({ q: next || null }, { replace });
  };
  React.useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return (
    <form
      role="search"
      className="flex items-center gap-1.5"
      onSubmit={(e) => {
        e.preventDefault();
        commit(value, false);
      }}
    >
      <div className="relative min-w-0 flex-1">
        <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" />
        <Input
          type="search"
          aria-label="Search messages"
          placeholder="Search messages…"
          value={value}
          className="pr-7 pl-7 [&::-webkit-search-cancel-button]:appearance-none"
          data-testid="inbox-search"
          onChange={(e) => {
            const v = e.target.value;
            setValue(v);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => commit(v), 300);
          }}
          onKeyDown={(e) => {
            if (e.key === "Escape" && value) {
              e.preventDefault();
              setValue("");
              commit("");
            }
          }}
        />
        {value && (
          <button
            type="button"
            aria-label="Clear the search"
            className="absolute top-1/2 right-1.5 -translate-y-1/2 rounded p-0.5 text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
            onClick={() => {
              setValue("");
              commit("");
            }}
          >
            <X className="size-3.5" />
          </button>
        )}
      </div>
      <Select aria-label="Search in" value={scopeAll ? "all" : "this"} onChange={(e) => setSearchParams({ in: e.target.value === "all" ? "all" : null }, { replace: true })} className="w-28 shrink-0">
        <option value="this">This inbox</option>
        <option value="all">All inboxes</option>
      </Select>
    </form>
  );
}

function FilterBar({ filters }: { filters: InboxFilters }) {
  const toggle = (name: "unread" | "archived", on: boolean) => setSearchParams({ [name]: on ? "1" : null });
  const types = filters.type && !filterTypes.includes(filters.type) ? [filters.type, ...filterTypes] : filterTypes;
  return (
    <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Filters">
      <Button size="xs" variant={filters.unread ? "primary" : "outline"} aria-pressed={filters.unread} onClick={() => toggle("unread", !filters.unread)}>
        Unread only
      </Button>
      <Button size="xs" variant={filters.archived ? "primary" : "outline"} aria-pressed={filters.archived} onClick={() => toggle("archived", !filters.archived)}>
        <Archive /> Archived
      </Button>
      <Select aria-label="Message type" value={filters.type ?? ""} onChange={(e) => setSearchParams({ type: e.target.value || null })} className="ml-auto w-36 [&_select]:h-6 [&_select]:text-xs">
        <option value="">All types</option>
        {types.map((t) => (
          <option key={t} value={t}>
            {messageTypeLabel(t)}
          </option>
        ))}
      </Select>
    </div>
  );
}

function Threads({ filters, initialPage }: { filters: InboxFilters; initialPage?: Page<MessageDto> }) {
  const env = useInboxEnv();
  const params = useParams<{ threadId?: string }>();
  const selected = params.threadId ? routeParam(params.threadId) : null;
  const carried = useCarriedQuery();
  const listRef = React.useRef<HTMLUListElement>(null);
  useListNavigation(listRef);
  const list = useInboxList(env.inbox, filters, initialPage);
  const rows = React.useMemo(() => threadsOf(list.items), [list.items]);
  const { setThreadOrder } = env;
  React.useEffect(() => setThreadOrder(rows.map((r) => r.threadId)), [rows, setThreadOrder]);

  if (list.isLoading) return <SkeletonRows rows={8} className="p-3" rowClassName="h-16" />;
  if (list.error && !list.items.length) return <ErrorState compact className="m-3" title="The messages could not be loaded" error={list.error} onRetry={() => void list.refetch()} />;
  if (rows.length === 0) {
    const filtered = !isDefaultFilters(filters);
    return (
      <div className="p-3">
        <EmptyState
          compact
          icon={<InboxIcon />}
          title="No messages"
          description={
            filtered
              ? "Nothing matches these filters. Clear them to see the whole inbox."
              : env.inbox === PEOPLE_INBOX
                ? "Agents write here when they need a person: escalations, questions, status updates."
                : "Nothing in this agent's inbox. Messages from other agents and people land here."
          }
          action={
            filtered ? (
              <Button size="sm" variant="outline" onClick={() => setSearchParams({ unread: null, archived: null, type: null })}>
                Clear filters
              </Button>
            ) : undefined
          }
        />
      </div>
    );
  }
  return (
    <div className="min-h-0 flex-1 overflow-y-auto [scrollbar-width:thin]">
      <ul ref={listRef} className="divide-y" data-testid="thread-list" aria-label="Threads">
        {rows.map((r) => (
          <ThreadItem key={r.threadId} row={r} selected={r.threadId === selected} href={`${hrefs.thread(env.inbox, r.threadId)}${carried}`} />
        ))}
      </ul>
      <ListLoadMore list={list} />
    </div>
  );
}

function ThreadItem({ row, selected, href }: { row: ThreadRow; selected: boolean; href: string }) {
  const m = row.latest;
  return (
    <li>
      <Link
        href={href}
        data-nav-item
        data-testid={`thread-item-${row.threadId}`}
        data-unread={row.unread ? "true" : "false"}
        aria-current={selected ? "page" : undefined}
        className={cn(
          "relative grid gap-0.5 py-2 pr-3 pl-6 text-sm transition-colors hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring",
          selected && "bg-accent before:absolute before:inset-y-0 before:left-0 before:w-0.5 before:bg-status-progress",
        )}
      >
        {row.unread && <span aria-hidden className="absolute top-3.5 left-2.5 size-2 rounded-full bg-status-progress" />}
        {row.unread && <span className="sr-only">Unread. </span>}
        <span className="flex min-w-0 items-center gap-1.5 text-xs text-muted-foreground">
          <Sender from={m.from} className="text-xs" />
          <span aria-label="to">→</span>
          <Recipient inbox={m.to} className="text-xs" />
          <span className="ml-auto flex shrink-0 items-center gap-1.5">
            <PriorityDot priority={row.priority} />
            <RelativeTime date={m.createdAt} />
          </span>
        </span>
        <span className="flex min-w-0 items-center gap-1.5">
          <MessageTypeChip type={m.type} className="shrink-0" />
          <span className={cn("truncate", row.unread ? "font-semibold" : "font-medium")}>{m.subject || "(no subject)"}</span>
          {row.count > 1 && <span className="shrink-0 text-[11px] text-muted-foreground tabular-nums">{row.count}</span>}
        </span>
        <span className="truncate text-xs text-muted-foreground">{firstLine(m.body)}</span>
      </Link>
    </li>
  );
}
