import type { ReactNode } from "react";
import type { TaskTimeline, TimelineRun, TimelineStep } from "@/lib/services/charts";
import { cn } from "@/components/ui/cn";
import { formatDuration } from "@/components/ui/format";
import { statusLabel, statusTone } from "@/components/ui/status";
import { ChartTable } from "./day-bars";
import { statusFillClass } from "./stacked-bar";
import { timeTicks, utcTime } from "./time";

/** Height of one lane in px: the SVG is drawn 1:1 vertically (only its width stretches), so the HTML labels line up. */
const ROW = 20;
const W = 1000;

const runTone: Record<TimelineRun["status"], string> = {
  queued: "fill-status-pending",
  running: "fill-status-progress",
  succeeded: "fill-status-done",
  failed: "fill-status-failed",
  timed_out: "fill-status-failed",
  cancelled: "fill-status-cancelled",
};

const n = (x: number, one: string, many: string) => `${x.toLocaleString("en-US")} ${x === 1 ? one : many}`;

/**
 * A task's steps, rounds and runs on one time axis (taskTimeline), drawn on the server as SVG: a
 * lane per step position with a bar per round (earlier rounds paler), a dashed line for the wait
 * before each step, a lane of runs (queued, then running, in the colour of how they ended), and
 * vertical marks where an output was handed in and where a reviewer decided. Times are UTC. Every
 * mark has a <title>; the chart's accessible name sums it up and the tables below list every figure.
 */
export function TaskTimelineChart({ data }: { data: TaskTimeline }) {
  if (data.start == null || data.end == null)
    return (
      <p className="px-4 py-4 text-sm text-muted-foreground" data-testid="task-timeline-empty">
        Nothing has started yet: the timeline begins when the agent starts a step or a run is queued.
      </p>
    );
  const start = data.start;
  const end = Math.max(data.end, start + 60_000);
  const span = end - start;
  const withDay = new Date(start).toISOString().slice(0, 10) !== new Date(end).toISOString().slice(0, 10);
  const at = (t: number) => utcTime(t, withDay);
  const x = (t: number) => ((Math.min(Math.max(t, start), end) - start) / span) * W;
  const openEnd = data.open ? data.now : end;

  const positions = [...new Set(data.steps.map((s) => s.position))].sort((a, b) => a - b);
  const latest = new Map<number, TimelineStep>();
  for (const s of data.steps) if ((latest.get(s.position)?.round ?? 0) <= s.round) latest.set(s.position, s);
  const lanes: { key: string; label: string; title: string }[] = positions.map((p) => ({ key: `step-${p}`, label: `${p} ${latest.get(p)!.title}`, title: `Step ${p}: ${latest.get(p)!.title}` }));
  if (data.runs.length) lanes.push({ key: "runs", label: "Runs", title: "Runs of the agent program on this task" });
  const height = Math.max(1, lanes.length) * ROW;
  const laneY = (i: number) => i * ROW;
  const runsLane = positions.length;

  const rounds = Math.max(data.round, ...data.steps.map((s) => s.round));
  const started = data.steps.filter((s) => s.startedAt != null);
  const waits = started.filter((s) => (s.waitMs ?? 0) >= 1000);
  const totalWait = waits.reduce((t, s) => t + (s.waitMs ?? 0), 0);
  const runCounts = data.runs.reduce<Record<string, number>>((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {});
  const summary = [
    `Step timeline: ${n(started.length, "step", "steps")} started over ${n(rounds, "round", "rounds")} between ${at(start)} and ${at(end)} UTC (${formatDuration(span)})`,
    waits.length ? `${formatDuration(totalWait)} of waits before steps` : "no waits between steps",
    data.runs.length
      ? `${n(data.runs.length, "run", "runs")} (${Object.entries(runCounts)
          .map(([s, c]) => `${c} ${statusLabel(s)}`)
          .join(", ")})`
      : "no runs",
    data.outputs.length ? `${n(data.outputs.length, "output", "outputs")} handed in` : "",
  ]
    .filter(Boolean)
    .join("; ");

  const stepEnd = (s: TimelineStep) => s.endedAt ?? (s.round === data.round ? openEnd : s.startedAt!);
  const stepTitle = (s: TimelineStep) => {
    const when = s.endedAt != null ? `${at(s.startedAt!)}–${at(s.endedAt)} UTC (${formatDuration(s.endedAt - s.startedAt!)})` : `since ${at(s.startedAt!)} UTC`;
    const wait = s.waitMs != null && s.waitMs >= 1000 ? `, after a wait of ${formatDuration(s.waitMs)}` : "";
    return `Step ${s.position} · ${s.title} · round ${s.round}: ${statusLabel(s.status)} ${when}${wait}`;
  };
  const runTitle = (r: TimelineRun, i: number) => {
    const ran = r.startedAt != null ? `, ran ${at(r.startedAt)}–${r.endedAt != null ? `${at(r.endedAt)} UTC (${formatDuration(r.endedAt - r.startedAt)})` : "now"}` : "";
    return `Run ${i + 1}${r.round != null ? ` (round ${r.round})` : ""}: ${statusLabel(r.status)} · queued ${at(r.queuedAt)}${ran}`;
  };

  const marks: { key: string; t: number; kind: "handed-in" | "approved" | "changes_requested" | "now"; title: string }[] = [];
  for (const o of data.outputs) {
    marks.push({ key: `o-${o.id}`, t: o.handedInAt, kind: "handed-in", title: `v${o.version} handed in at ${at(o.handedInAt)} UTC` });
    if (o.decidedAt != null && o.decision)
      marks.push({
        key: `d-${o.id}`,
        t: o.decidedAt,
        kind: o.decision === "approved" ? "approved" : "changes_requested",
        title: `v${o.version} ${o.decision === "approved" ? "approved" : "sent back: changes requested"} at ${at(o.decidedAt)} UTC, ${formatDuration(o.decidedAt - o.handedInAt)} after the hand-in`,
      });
  }
  if (data.open) marks.push({ key: "now", t: data.now, kind: "now", title: `Now: ${at(data.now)} UTC` });
  const markClass = { "handed-in": "stroke-status-review", approved: "stroke-status-done", changes_requested: "stroke-status-failed", now: "stroke-muted-foreground" } as const;
  const ticks = timeTicks(start, end, 5);

  return (
    <figure className="grid gap-2 px-4 py-3" data-testid="task-timeline-chart">
      <div className="grid grid-cols-[minmax(0,9rem)_minmax(0,1fr)] gap-x-3">
        <div aria-hidden className="text-xs">
          {lanes.map((l) => (
            <div key={l.key} style={{ height: ROW }} className={cn("flex items-center truncate", l.key === "runs" && "font-medium text-muted-foreground")} title={l.title}>
              <span className="truncate">{l.label}</span>
            </div>
          ))}
        </div>
        <div className="min-w-0">
          <svg viewBox={`0 0 ${W} ${height}`} preserveAspectRatio="none" role="img" aria-label={summary} style={{ height }} className="block w-full overflow-visible">
            <title>{summary}</title>
            {lanes.map((l, i) => (i % 2 === 0 ? <rect key={l.key} x={0} y={laneY(i)} width={W} height={ROW} className="fill-muted/50" /> : null))}
            {ticks.map((t) => (
              <line key={t.at} x1={x(t.at)} x2={x(t.at)} y1={0} y2={height} className="stroke-border" strokeWidth={1} vectorEffect="non-scaling-stroke" />
            ))}
            {data.steps.map((s) => {
              if (s.startedAt == null) return null;
              const lane = positions.indexOf(s.position);
              const y = laneY(lane);
              const x0 = x(s.startedAt);
              const x1 = Math.max(x0 + 3, x(stepEnd(s)));
              const past = s.round !== data.round;
              return (
                <g key={`${s.round}:${s.position}`} data-step={`${s.round}:${s.position}`} data-status={s.status}>
                  {s.waitMs != null && s.waitMs >= 1000 && (
                    <line
                      data-wait={s.waitMs}
                      x1={x(s.startedAt - s.waitMs)}
                      x2={x0}
                      y1={y + ROW / 2}
                      y2={y + ROW / 2}
                      className="stroke-muted-foreground"
                      strokeWidth={1}
                      strokeDasharray="3 3"
                      vectorEffect="non-scaling-stroke"
                    >
                      <title>{`Waited ${formatDuration(s.waitMs)} before step ${s.position} (round ${s.round})`}</title>
                    </line>
                  )}
                  <rect
                    x={x0}
                    y={y + 4}
                    width={x1 - x0}
                    height={ROW - 8}
                    rx={1}
                    className={cn(statusFillClass[statusTone(s.status)], past && "opacity-40", s.endedAt == null && !past && "opacity-80")}
                  >
                    <title>{stepTitle(s)}</title>
                  </rect>
                </g>
              );
            })}
            {data.runs.map((r, i) => {
              const y = laneY(runsLane);
              const ran = r.startedAt != null;
              const q1 = ran ? r.startedAt! : r.status === "queued" ? openEnd : (r.endedAt ?? r.queuedAt);
              const r1 = ran ? (r.endedAt ?? openEnd) : null;
              return (
                <g key={r.id} data-run={r.id} data-run-status={r.status}>
                  <title>{runTitle(r, i)}</title>
                  {q1 > r.queuedAt && <rect x={x(r.queuedAt)} y={y + 8} width={Math.max(1, x(q1) - x(r.queuedAt))} height={ROW - 16} className="fill-status-pending opacity-50" />}
                  {ran && <rect x={x(r.startedAt!)} y={y + 4} width={Math.max(3, x(r1!) - x(r.startedAt!))} height={ROW - 8} rx={1} className={runTone[r.status]} />}
                  {!ran && q1 <= r.queuedAt && <rect x={x(r.queuedAt)} y={y + 4} width={3} height={ROW - 8} className={runTone[r.status]} />}
                </g>
              );
            })}
            {marks.map((m) => (
              <g key={m.key} data-mark={m.kind}>
                <title>{m.title}</title>
                <line
                  x1={x(m.t)}
                  x2={x(m.t)}
                  y1={0}
                  y2={height}
                  className={markClass[m.kind]}
                  strokeWidth={m.kind === "now" ? 1 : 1.5}
                  strokeDasharray={m.kind === "handed-in" || m.kind === "now" ? "4 3" : undefined}
                  vectorEffect="non-scaling-stroke"
                />
                {/* A wider invisible line to hover. */}
                <line x1={x(m.t)} x2={x(m.t)} y1={0} y2={height} className="stroke-transparent" strokeWidth={8} vectorEffect="non-scaling-stroke" />
              </g>
            ))}
          </svg>
          <div className="relative h-4 text-[10px] text-muted-foreground tabular-nums" aria-hidden>
            {ticks.map((t) => (
              <span key={t.at} className="absolute top-0.5 -translate-x-1/2 whitespace-nowrap" style={{ left: `${(x(t.at) / W) * 100}%` }}>
                {t.label}
              </span>
            ))}
          </div>
        </div>
      </div>
      <Legend runs={data.runs.length > 0} outputs={data.outputs.length > 0} rounds={rounds > 1} />
      <ChartTable
        label="Steps as a table"
        caption="Steps of this task by round: when each started and ended (UTC), how long it took, and the wait before it"
        testId="task-timeline-steps"
        columns={["Step", "Round", "Status", "Started", "Ended", "Took", "Waited before"]}
        rows={data.steps.map((s) => [
          `${s.position} ${s.title}`,
          s.round,
          statusLabel(s.status),
          s.startedAt != null ? at(s.startedAt) : "–",
          s.endedAt != null ? at(s.endedAt) : "–",
          s.startedAt != null && s.endedAt != null ? formatDuration(s.endedAt - s.startedAt) : "–",
          s.waitMs != null ? formatDuration(s.waitMs) : "–",
        ])}
        dimmed={(i) => data.steps[i].startedAt == null}
      />
      {data.runs.length > 0 && (
        <ChartTable
          label="Runs as a table"
          caption="Runs of this task (UTC)"
          testId="task-timeline-runs"
          columns={["Run", "Round", "Status", "Queued", "Started", "Ended", "Took"]}
          rows={data.runs.map((r, i) => [
            i + 1,
            r.round ?? "–",
            statusLabel(r.status),
            at(r.queuedAt),
            r.startedAt != null ? at(r.startedAt) : "–",
            r.endedAt != null ? at(r.endedAt) : "–",
            r.startedAt != null && r.endedAt != null ? formatDuration(r.endedAt - r.startedAt) : "–",
          ])}
        />
      )}
    </figure>
  );
}

function Swatch({ className, line }: { className: string; line?: "solid" | "dashed" }) {
  return (
    <svg viewBox="0 0 12 8" aria-hidden className="h-2 w-3">
      {line ? (
        <line x1={0} x2={12} y1={4} y2={4} className={className} strokeWidth={1.5} strokeDasharray={line === "dashed" ? "3 2" : undefined} />
      ) : (
        <rect width={12} height={8} rx={1} className={className} />
      )}
    </svg>
  );
}

function Legend({ runs, outputs, rounds }: { runs: boolean; outputs: boolean; rounds: boolean }) {
  const items: [ReactNode, string][] = [
    [<Swatch key="d" className="fill-status-done" />, "done"],
    [<Swatch key="p" className="fill-status-progress" />, "in progress"],
    [<Swatch key="b" className="fill-status-blocked" />, "blocked"],
    [<Swatch key="w" className="stroke-muted-foreground" line="dashed" />, "wait"],
  ];
  if (rounds) items.push([<Swatch key="r" className="fill-status-done opacity-40" />, "earlier round"]);
  if (runs) items.push([<Swatch key="q" className="fill-status-pending opacity-50" />, "run queued"], [<Swatch key="f" className="fill-status-failed" />, "run failed"]);
  if (outputs)
    items.push(
      [<Swatch key="h" className="stroke-status-review" line="dashed" />, "handed in"],
      [<Swatch key="a" className="stroke-status-done" line="solid" />, "approved"],
      [<Swatch key="c" className="stroke-status-failed" line="solid" />, "changes requested"],
    );
  return (
    <ul className="flex flex-wrap gap-x-3 gap-y-1 text-[11px] text-muted-foreground" aria-hidden>
      {items.map(([swatch, label]) => (
        <li key={label} className="flex items-center gap-1">
          {swatch} {label}
        </li>
      ))}
    </ul>
  );
}
