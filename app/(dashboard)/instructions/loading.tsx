import { PageBody } from "@/components/shell/page-header";
import { Skeleton, SkeletonRows } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <Skeleton className="mb-2 h-6 w-40" />
      <Skeleton className="mb-5 h-4 w-96" />
      <Skeleton className="mb-3 h-8 w-48" />
      <SkeletonRows rows={10} rowClassName="h-12" />
    </PageBody>
  );
}
