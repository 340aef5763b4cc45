"use client";
import * as React from "react";
import type { RunLogLineDto } from "@/lib/queries/runs";
import { parseTranscript, runUsage, type TranscriptEntry } from "@/lib/domain/transcript";
import { cn } from "@/components/ui/cn";
import { InitLine, OrphanResult, RawLine, ResultFooter, TextBlock, ThinkingBlock, ToolCallRow, formatCost, usageText } from "./transcript-parts";

export interface RunTranscriptProps {
  /** The run's log lines as useRunLog holds them (any order; all loaded pages, parsed together). */
  lines: RunLogLineDto[];
  /** The task whose page shows the transcript: its steps link to `#step-<position>`, other tasks' are only named. */
  taskId?: string;
  className?: string;
}

/**
 * A Claude Code run's log read as a conversation: the agent's text, each tool call with its result
 * folded, the session's start and end as small header and footer lines, anything else as muted
 * monospace lines. Use it when isStreamJson(lines) says the log is stream-json. It does not scroll
 * by itself: put it in the run log's box.
 */
export function RunTranscript({ lines, taskId, className }: RunTranscriptProps) {
  // All loaded lines are parsed again on each page: each line is JSON.parsed once (cached by
  // identity), and a result arriving after its call attaches to it.
  const entries = React.useMemo(() => parseTranscript(lines), [lines]);
  const hasResult = entries.some((e) => e.kind === "result");
  const usage = React.useMemo(() => (hasResult ? null : runUsage(lines)), [hasResult, lines]);
  const lastText = lastAssistantText(entries);

  return (
    <div data-testid="run-transcript" className={cn("grid min-w-0 gap-2 font-sans text-sm", className)}>
      {entries.length === 0 && <p className="text-xs text-muted-foreground">No output yet.</p>}
      {entries.map((e) => (
        <Entry key={e.key} entry={e} lastText={lastText} ended={hasResult} taskId={taskId} />
      ))}
      {usage && usage.perMessage.length > 0 && (
        // Still running (or stopped without a result line): the tokens the messages reported so far.
        <p className="text-xs text-muted-foreground" data-testid="transcript-usage-so-far">
          So far: {usage.perMessage.length} {usage.perMessage.length === 1 ? "message" : "messages"} · {usageText(usage)}
          {usage.costUsd !== undefined && ` · ${formatCost(usage.costUsd)}`}
        </p>
      )}
    </div>
  );
}

function lastAssistantText(entries: TranscriptEntry[]): string | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e.kind === "text" && e.role === "assistant" && !e.parentToolUseId) return e.text.trim();
  }
  return undefined;
}

function Entry({ entry, lastText, ended, taskId }: { entry: TranscriptEntry; lastText?: string; ended: boolean; taskId?: string }) {
  switch (entry.kind) {
    case "init":
      return <InitLine entry={entry} />;
    case "text":
      return <TextBlock entry={entry} />;
    case "thinking":
      return <ThinkingBlock entry={entry} />;
    case "tool_call":
      return <ToolCallRow entry={entry} ended={ended} taskId={taskId} />;
    case "tool_result":
      return <OrphanResult entry={entry} />;
    case "result":
      // The final text usually repeats the agent's last message: shown once.
      return <ResultFooter entry={entry} showText={!!entry.text && entry.text.trim() !== lastText} />;
    case "line":
      return <RawLine entry={entry} />;
  }
}
