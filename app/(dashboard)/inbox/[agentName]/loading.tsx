import { RouteLoading, Skeletons } from "@/components/shell/route-loading";

/** The thread pane while a thread loads (the list stays where it is). */
export default function Loading() {
  return (
    <RouteLoading label="Loading the thread" className="flex h-full flex-col">
      <div className="border-b px-4 py-3">
        <Skeletons items={["h-5 w-1/2", "mt-1.5 h-3 w-24"]} />
      </div>
      <div className="mx-auto grid w-full max-w-3xl gap-3 px-4 py-4">
        <Skeletons items={["h-36", "h-24", "h-32"]} />
      </div>
    </RouteLoading>
  );
}
