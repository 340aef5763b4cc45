import { PageBody } from "@/components/shell/page-header";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <div className="flex justify-between">
        <Skeleton className="h-7 w-1/2" />
        <Skeleton className="h-7 w-28" />
      </div>
      <Skeleton className="mt-2 h-4 w-96" />
      <div className="mt-5 grid gap-5 xl:grid-cols-[minmax(0,1fr)_22rem]">
        <SkeletonRows rows={8} rowClassName="h-11" />
        <div className="grid content-start gap-3">
          <Skeleton className="h-32" />
          <Skeleton className="h-48" />
        </div>
      </div>
    </PageBody>
  );
}
