import { PageBody } from "@/components/shell/page-header";
import { SkeletonRows } from "@/components/ui/skeleton";
import { RepeatSkeleton, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <Skeletons items={["mb-5 h-6 w-40"]} />
      <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-5">
        <RepeatSkeleton count={5} className="h-16" />
      </div>
      <Skeletons items={["mt-6 h-16"]} />
      <div className="mt-6 grid gap-6 xl:grid-cols-2">
        <SkeletonRows rows={8} />
        <SkeletonRows rows={8} />
      </div>
    </PageBody>
  );
}
