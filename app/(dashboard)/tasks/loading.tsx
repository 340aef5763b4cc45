import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="flex h-full flex-col px-6 pt-5 pb-3" role="status" aria-label="Loading tasks">
      <Skeleton className="h-6 w-24" />
      <Skeleton className="mt-2 h-4 w-96" />
      <div className="mt-4 flex gap-2">
        <Skeleton className="h-8 w-44" />
        <Skeleton className="h-8 w-60" />
        <Skeleton className="h-8 w-32" />
      </div>
      <div className="mt-3 grid flex-1 grid-cols-5 gap-3">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="grid content-start gap-2 rounded-lg border bg-muted/40 p-2">
            <Skeleton className="h-4 w-24" />
            {Array.from({ length: 4 - (i % 3) }, (_, j) => (
              <Skeleton key={j} className="h-20 bg-background" />
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}
