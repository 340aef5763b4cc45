// The search page's URL state, shared by the page (a server component) and the client components: no "use client" here.
import type { SearchKind } from "@/lib/services";

/** The kinds search everywhere knows, in their display order (repeated here: client code may not import values from lib/services). */
export const SEARCH_KINDS = ["task", "output", "instruction", "message"] as const satisfies readonly SearchKind[];
export type { SearchKind };

/** What the search page keeps in its URL: `/search?q=…&kinds=task,output&agent=…&status=…&from=…&to=…`. */
export interface SearchFilters {
  q: string;
  kinds: SearchKind[];
  agent?: string;
  status?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, inclusive (the API takes in the whole day). */
  to?: string;
}

const one = (v: string | string[] | null | undefined): string | undefined => {
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() ? s.trim() : undefined;
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters from the page's search parameters; anything unknown is dropped. */
export function filtersFromParams(get: (name: string) => string | string[] | null | undefined): SearchFilters {
  const kinds = (one(get("kinds")) ?? "").split(",").filter((k): k is SearchKind => (SEARCH_KINDS as readonly string[]).includes(k));
  const from = one(get("from"));
  const to = one(get("to"));
  return {
    q: one(get("q")) ?? "",
    kinds: [...new Set(kinds)],
    agent: one(get("agent")),
    status: one(get("status")),
    from: from && DATE.test(from) ? from : undefined,
    to: to && DATE.test(to) ? to : undefined,
  };
}

/** The page's address for these filters (the query in the URL, so a search can be shared and reloaded). */
export function searchHref(f: Partial<SearchFilters> & { q: string }): string {
  const sp = new URLSearchParams();
  if (f.q.trim()) sp.set("q", f.q.trim());
  if (f.kinds?.length) sp.set("kinds", f.kinds.join(","));
  for (const k of ["agent", "status", "from", "to"] as const) if (f[k]) sp.set(k, f[k]!);
  const s = sp.toString();
  return s ? `/search?${s}` : "/search";
}
