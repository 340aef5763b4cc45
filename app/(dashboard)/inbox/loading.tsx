import { SkeletonRows } from "@/components/ui/skeleton";
import { RepeatSkeleton, RouteLoading, Skeletons } from "@/components/shell/route-loading";

/** The three panes, before the inbox has loaded. */
export default function Loading() {
  return (
    <RouteLoading label="Loading the inbox" className="flex h-full min-h-0">
      <div className="hidden w-56 shrink-0 gap-1 border-r p-2 xl:grid xl:content-start">
        <RepeatSkeleton count={5} className="h-8" />
      </div>
      <div className="w-full shrink-0 border-r p-3 lg:w-88">
        <Skeletons items={["mb-2 h-5 w-32", "mb-2 h-8", "mb-3 h-6 w-2/3"]} />
        <SkeletonRows rows={7} rowClassName="h-16" />
      </div>
      <div className="hidden flex-1 p-4 lg:block">
        <Skeletons items={["mb-4 h-6 w-1/2", "h-40"]} />
      </div>
    </RouteLoading>
  );
}
