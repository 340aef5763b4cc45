"use client";
import * as React from "react";
import { useParams } from "next/navigation";
import type { Page, ReviewQueueItem } from "@/lib/services";
import { cn } from "@/components/ui/cn";
import { ReviewProvider } from "./review-context";
import { ReviewQueue } from "./review-queue";

/**
 * The review frame (UI.md "Review"): the queue on the left, the output on the right (`children`).
 * The queue lives in the layout, so it keeps its place while the reviewer moves through items. On
 * narrow screens the two take turns.
 */
export function ReviewShell({ initialPage, agentColors, children }: { initialPage: Page<ReviewQueueItem> & { total: number }; agentColors: Record<string, string | null>; children: React.ReactNode }) {
  const params = useParams<{ outputId?: string }>();
  const open = !!params.outputId;
  return (
    <ReviewProvider agentColors={agentColors}>
      <div className="flex h-full min-h-0">
        <aside aria-label="Review queue" className={cn("min-h-0 w-full flex-col border-r lg:flex lg:w-80 lg:shrink-0", open ? "hidden" : "flex")}>
          <ReviewQueue initialPage={initialPage} />
        </aside>
        <section aria-label="Output" className={cn("min-h-0 min-w-0 flex-1 overflow-y-auto [scrollbar-width:thin] lg:block", open ? "block" : "hidden")}>
          {children}
        </section>
      </div>
    </ReviewProvider>
  );
}
