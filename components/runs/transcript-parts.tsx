"use client";
// The pieces of a Claude Code transcript (run-transcript.tsx lays them out). Everything the agent
// or a tool wrote is rendered as plain text: React escapes it, nothing is read as HTML or markdown.
import * as React from "react";
import { Check, CircleAlert, CircleDashed, Wrench } from "lucide-react";
import type { InitEntry, LineEntry, ResultEntry, TextEntry, ThinkingEntry, TokenUsage, ToolCallEntry, ToolResultEntry } from "@/lib/domain/transcript";
import { Badge } from "@/components/ui/badge";
import { StatusBadge } from "@/components/ui/status";
import { Mono } from "@/components/ui/mono";
import { formatDuration } from "@/components/ui/format";
import { cn } from "@/components/ui/cn";

const numberFormat = new Intl.NumberFormat("en-US");
export const formatTokens = (n: number) => numberFormat.format(n);
/** `$0.0123`: Claude Code's cost estimate, to the hundredth of a cent. */
export const formatCost = (usd: number) => `$${usd.toFixed(4)}`;
const formatSeconds = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(ms));

/** `1,200 in · 640 out · 30,000 cache read · 4,000 cache write` (zero cache counts left out). */
export function usageText(u: TokenUsage): string {
  const parts = [`${formatTokens(u.inputTokens)} in`, `${formatTokens(u.outputTokens)} out`];
  if (u.cacheReadTokens) parts.push(`${formatTokens(u.cacheReadTokens)} cache read`);
  if (u.cacheCreationTokens) parts.push(`${formatTokens(u.cacheCreationTokens)} cache write`);
  return parts.join(" · ");
}

const entryAttrs = (kind: string, seq: number) => ({ "data-testid": "transcript-entry", "data-kind": kind, "data-seq": seq });
/** Sub-agent messages (Task tool) are indented under the call they belong to. */
const nested = (parent?: string) => parent && "ml-4 border-l-2 border-border pl-3";
const meta = "flex flex-wrap items-center gap-x-2 gap-y-0.5 text-xs text-muted-foreground";

export function InitLine({ entry }: { entry: InitEntry }) {
  const agentdesk = entry.agentdeskStatus;
  return (
    <div {...entryAttrs("init", entry.seq)} className={cn(meta, "border-b border-dashed pb-1.5")}>
      <span className="font-medium text-foreground">Claude Code{entry.version ? ` ${entry.version}` : ""}</span>
      {entry.model && <Mono>{entry.model}</Mono>}
      {entry.sessionId && (
        <span>
          session <Mono className="select-all">{entry.sessionId}</Mono>
        </span>
      )}
      <span>
        {entry.toolsCount} {entry.toolsCount === 1 ? "tool" : "tools"}
      </span>
      {entry.mcpServers.length > 0 && (
        <span>
          MCP:{" "}
          {entry.mcpServers.map((s, i) => (
            <React.Fragment key={s.name}>
              {i > 0 && ", "}
              <span className={cn(s.status === "connected" ? "text-status-done" : "text-status-failed")} data-mcp-server={s.name} data-mcp-status={s.status}>
                {s.name} {s.status}
              </span>
            </React.Fragment>
          ))}
        </span>
      )}
      {!agentdesk && <span className="text-status-blocked">AgentDesk MCP server not listed</span>}
    </div>
  );
}

export function TextBlock({ entry }: { entry: TextEntry }) {
  return (
    <div {...entryAttrs("text", entry.seq)} data-role={entry.role} className={cn(nested(entry.parentToolUseId))}>
      {entry.role === "user" && <span className="text-[11px] font-medium text-muted-foreground uppercase">prompt</span>}
      <p className={cn("text-sm leading-relaxed break-words whitespace-pre-wrap", entry.role === "user" && "text-muted-foreground")}>{entry.text}</p>
    </div>
  );
}

export function ThinkingBlock({ entry }: { entry: ThinkingEntry }) {
  return (
    <details {...entryAttrs("thinking", entry.seq)} className={cn("text-xs text-muted-foreground", nested(entry.parentToolUseId))}>
      <summary className="cursor-pointer rounded select-none focus-visible:outline-2 focus-visible:outline-ring">Thinking</summary>
      <p className="mt-1 break-words whitespace-pre-wrap italic">{entry.text}</p>
    </details>
  );
}

// AgentDesk's own plumbing says nothing to a reader; taskId is the page's own task.
const HIDDEN_ARGS = new Set(["leaseToken", "taskId", "expectedVersion"]);

function oneLine(v: unknown, max: number): string {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `command: npm test · description: Run the tests`: each argument on one short line. */
export function compactArgs(call: Pick<ToolCallEntry, "input" | "agentdesk" | "step">, max = 160): string {
  const shown = Object.entries(call.input).filter(
    ([k]) => !(call.agentdesk && HIDDEN_ARGS.has(k)) && !(call.step && (k === "position" || k === "stepPosition" || k === "status" || (k === "note" && call.step.note))),
  );
  return oneLine(shown.map(([k, v]) => `${k}: ${oneLine(v, 80)}`).join(" · "), max);
}

function ResultFold({ result, isError, label }: { result: string; isError: boolean; label?: string }) {
  const lines = result ? result.split("\n").length : 0;
  return (
    <details className="group min-w-0" data-result={isError ? "error" : "ok"}>
      <summary
        className={cn(
          "flex cursor-pointer items-center gap-1.5 rounded text-xs select-none focus-visible:outline-2 focus-visible:outline-ring",
          isError ? "text-status-failed" : "text-muted-foreground",
        )}
      >
        {isError ? <CircleAlert aria-hidden className="size-3.5 shrink-0" /> : <Check aria-hidden className="size-3.5 shrink-0 text-status-done" />}
        <span className="shrink-0 font-medium">{label ?? (isError ? "error" : "result")}</span>
        <span className="min-w-0 truncate font-mono text-[11px]">{result ? oneLine(result, 200) : "(empty)"}</span>
        {lines > 1 && <span className="shrink-0 tabular-nums">· {lines} lines</span>}
      </summary>
      <pre
        className={cn(
          "mt-1 max-h-64 overflow-auto rounded border bg-muted/40 px-2 py-1 font-mono text-[11px] leading-[1.45] break-words whitespace-pre-wrap",
          isError && "border-status-failed/30 bg-status-failed/5 text-status-failed",
        )}
      >
        {result || "(empty)"}
      </pre>
    </details>
  );
}

/** `ended`: the session is over, so a call without a result will not get one. */
export function ToolCallRow({ entry, ended, taskId }: { entry: ToolCallEntry; ended: boolean; taskId?: string }) {
  // The anchor is on this task's page: a step of another task is named, not linked.
  const linked = !taskId || !entry.step?.taskId || entry.step.taskId === taskId;
  const done = entry.result !== undefined;
  const args = compactArgs(entry);
  return (
    <div
      {...entryAttrs("tool_call", entry.seq)}
      data-tool={entry.shortName}
      data-tool-id={entry.id}
      data-error={entry.isError || undefined}
      className={cn("grid gap-0.5 rounded-md border px-2 py-1", entry.isError && "border-status-failed/40", nested(entry.parentToolUseId))}
    >
      <div data-testid="transcript-tool" data-tool={entry.shortName} className="flex min-w-0 flex-wrap items-center gap-x-2 gap-y-0.5 text-xs">
        <Wrench aria-hidden className="size-3.5 shrink-0 text-muted-foreground" />
        <Mono className="font-medium text-foreground" title={entry.name}>
          {entry.shortName}
        </Mono>
        {entry.agentdesk ? (
          <Badge tone="progress" title="An AgentDesk tool">
            AgentDesk
          </Badge>
        ) : (
          entry.server && <Badge tone="outline">{entry.server}</Badge>
        )}
        {entry.step && !linked && (
          <span className="inline-flex items-center gap-1 text-muted-foreground">
            step {entry.step.position} of <Mono>{entry.step.taskId}</Mono>
            {entry.step.status && <StatusBadge status={entry.step.status} />}
          </span>
        )}
        {entry.step && linked && (
          <a
            href={`#step-${entry.step.position}`}
            className="inline-flex items-center gap-1 rounded text-foreground underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-ring"
            data-testid="transcript-step-link"
          >
            step {entry.step.position}
            {entry.step.status && <StatusBadge status={entry.step.status} />}
          </a>
        )}
        {args && (
          <span className="min-w-0 flex-1 truncate font-mono text-[11px] text-muted-foreground" title={args}>
            {args}
          </span>
        )}
        {!done && (
          <span className="ml-auto inline-flex items-center gap-1 text-muted-foreground" data-testid="transcript-tool-pending">
            <CircleDashed aria-hidden className="size-3.5" /> {ended ? "no result" : "waiting"}
          </span>
        )}
      </div>
      {entry.step?.note && <p className="text-xs break-words whitespace-pre-wrap text-muted-foreground">“{entry.step.note}”</p>}
      {done && <ResultFold result={entry.result ?? ""} isError={!!entry.isError} />}
    </div>
  );
}

export function OrphanResult({ entry }: { entry: ToolResultEntry }) {
  return (
    <div {...entryAttrs("tool_result", entry.seq)} className="rounded-md border border-dashed px-2 py-1">
      <ResultFold result={entry.result} isError={entry.isError} label={`${entry.isError ? "error" : "result"} of an earlier call`} />
    </div>
  );
}

export function ResultFooter({ entry, showText }: { entry: ResultEntry; showText: boolean }) {
  const ok = !entry.isError;
  return (
    <div {...entryAttrs("result", entry.seq)} data-subtype={entry.subtype} className="grid gap-1 border-t border-dashed pt-1.5">
      {showText && entry.text && <p className="text-sm leading-relaxed break-words whitespace-pre-wrap">{entry.text}</p>}
      <div className={meta}>
        <span className={cn("inline-flex items-center gap-1 font-medium", ok ? "text-status-done" : "text-status-failed")}>
          {ok ? <Check aria-hidden className="size-3.5" /> : <CircleAlert aria-hidden className="size-3.5" />}
          {entry.subtype === "success" && !entry.isError ? "finished" : entry.subtype.replace(/_/g, " ")}
        </span>
        {entry.numTurns !== undefined && <span>{entry.numTurns} turns</span>}
        {entry.durationMs !== undefined && <span>{formatSeconds(entry.durationMs)}</span>}
        {entry.usage && <span data-testid="transcript-tokens">{usageText(entry.usage)}</span>}
        {entry.costUsd !== undefined && <span data-testid="transcript-cost">{formatCost(entry.costUsd)}</span>}
        {entry.sessionId && (
          <span>
            session <Mono className="select-all">{entry.sessionId}</Mono>
          </span>
        )}
      </div>
    </div>
  );
}

export function RawLine({ entry }: { entry: LineEntry }) {
  return (
    <div
      {...entryAttrs("line", entry.seq)}
      data-stream={entry.stream}
      className={cn("flex min-w-0 gap-2 font-mono text-[11px] leading-[1.45] text-muted-foreground", entry.stream === "stderr" && "text-status-failed/90", entry.stream === "system" && "italic")}
    >
      {entry.label && (
        <Badge tone="neutral" className="shrink-0 font-mono not-italic">
          {entry.label}
        </Badge>
      )}
      {entry.partial && (
        <span className="shrink-0" title="A piece of a long line whose other pieces are not loaded">
          ✂
        </span>
      )}
      <span className={cn("min-w-0", entry.label || entry.partial ? "truncate" : "break-all whitespace-pre-wrap")} title={entry.label || entry.partial ? entry.text.slice(0, 2000) : undefined}>
        {entry.text}
      </span>
    </div>
  );
}
