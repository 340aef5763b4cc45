import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

/** The three panes, before the inbox has loaded. */
export default function Loading() {
  return (
    <div className="flex h-full min-h-0" role="status" aria-label="Loading the inbox">
      <div className="hidden w-56 shrink-0 gap-1 border-r p-2 xl:grid xl:content-start">
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} className="h-8" />
        ))}
      </div>
      <div className="w-full shrink-0 border-r p-3 lg:w-88">
        <Skeleton className="mb-2 h-5 w-32" />
        <Skeleton className="mb-2 h-8" />
        <Skeleton className="mb-3 h-6 w-2/3" />
        <SkeletonRows rows={7} rowClassName="h-16" />
      </div>
      <div className="hidden flex-1 p-4 lg:block">
        <Skeleton className="mb-4 h-6 w-1/2" />
        <Skeleton className="h-40" />
      </div>
    </div>
  );
}
