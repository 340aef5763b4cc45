import type { Metadata } from "next";
import { getPageContext } from "@/lib/auth/page-context";
import { filtersFromParams } from "@/lib/queries/search-params";
import { SearchView } from "@/components/search/search-view";

export const metadata: Metadata = { title: "Search" };

/** Search everywhere: the query and filters come from the URL; the results are fetched by the client (GET /api/v1/search/all). */
export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await getPageContext();
  const sp = await searchParams;
  const initial = filtersFromParams((name) => sp[name]);
  return <SearchView initial={initial} />;
}
