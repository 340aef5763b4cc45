import { PageBody } from "@/components/shell/page-header";
import { RouteLoading, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <RouteLoading label="Loading task">
        <Skeletons items={["h-7 w-2/3"]} />
        <div className="mt-3 flex gap-3">
          <Skeletons items={["h-5 w-36", "h-5 w-24", "h-5 w-40"]} />
        </div>
        <Skeletons items={["mt-2 h-4 w-1/2"]} />
        <div className="mt-5 grid gap-5 lg:grid-cols-[minmax(0,1fr)_18rem]">
          <div className="grid content-start gap-0 rounded-lg border">
            <Skeletons items={["m-3 h-4 w-20"]} />
            {Array.from({ length: 10 }, (_, i) => (
              <div key={i} className="flex items-center gap-3 border-t px-4 py-2.5">
                <Skeletons items={["size-4 rounded-full", "h-4 flex-1", "h-4 w-10"]} />
              </div>
            ))}
          </div>
          <div className="grid content-start gap-4">
            <Skeletons items={["h-28", "h-20", "h-20"]} />
          </div>
        </div>
      </RouteLoading>
    </PageBody>
  );
}
