import { PageBody } from "@/components/shell/page-header";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <div role="status" aria-label="Loading" className="grid max-w-3xl gap-4">
        <Skeleton className="h-6 w-48" />
        <Skeleton className="h-4 w-80" />
        <Skeleton className="h-8" />
        <Skeleton className="h-64" />
        <div className="grid grid-cols-2 gap-4 sm:max-w-md">
          <Skeleton className="h-8" />
          <Skeleton className="h-8" />
        </div>
      </div>
    </PageBody>
  );
}
