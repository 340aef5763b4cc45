"use client";
import { useChartRefresh, type ChartScope } from "@/lib/queries/charts";

/** Mounted by a page beside its server-drawn charts: redraws them when the events they draw arrive (lib/queries/charts.ts). */
export function ChartRefresh({ scope, drawnAt, minIntervalMs, periodMs }: { scope: ChartScope; drawnAt: number; minIntervalMs?: number; periodMs?: number }) {
  useChartRefresh(scope, drawnAt, minIntervalMs, periodMs);
  return null;
}
