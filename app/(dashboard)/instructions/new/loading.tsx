import { PageBody } from "@/components/shell/page-header";
import { RouteLoading, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <RouteLoading label="Loading" className="grid max-w-3xl gap-4">
        <Skeletons items={["h-6 w-48", "h-4 w-80", "h-8", "h-64"]} />
        <div className="grid grid-cols-2 gap-4 sm:max-w-md">
          <Skeletons items={["h-8", "h-8"]} />
        </div>
      </RouteLoading>
    </PageBody>
  );
}
