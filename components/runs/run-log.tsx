"use client";
import * as React from "react";
import { ArrowDownToLine, ChevronDown, ChevronUp, Search } from "lucide-react";
import { useRunLog, type RunDto, type RunLogLineDto } from "@/lib/queries/runs";
import { Button } from "@/components/ui/button";
import { Mono } from "@/components/ui/mono";
import { Input } from "@/components/ui/input";
import { ErrorState } from "@/components/ui/error-state";
import { cn } from "@/components/ui/cn";
import { isStreamJson } from "@/lib/domain/transcript";
import { RunTranscript } from "./run-transcript";

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function Highlighted({ text, re, currentRef }: { text: string; re: RegExp | null; currentRef?: (n: number) => boolean }) {
  if (!re) return <>{text}</>;
  const parts = text.split(re);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <mark key={i} className={cn("rounded-sm bg-status-blocked/30 text-inherit", currentRef?.(i) && "bg-status-blocked/70 outline outline-status-blocked")}>
            {p}
          </mark>
        ) : (
          <React.Fragment key={i}>{p}</React.Fragment>
        ),
      )}
    </>
  );
}

type View = "transcript" | "raw";

/**
 * A run's log, followed live, with search across the lines held and "load earlier". A Claude Code
 * run (stream-json) reads as a transcript by default, its raw lines one click away; the command
 * preset's output is always lines.
 */
export function RunLog({ run, log, taskId }: { run: RunDto; log: ReturnType<typeof useRunLog>; taskId?: string }) {
  const [view, setView] = React.useState<View>("transcript");
  const streamJson = React.useMemo(() => run.preset !== "command" && isStreamJson(log.lines), [run.preset, log.lines]);
  const transcript = streamJson && view === "transcript";
  const [query, setQuery] = React.useState("");
  const [current, setCurrent] = React.useState(0);
  const [follow, setFollow] = React.useState(true);
  const box = React.useRef<HTMLDivElement>(null);
  const needle = transcript ? "" : query.trim();
  const re = React.useMemo(() => (needle ? new RegExp(`(${escapeRe(needle)})`, "i") : null), [needle]);
  const splitRe = React.useMemo(() => (needle ? new RegExp(`(${escapeRe(needle)})`, "gi") : null), [needle]);
  const matches = React.useMemo(() => (re ? log.lines.filter((l) => re.test(l.text)).map((l) => l.seq) : []), [re, log.lines]);
  const currentSeq = matches.length ? matches[Math.min(current, matches.length - 1)] : null;
  // The runs list refreshes on lifecycle events only; the log itself knows the newest line.
  const total = Math.max(run.logLines, log.lines.length ? log.lines[log.lines.length - 1].seq : 0);

  // Follow the tail while the reader is at the bottom; scrolling up pauses it.
  React.useLayoutEffect(() => {
    const el = box.current;
    if (el && follow && currentSeq === null) el.scrollTop = el.scrollHeight;
  }, [log.lines, follow, currentSeq, transcript]);

  React.useEffect(() => {
    if (currentSeq === null) return;
    box.current?.querySelector(`[data-seq="${currentSeq}"]`)?.scrollIntoView({ block: "center" });
  }, [currentSeq]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  };
  const step = (d: number) => matches.length && setCurrent((c) => (c + d + matches.length) % matches.length);

  return (
    <section className="border-t" aria-label={`Output of run ${run.id}`}>
      <div className="flex flex-wrap items-center gap-2 px-4 py-2">
        <h3 className="text-xs font-semibold">Output</h3>
        <Mono className="text-xs text-muted-foreground">{run.id}</Mono>
        <span className="text-xs text-muted-foreground tabular-nums" data-testid="run-log-count">
          {total} {total === 1 ? "line" : "lines"}
          {run.droppedLines > 0 && ` (+${run.droppedLines} not kept)`}
        </span>
        {streamJson && (
          <div role="group" aria-label="Show the output as" className="inline-flex h-7 items-center gap-0.5 rounded-md bg-muted p-0.5 text-muted-foreground" data-testid="run-log-view">
            {(["transcript", "raw"] as const).map((v) => (
              <button
                key={v}
                type="button"
                aria-pressed={view === v}
                onClick={() => {
                  setView(v);
                  setFollow(true);
                }}
                className={cn(
                  "inline-flex h-6 items-center rounded-[5px] px-2 text-xs font-medium whitespace-nowrap transition-colors hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring",
                  view === v && "bg-background text-foreground shadow-xs",
                )}
                data-testid={`run-log-view-${v}`}
              >
                {v === "transcript" ? "Transcript" : "Raw lines"}
              </button>
            ))}
          </div>
        )}
        <div className="ml-auto flex items-center gap-1">
          {!transcript && (
            <>
              <label className="relative">
                <span className="sr-only">Search the output</span>
                <Search aria-hidden className="pointer-events-none absolute top-1/2 left-2 size-3.5 -translate-y-1/2 text-muted-foreground" />
                <Input
                  type="search"
                  value={query}
                  onChange={(e) => {
                    setQuery(e.target.value);
                    setCurrent(0);
                    // Clearing the search goes back to following the newest lines.
                    if (!e.target.value.trim()) setFollow(true);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === "Enter") {
                      e.preventDefault();
                      step(e.shiftKey ? -1 : 1);
                    }
                  }}
                  placeholder="Search output"
                  className="h-7 w-48 pl-7 text-xs"
                  data-testid="run-log-search"
                />
              </label>
              {needle && (
                <span className="min-w-16 text-center text-xs text-muted-foreground tabular-nums" aria-live="polite" data-testid="run-log-matches">
                  {matches.length ? `${Math.min(current, matches.length - 1) + 1}/${matches.length}` : "no match"}
                </span>
              )}
              <Button size="icon-sm" variant="ghost" onClick={() => step(-1)} disabled={!matches.length} aria-label="Previous match">
                <ChevronUp />
              </Button>
              <Button size="icon-sm" variant="ghost" onClick={() => step(1)} disabled={!matches.length} aria-label="Next match">
                <ChevronDown />
              </Button>
            </>
          )}
          {!follow && (
            <Button
              size="xs"
              variant="outline"
              onClick={() => {
                setQuery("");
                setFollow(true);
              }}
            >
              <ArrowDownToLine /> Latest
            </Button>
          )}
        </div>
      </div>
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-label="Run output"
        tabIndex={0}
        className="h-72 overflow-auto border-t bg-muted/40 px-2 py-1.5 font-mono text-[11.5px] leading-[1.45] focus-visible:outline-2 focus-visible:outline-ring"
        data-testid="run-log"
      >
        {log.hasEarlier && (
          <button type="button" onClick={log.loadEarlier} className="mb-1 text-xs text-muted-foreground underline-offset-2 hover:underline">
            Load earlier lines
          </button>
        )}
        {log.error && log.lines.length === 0 ? (
          <ErrorState compact error={log.error} onRetry={log.refresh} />
        ) : log.lines.length === 0 ? (
          <p className="px-1 py-1 text-muted-foreground">{log.loading ? "Loading…" : run.status === "queued" ? "Waiting for a free slot…" : "No output yet."}</p>
        ) : transcript ? (
          <RunTranscript lines={log.lines} taskId={taskId ?? run.taskId ?? undefined} className="px-1 py-1" />
        ) : (
          log.lines.map((l) => <LogLine key={l.seq} line={l} re={splitRe} current={l.seq === currentSeq} />)
        )}
      </div>
    </section>
  );
}

const LogLine = React.memo(function LogLine({ line, re, current }: { line: RunLogLineDto; re: RegExp | null; current: boolean }) {
  const hit = re ? new RegExp(re.source, "i").test(line.text) : false;
  return (
    <div
      data-seq={line.seq}
      data-stream={line.stream}
      data-match={hit || undefined}
      className={cn(
        "flex gap-2 whitespace-pre-wrap break-all",
        line.stream === "stderr" && "text-status-failed",
        line.stream === "system" && "text-muted-foreground italic",
        current && "bg-status-blocked/10",
      )}
    >
      <span aria-hidden className="w-8 shrink-0 text-right text-muted-foreground/60 select-none tabular-nums">
        {line.seq}
      </span>
      <span className="min-w-0">
        <Highlighted text={line.text} re={hit ? re : null} currentRef={current ? () => true : undefined} />
      </span>
    </div>
  );
});
