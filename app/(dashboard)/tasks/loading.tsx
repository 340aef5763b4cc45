import { RepeatSkeleton, RouteLoading, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <RouteLoading label="Loading tasks" className="flex h-full flex-col px-6 pt-5 pb-3">
      <Skeletons items={["h-6 w-24", "mt-2 h-4 w-96"]} />
      <div className="mt-4 flex gap-2">
        <Skeletons items={["h-8 w-44", "h-8 w-60", "h-8 w-32"]} />
      </div>
      <div className="mt-3 grid flex-1 grid-cols-5 gap-3">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="grid content-start gap-2 rounded-lg border bg-muted/40 p-2">
            <Skeletons items={["h-4 w-24"]} />
            <RepeatSkeleton count={4 - (i % 3)} className="h-20 bg-background" />
          </div>
        ))}
      </div>
    </RouteLoading>
  );
}
