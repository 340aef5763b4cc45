import { Skeleton } from "@/components/ui/skeleton";

/** The output pane while an output loads (the queue stays put). */
export default function Loading() {
  return (
    <div className="mx-auto w-full max-w-5xl px-6 py-5" role="status" aria-label="Loading the output">
      <div className="flex items-start justify-between gap-4">
        <div className="flex-1">
          <Skeleton className="h-6 w-2/3" />
          <Skeleton className="mt-2 h-4 w-1/2" />
        </div>
        <Skeleton className="h-7 w-52" />
      </div>
      <Skeleton className="mt-5 h-5 w-40" />
      <Skeleton className="mt-3 h-16" />
      <Skeleton className="mt-3 h-8 w-40" />
      <Skeleton className="mt-3 h-72" />
    </div>
  );
}
