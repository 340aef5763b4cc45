"use client";
/**
 * Updates the query string in place (Next syncs `useSearchParams` with the History API), so
 * filters and searches never re-render the server layout. `null` removes a parameter.
 */
export function setSearchParams(patch: Record<string, string | null>, { replace = false, pathname }: { replace?: boolean; pathname?: string } = {}) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === "") url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (pathname) url.pathname = pathname;
  const next = `${url.pathname}${url.search}`;
  if (replace) window.history.replaceState(null, "", next);
  else window.history.pushState(null, "", next);
}
