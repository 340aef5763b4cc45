import { RouteLoading, Skeletons } from "@/components/shell/route-loading";

/** The output pane while an output loads (the queue stays put). */
export default function Loading() {
  return (
    <RouteLoading label="Loading the output" className="mx-auto w-full max-w-5xl px-6 py-5">
      <div className="flex items-start justify-between gap-4">
        <div className="flex-1">
          <Skeletons items={["h-6 w-2/3", "mt-2 h-4 w-1/2"]} />
        </div>
        <Skeletons items={["h-7 w-52"]} />
      </div>
      <Skeletons items={["mt-5 h-5 w-40", "mt-3 h-16", "mt-3 h-8 w-40", "mt-3 h-72"]} />
    </RouteLoading>
  );
}
