"use client";
import Link from "next/link";
import type { OutputDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { Section } from "@/components/shell/page-header";
import { LiveMarkdown, type RenderedMarkdown } from "@/components/markdown/live-markdown";
import { RelativeTime } from "@/components/ui/relative-time";
import { StatusBadge, StatusIcon } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";

/** Every version, newest first, with the reviews each received. */
export function OutputHistory({
  versions,
  reviews,
  current: id,
  qs,
  comments,
}: {
  versions: OutputDetail["versions"];
  reviews: OutputDetail["reviews"];
  current: string;
  qs: string;
  /** Review comments rendered on the server, by review id (later ones render on demand). */
  comments: Record<string, RenderedMarkdown>;
}) {
  return (
    <Section title="History" id="output-history" className="mt-4">
      <ol className="grid gap-2" data-testid="output-history">
        {[...versions].reverse().map((v) => {
          const vr = reviews.filter((r) => r.outputId === v.id);
          return (
            <li key={v.id} className={cn("rounded-lg border bg-card", v.id === id && "border-foreground/25")}>
              <div className="flex flex-wrap items-center gap-2 px-3 py-2 text-xs">
                <Link href={`${hrefs.output(v.id)}${qs}`} className="font-mono font-medium hover:underline" aria-current={v.id === id ? "page" : undefined}>
                  v{v.version}
                </Link>
                <StatusBadge status={v.status} />
                <span className="text-muted-foreground">
                  by {v.submittedBy} <RelativeTime date={v.createdAt} />
                </span>
                <span className="ml-auto text-muted-foreground">
                  {v.files.length} {v.files.length === 1 ? "file" : "files"}
                </span>
              </div>
              {vr.length > 0 && (
                <ul className="grid gap-2 border-t px-3 py-2">
                  {vr.map((r) => (
                    <li key={r.id} className="grid gap-1 text-xs" data-testid={`review-${r.decision}`}>
                      <span className="flex flex-wrap items-center gap-1.5">
                        <StatusIcon status={r.decision} className="size-3.5" />
                        <span className="font-medium">{r.decision === "approved" ? "Approved" : "Changes requested"}</span>
                        <span className="text-muted-foreground">
                          by {r.reviewer} <RelativeTime date={r.createdAt} />
                        </span>
                      </span>
                      {r.comment.trim() && (
                        <div className="ml-5 rounded-md border-l-2 border-border bg-muted/40 px-2.5 py-1.5">
                          <LiveMarkdown compact text={r.comment} rendered={comments[r.id]} />
                        </div>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          );
        })}
      </ol>
    </Section>
  );
}
