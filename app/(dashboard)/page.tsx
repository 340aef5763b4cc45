import type { Metadata } from "next";
import { getOverview } from "@/lib/services";
import { overviewCharts } from "@/lib/services/charts";
import { getPageContext } from "@/lib/auth/page-context";
import { OverviewView } from "@/components/overview/overview-view";
import { WorkCharts } from "@/components/overview/work-charts";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const ctx = await getPageContext();
  // The charts are drawn here, on the server, and handed to the live client view as they are.
  return <OverviewView initial={getOverview(ctx)} charts={<WorkCharts data={overviewCharts(ctx)} />} />;
}
