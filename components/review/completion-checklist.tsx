"use client";
import { CheckCircle2, CircleDashed, CircleMinus, XCircle } from "lucide-react";
import type { OutputDetail } from "@/lib/services";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";

type Checklist = NonNullable<OutputDetail["manifest"]>;
type Verdict = Checklist["items"][number]["verdict"];

const verdicts: Record<Verdict, { label: string; tone: BadgeTone; Icon: typeof CheckCircle2; className: string }> = {
  met: { label: "Met", tone: "done", Icon: CheckCircle2, className: "text-status-done" },
  not_met: { label: "Not met", tone: "failed", Icon: XCircle, className: "text-status-failed" },
  partial: { label: "Partly met", tone: "blocked", Icon: CircleMinus, className: "text-status-blocked" },
  not_verified: { label: "Not verified", tone: "neutral", Icon: CircleDashed, className: "text-muted-foreground" },
};

function List({ title, items, testId }: { title: string; items: string[]; testId?: string }) {
  if (items.length === 0) return null;
  return (
    <div className="grid gap-1 px-3 py-2" data-testid={testId}>
      <span className="text-[11px] font-medium text-muted-foreground">{title}</span>
      <ul className="grid list-disc gap-0.5 pl-4 text-xs">
        {items.map((x, i) => (
          <li key={i} className="break-words">
            {x}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Item({ item }: { item: Checklist["items"][number] }) {
  const v = verdicts[item.verdict];
  return (
    <li className="grid grid-cols-[1rem_minmax(0,1fr)_auto] items-start gap-2 px-3 py-1.5" data-verdict={item.verdict}>
      <v.Icon aria-hidden className={cn("mt-0.5 size-3.5", v.className)} />
      <span className="grid gap-0.5 text-xs">
        <span className="break-words">{item.criterion}</span>
        {item.evidence && <span className="break-words whitespace-pre-line text-muted-foreground">{item.evidence}</span>}
      </span>
      <Badge tone={v.tone}>{v.label}</Badge>
    </li>
  );
}

/**
 * The agent's completion manifest checked against the task's acceptance criteria: each criterion met,
 * not met, partly met, or not verified (the manifest does not mention it), with the evidence given;
 * then what the manifest adds (outputs, quality checks, outstanding work, issues).
 */
export function CompletionChecklist({ manifest }: { manifest: Checklist }) {
  const met = manifest.items.filter((i) => i.verdict === "met").length;
  return (
    <section aria-label="Completion manifest" className="rounded-lg border bg-card" data-testid="completion-checklist">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b px-3 py-1.5 text-xs">
        <span className="font-medium">Completion manifest</span>
        <span className="flex items-center gap-2 text-muted-foreground">
          <span className="tabular-nums">
            {met}/{manifest.items.length} criteria met
          </span>
          <Mono className="hidden sm:inline">{manifest.path}</Mono>
        </span>
      </div>
      {manifest.problem && <p className="border-b px-3 py-2 text-xs text-status-failed">The manifest cannot be read: {manifest.problem}</p>}
      {manifest.items.length === 0 ? (
        <p className="px-3 py-2 text-xs text-muted-foreground">The task lists no acceptance criteria.</p>
      ) : (
        <ul className="divide-y" aria-label="Acceptance criteria">
          {manifest.items.map((item, i) => (
            <Item key={i} item={item} />
          ))}
        </ul>
      )}
      {manifest.extra.length > 0 && (
        <div className="border-t">
          <span className="block px-3 pt-2 text-[11px] font-medium text-muted-foreground">Also verified (not among the task&apos;s criteria)</span>
          <ul className="divide-y">
            {manifest.extra.map((item, i) => (
              <Item key={i} item={item} />
            ))}
          </ul>
        </div>
      )}
      <div className="grid divide-y border-t empty:hidden">
        <List title="Outputs created" items={manifest.outputsCreated} />
        {manifest.qualityChecks.map((q) => (
          <List key={q.name} title={`Quality checks ${q.name}`} items={q.items} />
        ))}
        <List title="Outstanding work" items={manifest.outstandingWork} testId="manifest-outstanding" />
        <List title="Issues encountered" items={manifest.issuesEncountered} />
      </div>
    </section>
  );
}
