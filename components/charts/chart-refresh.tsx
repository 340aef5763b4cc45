"use client";
import { useChartRefresh, type ChartScope } from "@/lib/queries/charts";

/** Mounted by a page beside its server-drawn charts: redraws them when the events they draw arrive (lib/queries/charts.ts). */
export function ChartRefresh({ scope, minIntervalMs }: { scope: ChartScope; minIntervalMs?: number }) {
  useChartRefresh(scope, minIntervalMs);
  return null;
}
