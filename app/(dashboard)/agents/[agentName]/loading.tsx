import { PageBody } from "@/components/shell/page-header";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <Skeleton className="h-6 w-56" />
      <Skeleton className="mt-2 h-4 w-2/3" />
      <Skeleton className="mt-2 mb-5 h-4 w-64" />
      <div className="grid gap-5 xl:grid-cols-[minmax(0,1fr)_24rem]">
        <SkeletonRows rows={8} rowClassName="h-11" />
        <div className="grid content-start gap-3">
          <Skeleton className="h-40" />
          <Skeleton className="h-56" />
        </div>
      </div>
    </PageBody>
  );
}
