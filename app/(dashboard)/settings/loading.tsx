import { PageBody } from "@/components/shell/page-header";
import { RepeatSkeleton, RouteLoading, Skeletons } from "@/components/shell/route-loading";

export default function Loading() {
  return (
    <PageBody>
      <RouteLoading label="Loading settings">
        <Skeletons items={["h-6 w-28", "mt-2 mb-5 h-4 w-96"]} />
        <div className="grid gap-5">
          <RepeatSkeleton count={2} className="h-56" />
        </div>
      </RouteLoading>
    </PageBody>
  );
}
