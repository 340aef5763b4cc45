import { SkeletonRows } from "@/components/ui/skeleton";
import { RouteLoading, Skeletons } from "@/components/shell/route-loading";

/** Queue and output, before the review pages have loaded. */
export default function Loading() {
  return (
    <RouteLoading label="Loading the review queue" className="flex h-full min-h-0">
      <div className="w-full shrink-0 border-r p-3 lg:w-80">
        <Skeletons items={["mb-2 h-5 w-20", "mb-3 h-8"]} />
        <SkeletonRows rows={6} rowClassName="h-14" />
      </div>
      <div className="hidden flex-1 px-6 py-5 lg:block">
        <Skeletons items={["mb-2 h-6 w-2/3", "mb-5 h-4 w-1/2", "mb-3 h-16", "h-64"]} />
      </div>
    </RouteLoading>
  );
}
