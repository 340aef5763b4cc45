import type { AgentStepDurations } from "@/lib/services/charts";
import { EmptyState } from "@/components/ui/empty-state";
import { formatDuration } from "@/components/ui/format";

/**
 * How long each step of an agent's Response Approach takes it (agentStepDurations): per position a
 * bar of the median (scaled to the slowest step's), a tick at the 90th percentile, and the figures
 * beside it as text; each bar's <title> says the same.
 */
export function StepDurationsChart({ data }: { data: AgentStepDurations }) {
  if (data.samples === 0)
    return <EmptyState compact title="No finished steps yet" description={`When ${data.agent} marks steps done, the median time each step of its Response Approach takes shows here.`} />;
  const max = Math.max(1, ...data.steps.map((s) => s.p90Ms ?? s.medianMs ?? 0));
  const slowest = data.steps.reduce((a, s) => ((s.medianMs ?? -1) > (a.medianMs ?? -1) ? s : a), data.steps[0]);
  return (
    <figure className="grid gap-2" data-testid="step-durations">
      <figcaption className="text-xs text-muted-foreground">
        Median time from start to done, over {data.samples.toLocaleString("en-US")} finished steps of its last {data.tasks.toLocaleString("en-US")} tasks; the slowest is step {slowest.position} (
        {formatDuration(slowest.medianMs)}). The tick marks the 90th percentile.
      </figcaption>
      <ol className="grid gap-1" aria-label={`Median step durations of ${data.agent}`}>
        {data.steps.map((s) => {
          const title = s.samples
            ? `Step ${s.position} · ${s.title}: median ${formatDuration(s.medianMs)}, 90% within ${formatDuration(s.p90Ms)}, over ${s.samples.toLocaleString("en-US")} steps`
            : `Step ${s.position} · ${s.title}: not finished in these tasks`;
          return (
            <li
              key={s.position}
              className="grid grid-cols-[minmax(0,11rem)_minmax(0,1fr)_4.5rem] items-center gap-2 text-xs"
              data-position={s.position}
              data-median={s.medianMs ?? ""}
              data-samples={s.samples}
            >
              <span className="truncate" title={s.title}>
                <span className="text-muted-foreground tabular-nums">{s.position}</span> {s.title}
              </span>
              <svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden className="h-2 w-full overflow-visible">
                <title>{title}</title>
                <rect x={0} y={0} width={100} height={8} className="fill-muted" />
                {s.medianMs != null && <rect x={0} y={0} width={Math.max(0.5, (s.medianMs / max) * 100)} height={8} className="fill-status-progress" />}
                {s.p90Ms != null && <line x1={(s.p90Ms / max) * 100} x2={(s.p90Ms / max) * 100} y1={-1} y2={9} className="stroke-foreground/60" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />}
              </svg>
              <span className="text-right tabular-nums" title={title}>
                {s.samples ? formatDuration(s.medianMs) : "–"}{" "}
                <span className="text-muted-foreground">
                  ({s.samples.toLocaleString("en-US")}
                  <span className="sr-only"> steps</span>)
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
