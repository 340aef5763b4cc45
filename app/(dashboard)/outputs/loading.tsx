import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

/** Queue and output, before the review pages have loaded. */
export default function Loading() {
  return (
    <div className="flex h-full min-h-0" role="status" aria-label="Loading the review queue">
      <div className="w-full shrink-0 border-r p-3 lg:w-80">
        <Skeleton className="mb-2 h-5 w-20" />
        <Skeleton className="mb-3 h-8" />
        <SkeletonRows rows={6} rowClassName="h-14" />
      </div>
      <div className="hidden flex-1 px-6 py-5 lg:block">
        <Skeleton className="mb-2 h-6 w-2/3" />
        <Skeleton className="mb-5 h-4 w-1/2" />
        <Skeleton className="mb-3 h-16" />
        <Skeleton className="h-64" />
      </div>
    </div>
  );
}
