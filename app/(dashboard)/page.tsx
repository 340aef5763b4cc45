import type { Metadata } from "next";
import { getOverview } from "@/lib/services";
import { getPageContext } from "@/lib/auth/page-context";
import { OverviewView } from "@/components/overview/overview-view";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await getPageContext();
  return <OverviewView initial={getOverview(ctx)} />;
}
