"use client";
import * as React from "react";
import { ArrowLeftRight, ChevronsUpDown } from "lucide-react";
import type { OutputDto } from "@/lib/services";
import { Select } from "@/components/ui/select";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { cn } from "@/components/ui/cn";
import { statusLabel } from "@/components/ui/status";
import { computeLineDiff, foldContext, normaliseForDiff, type DiffRow } from "./diff-lines";

/** "v1 (changes requested)" for the version selects. */
const optionLabel = (v: OutputDto) => `v${v.version} · ${statusLabel(v.status)}`;

/** The default comparison: the version before the current one ↔ the current one (or the next, for v1). */
export function defaultPair(versions: { version: number }[], current: number): [number, number] {
  const nums = versions.map((v) => v.version).sort((a, b) => a - b);
  const i = nums.indexOf(current);
  if (i > 0) return [nums[i - 1], current];
  if (i === 0 && nums.length > 1) return [current, nums[1]];
  return [current, current];
}

/** A line diff between any two versions: green added lines, red removed ones, +/- gutters. */
export function OutputDiff({ versions, from, to, onChange }: { versions: OutputDto[]; from: number; to: number; onChange: (from: number, to: number) => void }) {
  const a = versions.find((v) => v.version === from);
  const b = versions.find((v) => v.version === to);
  const diff = React.useMemo(() => {
    if (!a || !b || a.version === b.version) return null;
    return computeLineDiff(normaliseForDiff(a.content ?? "", a.format), normaliseForDiff(b.content ?? "", b.format));
  }, [a, b]);
  const [open, setOpen] = React.useState<Set<number>>(() => new Set());
  const blocks = React.useMemo(() => (diff ? foldContext(diff.rows) : []), [diff]);

  return (
    <div className="grid gap-3">
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <span className="text-muted-foreground">Compare</span>
        <Select aria-label="Older version" value={String(from)} onChange={(e) => onChange(Number(e.target.value), to)} className="w-48">
          {versions.map((v) => (
            <option key={v.id} value={v.version}>
              {optionLabel(v)}
            </option>
          ))}
        </Select>
        <Button size="icon-sm" variant="ghost" aria-label="Swap the versions" onClick={() => onChange(to, from)}>
          <ArrowLeftRight />
        </Button>
        <Select aria-label="Newer version" value={String(to)} onChange={(e) => onChange(from, Number(e.target.value))} className="w-48">
          {versions.map((v) => (
            <option key={v.id} value={v.version}>
              {optionLabel(v)}
            </option>
          ))}
        </Select>
        {diff && (
          <span className="ml-auto font-mono tabular-nums" aria-label={`${diff.additions} lines added, ${diff.deletions} removed`}>
            <span className="text-status-done">+{diff.additions}</span> <span className="text-status-failed">−{diff.deletions}</span>
          </span>
        )}
      </div>
      {versions.length < 2 ? (
        <EmptyState compact title="Only one version so far" description="When the agent hands in another version, compare them here." />
      ) : !diff ? (
        <EmptyState compact title="Pick two different versions" description="Choose an older and a newer version to see what changed between them." />
      ) : diff.identical ? (
        <EmptyState compact title="No differences" description={`v${from} and v${to} have the same content.`} />
      ) : (
        <div className="overflow-x-auto rounded-lg border bg-card" data-testid="output-diff">
          <table className="w-full border-collapse font-mono text-xs leading-5">
            <caption className="sr-only">
              Changes from v{from} to v{to}
            </caption>
            <thead className="sr-only">
              <tr>
                <th scope="col">Line in v{from}</th>
                <th scope="col">Line in v{to}</th>
                <th scope="col">Change</th>
                <th scope="col">Text</th>
              </tr>
            </thead>
            <tbody>
              {blocks.map((blk, i) =>
                blk.kind === "fold" ? (
                  open.has(blk.id) ? (
                    blk.rows.map((r, j) => <Row key={`${i}-${j}`} row={r} />)
                  ) : (
                    <tr key={i} className="bg-muted/50">
                      <td colSpan={4} className="px-2 py-0.5">
                        <button
                          type="button"
                          className="inline-flex items-center gap-1 text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
                          onClick={() => setOpen((s) => new Set(s).add(blk.id))}
                        >
                          <ChevronsUpDown className="size-3" /> Show {blk.rows.length} unchanged lines
                        </button>
                      </td>
                    </tr>
                  )
                ) : (
                  <Row key={i} row={blk} />
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function Row({ row }: { row: DiffRow }) {
  const sign = row.kind === "add" ? "+" : row.kind === "del" ? "−" : " ";
  return (
    <tr data-diff={row.kind} className={cn(row.kind === "add" && "bg-status-done/15", row.kind === "del" && "bg-status-failed/15")}>
      <td className="w-10 border-r px-2 text-right text-muted-foreground/70 select-none">{row.oldNo ?? ""}</td>
      <td className="w-10 border-r px-2 text-right text-muted-foreground/70 select-none">{row.newNo ?? ""}</td>
      <td
        className={cn("w-5 px-1 text-center select-none", row.kind === "add" && "text-status-done", row.kind === "del" && "text-status-failed")}
        aria-label={row.kind === "add" ? "added" : row.kind === "del" ? "removed" : "unchanged"}
      >
        {sign}
      </td>
      <td className="pr-3 whitespace-pre-wrap break-all">{row.text || " "}</td>
    </tr>
  );
}
