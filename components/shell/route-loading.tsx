import type * as React from "react";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";
import { cn } from "@/components/ui/cn";

/** The status region a loading.tsx announces itself with ("Loading the inbox", …). */
export function RouteLoading({ label, className, children }: { label: string; className?: string; children: React.ReactNode }) {
  return (
    <div className={className} role="status" aria-label={label}>
      {children}
    </div>
  );
}

/** One Skeleton per class name, side by side in whatever holds them. */
export function Skeletons({ items }: { items: readonly string[] }) {
  return items.map((className, i) => <Skeleton key={i} className={className} />);
}

/** n Skeletons of one class name (a grid of cards, a row of tabs). */
export function RepeatSkeleton({ count, className }: { count: number; className: string }) {
  return <Skeletons items={Array.from({ length: count }, () => className)} />;
}

/** A detail page's list beside a column of cards, while it loads. */
export function SkeletonListWithAside({ className, aside }: { className?: string; aside: readonly string[] }) {
  return (
    <div className={cn("grid gap-5", className)}>
      <SkeletonRows rows={8} rowClassName="h-11" />
      <div className="grid content-start gap-3">
        <Skeletons items={aside} />
      </div>
    </div>
  );
}
