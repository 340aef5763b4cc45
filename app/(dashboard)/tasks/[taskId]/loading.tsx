import { PageBody } from "@/components/shell/page-header";
import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <PageBody>
      <div role="status" aria-label="Loading task">
        <Skeleton className="h-7 w-2/3" />
        <div className="mt-3 flex gap-3">
          <Skeleton className="h-5 w-36" />
          <Skeleton className="h-5 w-24" />
          <Skeleton className="h-5 w-40" />
        </div>
        <Skeleton className="mt-2 h-4 w-1/2" />
        <div className="mt-5 grid gap-5 lg:grid-cols-[minmax(0,1fr)_18rem]">
          <div className="grid content-start gap-0 rounded-lg border">
            <Skeleton className="m-3 h-4 w-20" />
            {Array.from({ length: 10 }, (_, i) => (
              <div key={i} className="flex items-center gap-3 border-t px-4 py-2.5">
                <Skeleton className="size-4 rounded-full" />
                <Skeleton className="h-4 flex-1" />
                <Skeleton className="h-4 w-10" />
              </div>
            ))}
          </div>
          <div className="grid content-start gap-4">
            <Skeleton className="h-28" />
            <Skeleton className="h-20" />
            <Skeleton className="h-20" />
          </div>
        </div>
      </div>
    </PageBody>
  );
}
