"use client";
import Link from "next/link";
import type { OutputDetail } from "@/lib/services";
import { hrefs } from "@/lib/queries/links";
import { StatusDot, statusLabel } from "@/components/ui/status";
import { cn } from "@/components/ui/cn";

/** Every version of the output as a link, the one shown marked current. */
export function VersionNav({ versions, current: id, qs }: { versions: OutputDetail["versions"]; current: string; qs: string }) {
  return (
    <nav aria-label="Versions" className="flex flex-wrap items-center gap-1.5 text-xs">
      <span className="text-muted-foreground">Versions</span>
      {versions.map((v) => (
        <Link
          key={v.id}
          href={`${hrefs.output(v.id)}${qs}`}
          aria-current={v.id === id ? "page" : undefined}
          className={cn(
            "inline-flex items-center gap-1.5 rounded-md border px-2 py-0.5 hover:bg-accent focus-visible:outline-2 focus-visible:outline-ring",
            v.id === id ? "border-foreground/30 bg-accent font-medium" : "text-muted-foreground",
          )}
          title={statusLabel(v.status)}
        >
          <StatusDot status={v.status} />v{v.version}
          <span className="sr-only">({statusLabel(v.status)})</span>
        </Link>
      ))}
    </nav>
  );
}
