"use client";
import * as React from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { Search, SearchX, X } from "lucide-react";
import type { SearchAllHit, SearchAllResult } from "@/lib/services";
import { call, endpoints } from "@/lib/queries/endpoints";
import { keys } from "@/lib/queries/keys";
import { SEARCH_KINDS, searchHref, useSearchAll, type SearchFilters, type SearchKind } from "@/lib/queries/search";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { ErrorState } from "@/components/ui/error-state";
import { SkeletonRows } from "@/components/ui/skeleton";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";
import { useListNavigation } from "@/components/ui/use-list-navigation";
import { Highlighted } from "@/components/inbox/search-results";
import { hitHref, kindLabel } from "./hit-href";
import { KindBadge, KindIcon } from "./kind-icon";

/** Statuses offered by the status filter: a task's, an output's, an instruction's phase. */
const STATUS_OPTIONS: { group: string; values: string[] }[] = [
  { group: "Task", values: ["pending", "in_progress", "blocked", "in_review", "completed", "cancelled"] },
  { group: "Output", values: ["pending_review", "approved", "changes_requested", "superseded"] },
  { group: "Instruction", values: ["routing", "planning", "executing", "validating", "correcting", "failed"] },
];
const label = (s: string) => s.replace(/_/g, " ");

function KindChips({ f, data, onChange }: { f: SearchFilters; data: SearchAllResult | undefined; onChange: (kinds: SearchKind[]) => void }) {
  const kinds = data?.searchable ?? SEARCH_KINDS;
  const toggle = (k: SearchKind) => onChange(f.kinds.includes(k) ? f.kinds.filter((x) => x !== k) : [...f.kinds, k]);
  const chip = "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs font-medium hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring [&_svg]:size-3.5";
  return (
    <div role="group" aria-label="Kinds" className="flex flex-wrap items-center gap-1.5">
      <button type="button" aria-pressed={f.kinds.length === 0} onClick={() => onChange([])} className={cn(chip, f.kinds.length === 0 && "border-primary bg-primary/10")}>
        All
      </button>
      {kinds.map((k) => {
        const n = data?.counts[k];
        const more = data?.more.includes(k);
        return (
          <button
            key={k}
            type="button"
            aria-pressed={f.kinds.includes(k)}
            onClick={() => toggle(k)}
            className={cn(chip, f.kinds.includes(k) && "border-primary bg-primary/10")}
            data-testid={`search-kind-${k}`}
          >
            <KindIcon kind={k} />
            {kindLabel[k].many}
            {n !== undefined && <span className="tabular-nums text-muted-foreground">{more ? `${n.toLocaleString()}+` : n.toLocaleString()}</span>}
          </button>
        );
      })}
    </div>
  );
}

function HitRow({ hit, q }: { hit: SearchAllHit; q: string }) {
  return (
    <Link
      href={hitHref(hit, q)}
      data-nav-item
      data-testid={`search-hit-${hit.kind}-${hit.id}`}
      className="grid gap-1 px-3 py-2.5 text-sm hover:bg-accent focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring"
    >
      <span className="flex min-w-0 items-center gap-2">
        <KindBadge kind={hit.kind} className="shrink-0" />
        <span className="truncate font-medium">{hit.title}</span>
        {hit.links.taskRef && <span className="shrink-0 font-mono text-[11px] text-muted-foreground">{hit.links.taskRef}</span>}
        <RelativeTime date={hit.createdAt} className="ml-auto shrink-0 text-xs text-muted-foreground" />
      </span>
      <Highlighted snippet={hit.snippet} className="line-clamp-2 text-xs text-muted-foreground [&_mark]:rounded-sm [&_mark]:bg-yellow-200/70 [&_mark]:text-foreground dark:[&_mark]:bg-yellow-500/30" />
      <span className="flex items-center gap-2 text-[11px] text-muted-foreground">
        {hit.status && (hit.kind === "message" ? <span>{label(hit.status)}</span> : <StatusBadge status={hit.status} />)}
        {hit.agent && <span className="font-mono">{hit.kind === "message" ? `to ${hit.agent}` : hit.agent}</span>}
      </span>
    </Link>
  );
}

/**
 * The search page: the query and its filters live in the URL (`/search?q=…&kinds=…&agent=…&status=…&from=…&to=…`),
 * so a search can be reloaded and shared; hits of every kind mixed, best first, with kind badges;
 * j/k move through the results, Enter opens one.
 */
export function SearchView({ initial }: { initial: SearchFilters }) {
  const router = useRouter();
  const [f, setF] = React.useState<SearchFilters>(initial);
  const [text, setText] = React.useState(initial.q);
  // The URL changed from elsewhere (the palette's "See all results", back and forward): take it.
  const applied = React.useRef(JSON.stringify(initial));
  const incoming = JSON.stringify(initial);
  React.useEffect(() => {
    if (incoming === applied.current) return;
    applied.current = incoming;
    const next = JSON.parse(incoming) as SearchFilters;
    setF(next);
    setText(next.q);
  }, [incoming]);

  const apply = (next: SearchFilters) => {
    applied.current = JSON.stringify({ ...next, q: next.q.trim() });
    setF(next);
    router.replace(searchHref(next), { scroll: false });
  };
  // The words follow typing after a pause; the filters apply at once.
  React.useEffect(() => {
    if (text.trim() === f.q.trim()) return;
    const t = setTimeout(() => apply({ ...f, q: text }), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const agents = useQuery({
    queryKey: keys.agentSummaries,
    queryFn: ({ signal }) => call(endpoints.agentSummaries, { query: { view: "summary" }, signal }),
    staleTime: 60_000,
  });
  const agentNames = (agents.data?.items ?? []).map((a) => a.name);

  const search = useSearchAll(f);
  const pages = search.data?.pages ?? [];
  const first = pages[0];
  const hits = pages.flatMap((p) => p.items);
  const listRef = React.useRef<HTMLUListElement>(null);
  useListNavigation(listRef);
  const filtered = f.kinds.length > 0 || !!f.agent || !!f.status || !!f.from || !!f.to;

  let body: React.ReactNode;
  if (!f.q.trim())
    body = (
      <EmptyState icon={<Search />} title="Search everywhere" description="Tasks, outputs (every version), instructions and messages. Quote a phrase, end a word with * for its start (refund*)." />
    );
  else if (search.isPending) body = <SkeletonRows rows={6} rowClassName="h-16" />;
  else if (search.error) body = <ErrorState title="The search failed" error={search.error} onRetry={() => void search.refetch()} />;
  else if (hits.length === 0)
    body = (
      <EmptyState
        icon={<SearchX />}
        title="No matches"
        description={`Nothing${filtered ? " with these filters" : ""} matches “${f.q.trim()}”. Try fewer words or a word's start with *.`}
        action={
          filtered ? (
            <Button size="sm" variant="outline" onClick={() => apply({ q: f.q, kinds: [] })}>
              Clear the filters
            </Button>
          ) : undefined
        }
      />
    );
  else
    body = (
      <>
        <ul ref={listRef} aria-label="Results" className={cn("divide-y rounded-lg border", search.isPlaceholderData && "opacity-60")} data-testid="search-results">
          {hits.map((hit) => (
            <li key={`${hit.kind}:${hit.id}`}>
              <HitRow hit={hit} q={f.q.trim()} />
            </li>
          ))}
        </ul>
        {search.hasNextPage && (
          <div className="flex justify-center py-3">
            <Button size="sm" variant="outline" disabled={search.isFetchingNextPage} onClick={() => void search.fetchNextPage()}>
              {search.isFetchingNextPage ? "Loading…" : "Load more"}
            </Button>
          </div>
        )}
      </>
    );

  return (
    <div className="mx-auto grid w-full max-w-4xl gap-4 p-6">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...f, q: text });
        }}
        className="flex items-center gap-2"
      >
        <div className="relative flex-1">
          <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" />
          <Input
            autoFocus
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={500}
            placeholder="Search tasks, outputs, instructions, messages…"
            aria-label="Search"
            className="pl-8"
          />
        </div>
      </form>
      <div className="grid gap-2">
        <KindChips f={f} data={first} onChange={(kinds) => apply({ ...f, kinds })} />
        <div className="flex flex-wrap items-center gap-2 text-xs">
          <Select aria-label="Agent" value={f.agent ?? ""} onChange={(e) => apply({ ...f, agent: e.target.value || undefined })} className="h-8 w-auto text-xs">
            <option value="">Any agent</option>
            {agentNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </Select>
          <Select aria-label="Status" value={f.status ?? ""} onChange={(e) => apply({ ...f, status: e.target.value || undefined })} className="h-8 w-auto text-xs">
            <option value="">Any status</option>
            {STATUS_OPTIONS.map((g) => (
              <optgroup key={g.group} label={g.group}>
                {g.values.map((v) => (
                  <option key={`${g.group}-${v}`} value={v}>
                    {label(v)}
                  </option>
                ))}
              </optgroup>
            ))}
          </Select>
          <label className="flex items-center gap-1 text-muted-foreground">
            From
            <Input type="date" value={f.from ?? ""} onChange={(e) => apply({ ...f, from: e.target.value || undefined })} className="h-8 w-auto text-xs" />
          </label>
          <label className="flex items-center gap-1 text-muted-foreground">
            To
            <Input type="date" value={f.to ?? ""} onChange={(e) => apply({ ...f, to: e.target.value || undefined })} className="h-8 w-auto text-xs" />
          </label>
          {filtered && (
            <Button size="sm" variant="ghost" onClick={() => apply({ q: f.q, kinds: [] })}>
              <X /> Clear filters
            </Button>
          )}
        </div>
      </div>
      <div aria-live="polite" className="sr-only">
        {first ? `${hits.length} results shown` : ""}
      </div>
      {body}
    </div>
  );
}
