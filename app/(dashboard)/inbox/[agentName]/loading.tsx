import { Skeleton } from "@/components/ui/skeleton";

/** The thread pane while a thread loads (the list stays where it is). */
export default function Loading() {
  return (
    <div className="flex h-full flex-col" role="status" aria-label="Loading the thread">
      <div className="border-b px-4 py-3">
        <Skeleton className="h-5 w-1/2" />
        <Skeleton className="mt-1.5 h-3 w-24" />
      </div>
      <div className="mx-auto grid w-full max-w-3xl gap-3 px-4 py-4">
        <Skeleton className="h-36" />
        <Skeleton className="h-24" />
        <Skeleton className="h-32" />
      </div>
    </div>
  );
}
