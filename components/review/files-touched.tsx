"use client";
import { FileCode2 } from "lucide-react";
import type { OutputDetail } from "@/lib/services";
import { Badge } from "@/components/ui/badge";
import { Mono } from "@/components/ui/mono";
import { cn } from "@/components/ui/cn";

const actionLabel: Record<string, string> = { created: "created", modified: "modified", deleted: "deleted" };

/** The files a version says it touched, with their line counts. */
export function FilesTouched({ files }: { files: OutputDetail["output"]["files"] }) {
  const totalAdd = files.reduce((n, f) => n + (f.additions ?? 0), 0);
  const totalDel = files.reduce((n, f) => n + (f.deletions ?? 0), 0);
  return (
    <section aria-label="Files touched" className="rounded-lg border bg-card">
      <div className="flex items-center justify-between border-b px-3 py-1.5 text-xs">
        <span className="font-medium">Files touched</span>
        {files.length > 0 && (
          <span className="font-mono tabular-nums">
            <span className="text-status-done">+{totalAdd}</span> <span className="text-status-failed">−{totalDel}</span>
          </span>
        )}
      </div>
      {files.length === 0 ? (
        <p className="px-3 py-2 text-xs text-muted-foreground">The agent listed no files for this version.</p>
      ) : (
        <ul className="divide-y text-xs" data-testid="output-files">
          {files.map((f) => (
            <li key={f.path} className="flex items-center gap-2 px-3 py-1.5">
              <FileCode2 aria-hidden className="size-3.5 shrink-0 text-muted-foreground" />
              <Mono className={cn("min-w-0 truncate", f.action === "deleted" && "line-through")}>{f.path}</Mono>
              {f.action && (
                <Badge tone={f.action === "created" ? "done" : f.action === "deleted" ? "failed" : "neutral"} className="shrink-0">
                  {actionLabel[f.action] ?? f.action}
                </Badge>
              )}
              <span className="ml-auto shrink-0 font-mono tabular-nums">
                {f.additions != null && <span className="text-status-done">+{f.additions}</span>} {f.deletions != null && <span className="text-status-failed">−{f.deletions}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
